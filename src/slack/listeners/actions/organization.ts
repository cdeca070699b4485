import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../../engine/domain/records.js';
import { linkOrganization, resyncOrganization } from '../../../engine/families/aws/organization/operations.js';
import { getAccount } from '../../../engine/operations/accounts.js';
import type { SlackDeps } from '../../deps.js';
import { userMessage } from '../../errors.js';
import { organizationStep, organizationUnlinkForm } from '../../flows.js';
import { openOrPushForm, openThenUpdate, updateFrom } from '../../modals.js';
import { withProgressMessage } from '../../progress.js';
import { esc } from '../../text.js';
import { errorView } from '../../views/blocks.js';
import { progressView } from '../../views/link.js';
import { organizationLinkedMessage, organizationResyncedMessage } from '../../views/organization.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
const TITLE = 'AWS organization';
const inModal = (body: Args['body']) => body.view?.type === 'modal' && Boolean(body.view.id);

/** "Show organization" (a result message, the chooser): the organization's view, in the modal it was clicked in or a new one. */
export const organizationOpen = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  const build = () => organizationStep(deps, actor, action.value ?? '');
  if (inModal(body)) return updateFrom(client, body.view!.id, TITLE, build, deps.log);
  return openThenUpdate(client, body.trigger_id, TITLE, build, deps.log);
};

/** "Whole organization" in the AWS account-type chooser: the /cloud org flow, in the same modal. */
export const linkOrganizationChoice = (deps: SlackDeps) => async ({ ack, body, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await updateFrom(client, body.view?.id, TITLE, () => organizationStep(deps, actor), deps.log);
};

/** The modal the button was in, brought up to date at the end; it may have been closed meanwhile. */
async function refreshModal(deps: SlackDeps, client: WebClient, body: Args['body'], actor: Actor, ref: string) {
  if (!inModal(body)) return;
  try {
    await updateFrom(client, body.view!.id, TITLE, () => organizationStep(deps, actor, ref), deps.log);
  } catch (e) {
    deps.log.debug('the organization modal was closed before the result', { error: e });
  }
}

type Long<T> = {
  def: typeof linkOrganization | typeof resyncOrganization;
  input(ref: string): Record<string, string>;
  title(name: string): string;
  failed(name: string): string;
  run(deps: SlackDeps, actor: Actor, input: Record<string, string>, progress: (done: number, total: number, message: string) => void): Promise<T>;
  done(out: T): { text: string; blocks: import('@slack/types').KnownBlock[] };
};

/**
 * A long organization operation from a button: acknowledged at once, refused in the modal when the
 * engine says no, otherwise run with ONE progress message in the person's DM, updated in place.
 */
async function runLong<T>(deps: SlackDeps, { ack, body, action, client }: Args, long: Long<T>) {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  const ref = action.value ?? '';
  const input = long.input(ref);
  let name: string;
  try {
    await deps.engine.precheck(long.def, actor, input);
    name = esc((await deps.engine.run(getAccount, actor, { account: ref })).account.name);
  } catch (e) {
    const message = userMessage(e, deps.log);
    if (inModal(body)) await client.views.update({ view_id: body.view!.id, view: errorView(TITLE, message) });
    else await client.chat.postMessage({ channel: body.user.id, text: `:warning: ${esc(message)}` });
    return;
  }
  const title = long.title(name);
  if (inModal(body)) {
    await client.views
      .update({ view_id: body.view!.id, view: progressView(TITLE, `:hourglass_flowing_sand: ${title}… The progress and the result are in your messages from cloudlink; you can close this.`) })
      .catch((e) => deps.log.debug('the organization modal was closed', { error: e }));
  }
  await withProgressMessage(client, deps.log, {
    channel: body.user.id,
    title,
    failedTitle: long.failed(name),
    ...(deps.progressEveryMs !== undefined ? { everyMs: deps.progressEveryMs } : {}),
    run: (progress) => long.run(deps, actor, input, progress),
    done: long.done,
  });
  await refreshModal(deps, client, body, actor, ref);
}

/** "Link the whole organization". */
export const organizationLink = (deps: SlackDeps) => async (args: Args) =>
  runLong(deps, args, {
    def: linkOrganization,
    input: (ref) => ({ managementAccount: ref }),
    title: (name) => `Linking the organization of ${name}`,
    failed: (name) => `Could not link the organization of ${name}.`,
    run: (d, actor, input, progress) => d.engine.run(linkOrganization, actor, input, { progress }),
    done: organizationLinkedMessage,
  });

/** "Resync now". */
export const organizationResync = (deps: SlackDeps) => async (args: Args) =>
  runLong(deps, args, {
    def: resyncOrganization,
    input: (ref) => ({ organization: ref }),
    title: (name) => `Resyncing the organization of ${name}`,
    failed: (name) => `Could not resync the organization of ${name}.`,
    run: (d, actor, input, progress) => d.engine.run(resyncOrganization, actor, input, { progress }),
    done: organizationResyncedMessage,
  });

/** "Unlink organization": the typed-name form, on top of the organization's modal; refused before it opens to members. */
export const organizationUnlink = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await openOrPushForm(client, body.trigger_id, inModal(body), 'Unlink organization', () => organizationUnlinkForm(deps, actor, action.value ?? ''), deps.log);
};
