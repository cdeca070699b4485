import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { StartMicrosoftSetupOutput } from '../../../engine/operations/microsoft-setups.js';
import type { Actor } from '../../../engine/schemas.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors, userMessage } from '../../errors.js';
import { esc } from '../../text.js';
import { inputValue, metadata } from '../../values.js';
import { md } from '../../views/blocks.js';
import { progressView } from '../../views/link.js';
import { microsoftCompleteModal } from '../../views/microsoft.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const FIELDS = { name: 'name', tenantId: 'tenant_id', clientId: 'client_id', organization: 'organization' };

/** The public certificate goes to the person, in a DM, never to a channel. */
export async function sendCertificate(client: WebClient, userId: string, s: StartMicrosoftSetupOutput, deps: SlackDeps): Promise<boolean> {
  try {
    const dm = await client.conversations.open({ users: userId });
    await client.files.uploadV2({
      channel_id: dm.channel!.id!,
      filename: s.certificateFileName,
      title: s.certificateFileName,
      content: s.microsoft!.certificatePem,
      initial_comment: `Public certificate for your ${s.provider} setup (thumbprint ${s.microsoft!.certificateThumbprint}). Upload it to the app registration under Certificates & secrets. It holds no private key.`,
    });
    return true;
  } catch (e) {
    deps.log.warn('could not send the certificate file; showing it in the modal instead', { error: e });
    return false;
  }
}

/** Step 1 submitted: generate the certificate, send it, show the checklist. */
export const microsoftSetupSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { provider } = metadata<{ provider: string }>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  const name = inputValue(view, 'name');
  const organization = inputValue(view, 'organization');
  let setup: StartMicrosoftSetupOutput;
  try {
    setup = await deps.engine.startMicrosoftSetup(actor, { provider, tenantId: inputValue(view, 'tenant_id') ?? '', clientId: inputValue(view, 'client_id') ?? '', ...(name ? { name } : {}), ...(organization ? { organization } : {}) });
  } catch (e) {
    return ack({ response_action: 'errors', errors: modalErrors(e, FIELDS, 'client_id', deps.log) });
  }
  const sent = await sendCertificate(client, body.user.id, setup, deps);
  await ack({ response_action: 'update', view: microsoftCompleteModal(setup, sent) });
};

/** Step 2 submitted: verify after the ack; the result arrives as a DM. */
export const microsoftCompleteSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { setupId } = metadata<{ setupId: string }>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await ack({ response_action: 'update', view: progressView('Verifying', ':hourglass_flowing_sand: Signing in with the certificate and checking permissions. You will get a message with the result.') });
  await finishMicrosoftLink(deps, client, actor, setupId ?? '');
};

export async function finishMicrosoftLink(deps: SlackDeps, client: WebClient, actor: Actor, setupId: string) {
  try {
    const out = await deps.engine.completeMicrosoftSetup(actor, { setupId });
    await client.chat.postMessage({ channel: actor.id, text: out.message, blocks: [md(`:white_check_mark: ${esc(out.message)}${out.warnings.map((w) => `\n:warning: ${esc(w)}`).join('')}`)] });
  } catch (e) {
    await client.chat.postMessage({
      channel: actor.id,
      text: 'The account could not be linked',
      blocks: [md(`:x: *The account could not be linked.*\n${esc(userMessage(e, deps.log))}`), { type: 'actions', elements: [{ type: 'button', action_id: 'reopen_setup', value: setupId, text: { type: 'plain_text', text: 'Try again' } }] }],
    });
  }
}
