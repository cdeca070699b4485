import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { PROVIDERS, type Provider } from '../../../engine/domain/records.js';
import { checkAccount } from '../../../engine/operations/health.js';
import { matchingAccounts } from '../../accounts.js';
import type { SlackDeps } from '../../deps.js';
import { userMessage } from '../../errors.js';
import { deleteForm, inviteForm, linkStep, organizationStep, renameForm, subscriptionsForm } from '../../flows.js';
import { openForm, openThenUpdate } from '../../modals.js';
import { esc, unesc } from '../../text.js';
import { accountListPage, helpBlocks } from '../../views/accounts.js';
import { listWebhooks } from '../../../engine/webhooks/operations.js';
import { webhooksModal } from '../../views/webhooks.js';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

const USAGE = 'Usage: `/cloud link [aws|eks|azure|m365|entra]`, `/cloud list [search words]`, `/cloud status <name>`, `/cloud org [management account]`, `/cloud rename <name>`, `/cloud delete <name>`, `/cloud subscriptions <azure account>`, `/cloud invite @colleague`, `/cloud webhooks`, `/cloud help`.';

/** `/cloud <subcommand>`: acknowledged before any store or cloud work, then answered. */
export const cloudCommand = (deps: SlackDeps) => async ({ command, ack, respond, client }: Args): Promise<void> => {
  // Slack HTML-escapes command text: "R&D" arrives as "R&amp;D". Work on what the person typed.
  const text = unesc(command.text).trim();
  const [sub = '', ...restWords] = text.split(/\s+/);
  const rest = text.slice(sub.length).trim();
  const ephemeral = async (message: string) => void (await respond({ response_type: 'ephemeral', text: message }));
  const actor = () => deps.actorFor(command.user_id, client, command.user_name);

  switch (sub.toLowerCase()) {
    case '':
    case 'help':
      return ack({ response_type: 'ephemeral', text: 'cloudlink help', blocks: helpBlocks() });
    case 'list': {
      await ack();
      // `/cloud list prod`: the words are one search (name, AWS account id, tenant id, id); page 1, then Previous/Next.
      const search = rest.slice(0, 200) || undefined;
      try {
        const page = accountListPage(await matchingAccounts(deps, await actor(), search), search ? { search } : {});
        return void (await respond({ response_type: 'ephemeral', text: page.text, blocks: page.blocks }));
      } catch (e) {
        return ephemeral(esc(userMessage(e, deps.log)));
      }
    }
    case 'link': {
      await ack();
      const want = restWords[0]?.toLowerCase();
      if (want && !PROVIDERS.includes(want as Provider)) return ephemeral(`I don't know "${esc(want.slice(0, 40))}". Choose one of: ${PROVIDERS.join(', ')}.`);
      const who = await actor();
      return openThenUpdate(client, command.trigger_id, 'Add cloud account', () => linkStep(deps, who, want as Provider | undefined), deps.log);
    }
    case 'org':
    case 'organization': {
      await ack();
      const who = await actor();
      return openThenUpdate(client, command.trigger_id, 'AWS organization', () => organizationStep(deps, who, rest || undefined), deps.log);
    }
    case 'rename':
    case 'delete':
    case 'subscriptions': {
      await ack();
      if (!rest) return ephemeral(`Which account? \`/cloud ${sub} <account name>\``);
      const who = await actor();
      const form = { rename: [renameForm, 'Rename account'], delete: [deleteForm, 'Delete account'], subscriptions: [subscriptionsForm, 'Subscriptions'] } as const;
      const [build, title] = form[sub.toLowerCase() as keyof typeof form];
      return openForm(client, command.trigger_id, title, () => build(deps, who, rest), deps.log);
    }
    case 'status': {
      await ack();
      if (!rest) return ephemeral('Which account? `/cloud status <account name>`');
      try {
        const r = await deps.engine.run(checkAccount, await actor(), { account: rest });
        const line = r.account.status === 'connected' ? `:large_green_circle: *${esc(r.account.name)}* is connected (checked just now).` : `:red_circle: *${esc(r.account.name)}* has a problem:\n${esc(r.account.lastError?.message ?? '')}`;
        return ephemeral([line, ...r.warnings.map((w) => `:hourglass: ${esc(w)}`)].join('\n'));
      } catch (e) {
        return ephemeral(esc(userMessage(e, deps.log)));
      }
    }
    case 'webhooks': {
      await ack();
      const who = await actor();
      return openForm(client, command.trigger_id, 'Webhooks', async () => webhooksModal((await deps.engine.run(listWebhooks, who, {})).webhooks), deps.log);
    }
    case 'invite': {
      await ack();
      const invitee = /<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>/.exec(rest)?.[1];
      const who = await actor();
      return openForm(client, command.trigger_id, 'Invite a colleague', () => inviteForm(deps, who, invitee), deps.log);
    }
    default:
      return ack({ response_type: 'ephemeral', text: `I don't know \`${esc(sub.slice(0, 40)).replace(/`/g, '')}\`. ${USAGE}` });
  }
};
