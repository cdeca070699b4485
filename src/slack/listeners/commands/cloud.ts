import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { PROVIDERS, type Provider } from '../../../engine/schemas.js';
import type { SlackDeps } from '../../deps.js';
import { userMessage } from '../../errors.js';
import { openThenUpdate } from '../../modals.js';
import { accountListBlocks, helpBlocks } from '../../views/accounts.js';
import { errorView } from '../../views/blocks.js';
import { inviteModal } from '../../views/invite.js';
import { deleteModal, renameModal } from '../../views/manage.js';
import { linkStep } from '../actions/link-provider.js';
import { subscriptionsModalFor } from '../actions/subscriptions.js';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

const USAGE = 'Usage: `/cloud link [aws|eks|azure|m365|entra]`, `/cloud list`, `/cloud status <name>`, `/cloud rename <name>`, `/cloud delete <name>`, `/cloud subscriptions <azure account>`, `/cloud invite @colleague`, `/cloud help`.';

/** `/cloud <subcommand>`: acknowledged before any store or cloud work, then answered. */
export const cloudCommand = (deps: SlackDeps) => async (args: Args): Promise<void> => {
  await handleCloud(deps, args);
};

async function handleCloud(deps: SlackDeps, { command, ack, respond, client }: Args): Promise<unknown> {
  const text = command.text.trim();
  const [sub = '', ...restWords] = text.split(/\s+/);
  const rest = text.slice(sub.length).trim();
  const ephemeral = (message: string) => respond({ response_type: 'ephemeral', text: message });

  switch (sub.toLowerCase()) {
    case '':
    case 'help':
      return ack({ response_type: 'ephemeral', text: 'cloudlink help', blocks: helpBlocks() });
    case 'list': {
      await ack();
      const actor = await deps.actorFor(command.user_id, client, command.user_name);
      try {
        const { accounts } = await deps.engine.listAccounts(actor, {});
        return respond({ response_type: 'ephemeral', text: `${accounts.length} linked account(s)`, blocks: accountListBlocks(accounts) });
      } catch (e) {
        return ephemeral(userMessage(e, deps.log));
      }
    }
    case 'link': {
      await ack();
      const want = restWords[0]?.toLowerCase();
      if (want && !PROVIDERS.includes(want as Provider)) return ephemeral(`I don't know "${want.slice(0, 40)}". Choose one of: ${PROVIDERS.join(', ')}.`);
      const actor = await deps.actorFor(command.user_id, client, command.user_name);
      return openThenUpdate(client, command.trigger_id, 'Add cloud account', () => linkStep(deps, actor, want as Provider | undefined), deps.log);
    }
    case 'rename':
    case 'delete':
    case 'subscriptions': {
      await ack();
      if (!rest) return ephemeral(`Which account? \`/cloud ${sub} <account name>\``);
      const actor = await deps.actorFor(command.user_id, client, command.user_name);
      const title = sub === 'rename' ? 'Rename account' : sub === 'delete' ? 'Delete account' : 'Subscriptions';
      try {
        // Checked before the modal opens, so nobody fills in a form only to be refused.
        const view =
          sub === 'rename'
            ? renameModal(await deps.engine.getAccount(actor, { account: rest }))
            : sub === 'delete'
              ? deleteModal(await deps.engine.prepareDelete(actor, { account: rest }))
              : await subscriptionsModalFor(deps, actor, rest);
        await client.views.open({ trigger_id: command.trigger_id, view });
      } catch (e) {
        await client.views.open({ trigger_id: command.trigger_id, view: errorView(title, userMessage(e, deps.log)) });
      }
      return;
    }
    case 'status': {
      await ack();
      if (!rest) return ephemeral('Which account? `/cloud status <account name>`');
      const actor = await deps.actorFor(command.user_id, client, command.user_name);
      try {
        const r = await deps.engine.checkAccount(actor, { account: rest });
        const line = r.account.status === 'connected' ? `:large_green_circle: *${r.account.name}* is connected (checked just now).` : `:red_circle: *${r.account.name}* has a problem:\n${r.account.lastError?.message ?? ''}`;
        return ephemeral([line, ...r.warnings.map((w) => `:hourglass: ${w}`)].join('\n'));
      } catch (e) {
        return ephemeral(userMessage(e, deps.log));
      }
    }
    case 'invite': {
      await ack();
      const invitee = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/.exec(rest)?.[1];
      const actor = await deps.actorFor(command.user_id, client, command.user_name);
      const { accounts } = await deps.engine.listAccounts(actor, { provider: 'aws' });
      await client.views.open({ trigger_id: command.trigger_id, view: inviteModal({ invitee, hasManagement: accounts.some((a) => a.aws?.kind === 'management') }) });
      return;
    }
    default:
      return ack({ response_type: 'ephemeral', text: `I don't know \`${sub.slice(0, 40).replace(/[<>&`]/g, '')}\`. ${USAGE}` });
  }
}
