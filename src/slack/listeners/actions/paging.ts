import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { matchingAccounts } from '../../accounts.js';
import type { SlackDeps } from '../../deps.js';
import { userMessage } from '../../errors.js';
import { homeStateOf, publishHome, setHomeState } from '../../home.js';
import { openForm } from '../../modals.js';
import { esc } from '../../text.js';
import { metadata } from '../../values.js';
import { accountListPage, type ListCursor } from '../../views/accounts.js';
import { homeSearchModal } from '../../views/home.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Previous / Next under `/cloud list`: the page replaces the message in place (response_url, replace_original). */
export const listPage = (deps: SlackDeps) => async ({ ack, body, action, client, respond }: Args) => {
  await ack();
  const { o = 0, q } = metadata<ListCursor>({ private_metadata: action.value ?? '' });
  try {
    const accounts = await matchingAccounts(deps, await deps.actorFor(body.user.id, client, body.user.name), q);
    const page = accountListPage(accounts, { offset: Number(o) || 0, ...(q ? { search: q } : {}) });
    await respond({ replace_original: true, text: page.text, blocks: page.blocks });
  } catch (e) {
    await respond({ replace_original: true, text: esc(userMessage(e, deps.log)) });
  }
};

/** The App Home's Previous / Next: that person's page moves; their search stays. */
export const homePage = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  const state = { ...(await homeStateOf(deps, actor)), offset: Number(action.value) || 0 };
  await setHomeState(deps, actor, state);
  await publishHome(deps, client, body.user.id, state);
};

/** "Search" in App Home: a small form with that person's current search. */
export const homeSearch = (deps: SlackDeps) => async ({ ack, body, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await openForm(client, body.trigger_id, 'Search accounts', async () => homeSearchModal((await homeStateOf(deps, actor)).search), deps.log);
};

/** "Clear search": every account again, from the first page. */
export const homeSearchClear = (deps: SlackDeps) => async ({ ack, body, client }: Args) => {
  await ack();
  await setHomeState(deps, await deps.actorFor(body.user.id, client, body.user.name), { offset: 0 });
  await publishHome(deps, client, body.user.id, { offset: 0 });
};
