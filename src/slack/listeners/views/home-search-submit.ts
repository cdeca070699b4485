import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { publishHome, setHomeState } from '../../home.js';
import { inputValue } from '../../values.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** The App Home search submitted: the modal closes and that person's home shows the first page of what matches. */
export const homeSearchSubmit = (deps: SlackDeps) => async ({ ack, body, view, client }: Args) => {
  await ack();
  const search = inputValue(view, 'search');
  const state = { offset: 0, ...(search ? { search } : {}) };
  await setHomeState(deps, await deps.actorFor(body.user.id, client, body.user.name), state);
  await publishHome(deps, client, body.user.id, state);
};
