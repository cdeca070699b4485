import type { InvitePage, InviteState } from '../../engine/operations/invite-links.js';
import type { SetupHandout } from '../../engine/families/handouts.js';
import { html, page, type Html } from '../html.js';

/** Where the pages live under the public URL, and the per-browser form token. */
export type Paths = { base: string; assets: string };
export type FormErrors = { message: string; fields: Record<string, string> };
type Values = Partial<Record<'name' | 'roleArn' | 'accountId', string>>;

export function landingPage(p: Paths, token: string, preview: { inviter: string; what: string; message?: string; expiresAt: string }): string {
  return page({
    title: `Connect ${preview.what}`,
    assets: p.assets,
    body: html`
<h1>You are invited to connect ${preview.what} to cloudlink</h1>
<p><strong>${preview.inviter}</strong> asked you to do it.</p>
${preview.message ? html`<blockquote>${preview.message}</blockquote>` : ''}
<p>The next page shows what to do and why, with a button that opens the AWS console with everything filled in, and tells you when the account is connected.</p>
<p class="muted">This link works once, in the browser you continue in, and expires on ${preview.expiresAt.slice(0, 10)}. Continue on the device you will deploy from.</p>
<form method="post" action="${p.base}/i/${token}">
<button type="submit">Continue to the setup</button>
</form>`,
  });
}

function statusBox(p: Paths, inviteId: string, s: InviteState): Html {
  return html`<div id="status" class="status" role="status" aria-live="polite" data-state="${s.state}" data-poll="${p.base}/invite/${inviteId}/status">
<strong data-headline>${s.headline}</strong>
<p data-detail>${s.detail ?? ''}</p>
</div>`;
}

function field(key: keyof Values, label: string, hint: string, values: Values, errors?: FormErrors, opts: { autocomplete?: string; inputmode?: string; pattern?: string } = {}): Html {
  const error = errors?.fields[key];
  const described = [`${key}-hint`, error ? `${key}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field">
<label for="${key}">${label}</label>
<span class="hint" id="${key}-hint">${hint}</span>
${error ? html`<p class="field-error" id="${key}-error">${error}</p>` : ''}
<input type="text" id="${key}" name="${key}" value="${values[key] ?? ''}" autocomplete="${opts.autocomplete ?? 'off'}" spellcheck="false" aria-describedby="${described}"${error ? html` aria-invalid="true"` : ''}${opts.inputmode ? html` inputmode="${opts.inputmode}"` : ''}>
</div>`;
}

function roleSteps(p: Paths, data: InvitePage, h: Extract<SetupHandout, { kit: 'cloudformation-role' }>, csrf: string, values: Values, errors?: FormErrors): Html {
  const watching = data.state.state === 'watching';
  return html`
<h2>Why you, and what it does</h2>
<p>It takes someone who can create IAM roles with CloudFormation in the AWS account. The stack creates one <strong>read-only</strong> role (AWS's SecurityAudit and ViewOnlyAccess policies) that only cloudlink can assume, and only with a unique External ID. It cannot read your data or change anything, and deleting the stack removes it.</p>

<h2>What to do</h2>
${h.quickCreateUrl ? html`<p><a class="button" href="${h.quickCreateUrl}" target="_blank" rel="noopener noreferrer">Open the AWS console<span class="muted"> (new tab)</span></a></p>` : html`<p><a class="button secondary" href="${p.base}/invite/${data.inviteId}/template.yaml" download="${h.templateFile}">Download ${h.templateFile}</a></p>`}
<ol class="steps">${h.instructions.map((x) => html`<li>${x}</li>`)}</ol>
<details>
<summary>Details, to check the stack or deploy it by hand</summary>
<p>Stack name: <code>${h.aws?.stackName ?? ''}</code><br>Role name: <code>${h.aws?.roleName ?? ''}</code><br>Trusted principal: <code>${h.aws?.trustedPrincipalArn ?? ''}</code><br>External ID: <code>${h.aws?.externalId ?? ''}</code></p>
<p class="muted">The External ID is already in the console link; it is not a password, it makes sure only cloudlink's requests for this setup are trusted.</p>
</details>

<h2 id="finish">When the stack is done</h2>
${errors ? html`<div class="alert" role="alert" tabindex="-1" id="form-error"><h2>That did not work</h2><p>${errors.message}</p></div>` : ''}
<form method="post" action="${p.base}/invite/${data.inviteId}" data-busy="Verifying… (up to a minute while AWS makes the role usable)">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="action" value="connect">
${data.needsName ? field('name', 'Account name', 'How this account is called in cloudlink, e.g. "Payer" (1–64 characters).', values, errors, { autocomplete: 'off' }) : ''}
${field('roleArn', 'Role ARN', "From the stack's Outputs tab, RoleArn: arn:aws:iam::123456789012:role/…", values, errors)}
<button type="submit">Connect the account</button>
</form>
${
  watching
    ? ''
    : html`<h3>Or let cloudlink finish by itself</h3>
<form method="post" action="${p.base}/invite/${data.inviteId}">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="action" value="watch">
${field('accountId', 'AWS account id', 'The 12 digits of the account you deploy the stack in; cloudlink links it the moment the stack is done.', values, errors, { inputmode: 'numeric' })}
<button type="submit" class="secondary">Done: watch for the stack</button>
</form>`
}`;
}

function certificateSteps(p: Paths, data: InvitePage, h: Extract<SetupHandout, { kit: 'app-certificate' }>, csrf: string, values: Values, errors?: FormErrors): Html {
  return html`
<h2>Why you, and what it does</h2>
<p>It takes someone who can manage app registrations in Microsoft Entra ID. cloudlink signs in as the app with a certificate whose private key never leaves cloudlink; you upload only the public certificate.</p>
<h2>What to do</h2>
<p><a class="button secondary" href="${p.base}/invite/${data.inviteId}/certificate.cer" download="${h.certificateFileName}">Download ${h.certificateFileName}</a></p>
<ol class="steps">${h.checklist.map((x) => html`<li>${x}</li>`)}</ol>
<p><a href="${h.adminConsentUrl}" target="_blank" rel="noopener noreferrer">Grant admin consent (new tab)</a></p>
<h2 id="finish">When it is uploaded and granted</h2>
${errors ? html`<div class="alert" role="alert" tabindex="-1" id="form-error"><h2>That did not work</h2><p>${errors.message}</p></div>` : ''}
<form method="post" action="${p.base}/invite/${data.inviteId}" data-busy="Signing in with the certificate…">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="action" value="connect">
${data.needsName ? field('name', 'Account name', 'How this account is called in cloudlink (1–64 characters).', values, errors) : ''}
<button type="submit">Connect</button>
</form>`;
}

/** The colleague's page: who asks and why, what to do, the fields to finish, live status, what comes next. */
export function invitePageHtml(p: Paths, data: InvitePage, csrf: string, values: Values = {}, errors?: FormErrors): string {
  const h = data.handout;
  const done = data.state.state === 'connected';
  const closed = data.state.state === 'closed';
  const steps = !h ? '' : h.kit === 'cloudformation-role' ? roleSteps(p, data, h, csrf, values, errors) : certificateSteps(p, data, h, csrf, values, errors);
  const stack = h?.kit === 'cloudformation-role' ? h.aws?.stackName : undefined;
  return page({
    title: done ? 'Connected' : `Connect ${data.what}`,
    assets: p.assets,
    script: done || closed ? undefined : 'invite.js',
    body: html`
<h1>${done ? 'Connected. Thank you!' : closed ? 'This invite is closed' : html`Connect ${data.what} to cloudlink`}</h1>
<p><strong>${data.inviter}</strong> asked you to connect ${data.what}.</p>
${data.message ? html`<blockquote>${data.message}</blockquote>` : ''}
${statusBox(p, data.inviteId, data.state)}
${steps}
<h2>What happens next</h2>
${
  done
    ? html`<p>Nothing more to do: you can close this page. cloudlink reads the account's configuration through the role, never its data.</p>`
    : closed
      ? html`<p>Nothing more happens with this invite.</p>`
      : html`<p>cloudlink assumes the role with the External ID, checks that it answers for the right account and that it does not work without the External ID, and only then calls the account connected. ${data.inviter} hears about it; this page says so too, by itself.</p>`
}
${stack ? html`<p class="muted">To remove the access later, delete the CloudFormation stack <code>${stack}</code>.</p>` : ''}
${done || closed ? '' : html`<p class="muted">This invite expires on ${data.expiresAt.slice(0, 10)}.</p>`}`,
  });
}

const TITLES: Record<string, string> = {
  INVITE_LINK_INVALID: 'This link is not valid',
  INVITE_EXPIRED: 'This invite link has expired',
  INVITE_USED: 'This invite link was already used',
  INVITE_REVOKED: 'This invite was revoked',
  INVITE_SESSION_MISSING: 'Open your invite link in this browser',
  NOT_FOUND: 'There is nothing here',
};

/** A refusal says what happened and what to do next, and nothing about any invite it did not prove. */
export function refusalPage(p: Paths, code: string, message: string): string {
  return page({ title: TITLES[code] ?? 'Something went wrong', assets: p.assets, body: html`<h1>${TITLES[code] ?? 'Something went wrong'}</h1>\n<div class="alert" role="alert"><p>${message}</p></div>` });
}
