import type { AllMiddlewareArgs, BlockAction, ButtonAction, PlainTextInputAction, SlackActionMiddlewareArgs, SlackOptionsMiddlewareArgs, StaticSelectAction } from '@slack/bolt';
import { listAzureSubscriptions } from '../../../engine/families/azure/operations.js';
import type { SlackDeps } from '../../deps.js';
import { subscriptionsForm } from '../../flows.js';
import { updateFrom } from '../../modals.js';
import { clip } from '../../text.js';
import { metadata } from '../../values.js';
import { groupLabel, type ChooserMetadata, type ChooserState } from '../../views/subscriptions.js';

type Button = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
const TITLE = 'Azure subscriptions';

/** "Refresh from Azure" inside the modal: re-reads the tenant (new ones under a group chosen whole join, vanished ones are flagged). */
export const subscriptionsRefresh = (deps: SlackDeps) => async ({ ack, body, action, client }: Button) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  const { accountId, ...state } = metadata<ChooserMetadata>(body.view ?? {});
  await updateFrom(client, body.view?.id, TITLE, () => subscriptionsForm(deps, actor, accountId ?? action.value ?? '', true, { o: 0, ...(state.q ? { q: state.q } : {}), ...(state.g ? { g: state.g } : {}) }), deps.log);
};

/** Browsing a large tenant: the modal is rebuilt at the new page, search or group (what was typed or picked in the inputs stays). */
async function browse(deps: SlackDeps, body: BlockAction, client: Button['client'], next: (state: ChooserState) => ChooserState) {
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  const { accountId = '', ...state } = metadata<ChooserMetadata>(body.view ?? {});
  await updateFrom(client, body.view?.id, TITLE, () => subscriptionsForm(deps, actor, accountId, false, next({ o: Number(state.o) || 0, ...(state.q ? { q: state.q } : {}), ...(state.g ? { g: state.g } : {}) })), deps.log);
}

/** ← Previous / Next → under the browsed list. */
export const subscriptionsPage = (deps: SlackDeps) => async ({ ack, body, action, client }: Button) => {
  await ack();
  const cursor = metadata<ChooserState>({ private_metadata: action.value ?? '' });
  await browse(deps, body, client, () => ({ o: Number(cursor.o) || 0, ...(cursor.q ? { q: cursor.q } : {}), ...(cursor.g ? { g: cursor.g } : {}) }));
};

/** Enter in "Browse: search the list": the first page of what matches. */
export const subscriptionsSearch = (deps: SlackDeps) => async ({ ack, body, action, client }: SlackActionMiddlewareArgs<BlockAction<PlainTextInputAction>> & AllMiddlewareArgs) => {
  await ack();
  const q = (action.value ?? '').trim().slice(0, 200);
  await browse(deps, body, client, (s) => ({ o: 0, ...(q ? { q } : {}), ...(s.g ? { g: s.g } : {}) }));
};

/** The group filter of the browsed list. */
export const subscriptionsFilter = (deps: SlackDeps) => async ({ ack, body, action, client }: SlackActionMiddlewareArgs<BlockAction<StaticSelectAction>> & AllMiddlewareArgs) => {
  await ack();
  const g = action.selected_option?.value;
  await browse(deps, body, client, (s) => ({ o: 0, ...(s.q ? { q: s.q } : {}), ...(g && g !== '*' ? { g } : {}) }));
};

type Options = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;
/** Slack shows at most 100 options per answer. */
const MAX_OPTIONS = 100;
/** What an "Add" or "Remove" option carries for a whole group (subscription ids never start like this). */
export const GROUP_VALUE = 'group:';

async function suggestions(deps: SlackDeps, args: Options, kind: 'add' | 'remove' | 'groups') {
  try {
    return await suggest(deps, args, kind);
  } catch (e) {
    deps.log.warn('could not suggest subscriptions', { error: e });
    return [];
  }
}

async function suggest(deps: SlackDeps, { body, client }: Options, kind: 'add' | 'remove' | 'groups') {
  const { accountId = '' } = metadata<ChooserMetadata>(body.view ?? {});
  const actor = await deps.actorFor(body.user.id, client);
  const q = body.value.trim().toLowerCase();
  const out = await deps.engine.run(listAzureSubscriptions, actor, { account: accountId, ...(q ? { search: q } : {}), limit: 10_000 });
  const groups = (q ? out.groups.filter((g) => g.displayName.toLowerCase().includes(q) || g.id.toLowerCase().includes(q)) : out.groups).filter((g) => g.subscriptions > 0 || kind === 'groups');
  if (kind === 'groups') return groups.slice(0, MAX_OPTIONS).map((g) => ({ text: { type: 'plain_text' as const, text: groupLabel(g) }, value: g.id }));
  // Groups come first (a few), then the subscriptions that the change would change.
  const groupOptions = groups
    .filter((g) => (kind === 'add' ? g.selected < g.subscriptions : g.selected > 0 && !g.followed && !g.coveredBy))
    .slice(0, 10)
    .map((g) => ({ text: { type: 'plain_text' as const, text: clip(`▸ All in ${g.displayName} (${kind === 'add' ? g.subscriptions - g.selected : g.selected})`, 75) }, value: `${GROUP_VALUE}${g.id}` }));
  // The list was searched by name and id; a group named by the search does not make every subscription a match.
  const subs = out.subscriptions.filter((s) => !s.missing && (kind === 'add' ? !s.selected : s.selected && !s.throughGroup));
  const subOptions = subs.slice(0, MAX_OPTIONS - groupOptions.length).map((s) => ({ text: { type: 'plain_text' as const, text: clip(s.displayName, 75) }, description: { type: 'plain_text' as const, text: clip(`${s.subscriptionId}${s.group ? ` · ${s.group.displayName}` : ''}`, 75) }, value: s.subscriptionId }));
  return [...groupOptions, ...subOptions];
}

/** "Add subscriptions": unselected ones matching what is typed, and groups with unselected ones. */
export const subscriptionsAddOptions = (deps: SlackDeps) => async (args: Options) => {
  await args.ack({ options: await suggestions(deps, args, 'add') });
};

/** "Remove subscriptions": selected ones (not those a group chosen whole covers), and groups with selected ones. */
export const subscriptionsRemoveOptions = (deps: SlackDeps) => async (args: Options) => {
  await args.ack({ options: await suggestions(deps, args, 'remove') });
};

/** "Everything under these management groups" beyond 100 groups. */
export const subscriptionsGroupOptions = (deps: SlackDeps) => async (args: Options) => {
  await args.ack({ options: await suggestions(deps, args, 'groups') });
};
