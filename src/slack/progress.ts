import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';
import { userMessage } from './errors.js';
import { failedMessage, progressMessage } from './views/organization.js';

type Message = { text: string; blocks: KnownBlock[] };
export type Progress = (done: number, total: number, message: string) => void;

/**
 * A long operation reported in ONE message in the person's DM: posted when it starts, updated in
 * place (chat.update with its ts) as progress arrives, at most once per `everyMs` (the newest progress
 * wins; what comes in between is skipped), and finally replaced by the result or by the engine's
 * error. If the first post fails the result is still posted at the end.
 */
export async function withProgressMessage<T>(
  client: Pick<WebClient, 'chat'>,
  log: Logger,
  opts: { channel: string; title: string; failedTitle: string; everyMs?: number; run: (progress: Progress) => Promise<T>; done: (out: T) => Message },
): Promise<void> {
  const everyMs = opts.everyMs ?? 1000;
  const first = progressMessage(opts.title);
  let where: { channel: string; ts: string } | undefined;
  try {
    const posted = await client.chat.postMessage({ channel: opts.channel, text: first.text, blocks: first.blocks });
    if (posted.channel && posted.ts) where = { channel: posted.channel, ts: posted.ts };
  } catch (e) {
    log.warn('could not post the progress message; the result will be posted at the end', { error: e });
  }
  let last = Date.now();
  let pending: { done: number; total: number; message: string } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Updates go out one after another, in order: the final one is never overtaken by a late progress one.
  let chain: Promise<void> = Promise.resolve();
  const update = (m: Message) => {
    if (!where) return;
    const at = where;
    chain = chain.then(async () => {
      try {
        await client.chat.update({ ...at, text: m.text, blocks: m.blocks });
      } catch (e) {
        log.warn('could not update the progress message', { error: e });
      }
    });
  };
  const flush = () => {
    timer = undefined;
    if (!pending) return;
    const p = pending;
    pending = undefined;
    last = Date.now();
    update(progressMessage(opts.title, p));
  };
  const progress: Progress = (done, total, message) => {
    pending = { done, total, message };
    if (timer) return;
    const wait = last + everyMs - Date.now();
    if (wait <= 0) flush();
    else timer = setTimeout(flush, wait);
  };

  let final: Message;
  try {
    final = opts.done(await opts.run(progress));
  } catch (e) {
    final = failedMessage(opts.failedTitle, userMessage(e, log));
  }
  if (timer) clearTimeout(timer);
  timer = undefined;
  pending = undefined;
  await chain;
  if (where) {
    try {
      await client.chat.update({ ...where, text: final.text, blocks: final.blocks });
      return;
    } catch (e) {
      log.warn('could not update the progress message with the result; posting it instead', { error: e });
    }
  }
  await client.chat.postMessage({ channel: opts.channel, text: final.text, blocks: final.blocks }).catch((e) => log.warn('could not post the result', { error: e }));
}
