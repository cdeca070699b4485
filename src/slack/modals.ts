import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';
import { userMessage } from './errors.js';
import { errorView } from './views/blocks.js';
import { progressView } from './views/link.js';

/**
 * A trigger_id is good for 3 seconds: open a loading modal at once, then fill it in, so slow work
 * (a cloud call, a big store) never loses the modal.
 */
export async function openThenUpdate(client: WebClient, triggerId: string, title: string, build: () => Promise<View>, log: Logger) {
  const opened = await client.views.open({ trigger_id: triggerId, view: progressView(title, ':hourglass_flowing_sand: One moment…') });
  await updateFrom(client, opened.view?.id, title, build, log);
}

/** Replaces a modal (the one a button was clicked in, or one acknowledged with a "working…" view). */
export async function updateFrom(client: WebClient, viewId: string | undefined, title: string, build: () => Promise<View>, log: Logger) {
  let view: View;
  try {
    view = await build();
  } catch (e) {
    view = errorView(title, userMessage(e, log));
  }
  if (viewId) await client.views.update({ view_id: viewId, view });
}

/** Opens a form at once when it is quick to build (a store read): the form, or why it cannot be opened. */
export async function openForm(client: WebClient, triggerId: string, title: string, build: () => Promise<View>, log: Logger) {
  let view: View;
  try {
    view = await build();
  } catch (e) {
    view = errorView(title, userMessage(e, log));
  }
  await client.views.open({ trigger_id: triggerId, view });
}

/**
 * A form opened from a button: on top of the modal the button is in (views.push), or as a new modal
 * from a message or App Home. Like openForm, the form or why it cannot be opened.
 */
export async function openOrPushForm(client: WebClient, triggerId: string, inModal: boolean, title: string, build: () => Promise<View>, log: Logger) {
  let view: View;
  try {
    view = await build();
  } catch (e) {
    view = errorView(title, userMessage(e, log));
  }
  if (inModal) await client.views.push({ trigger_id: triggerId, view });
  else await client.views.open({ trigger_id: triggerId, view });
}
