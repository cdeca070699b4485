import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { withProgressMessage } from '../../src/slack/progress.js';

/** A Web API client that keeps what it was asked: one post, then updates of that message. */
function recordingClient() {
  const calls: { method: string; at: number; args: Record<string, any> }[] = [];
  const client = {
    chat: {
      postMessage: async (args: Record<string, any>) => {
        calls.push({ method: 'post', at: Date.now(), args });
        return { ok: true, channel: 'D123', ts: '1700000000.000100' };
      },
      update: async (args: Record<string, any>) => {
        calls.push({ method: 'update', at: Date.now(), args });
        return { ok: true };
      },
    },
  };
  return { calls, client: client as never };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the progress message', () => {
  it('is posted once and updated in place, throttled, newest progress first, the result last', async () => {
    const { calls, client } = recordingClient();
    await withProgressMessage(client, silentLogger, {
      channel: 'U1',
      title: 'Linking',
      failedTitle: 'Could not link.',
      everyMs: 100,
      run: async (progress) => {
        for (let i = 1; i <= 40; i++) {
          progress(i, 40, `${i} of 40 checked`);
          await sleep(10);
        }
        return 'done';
      },
      done: (out) => ({ text: out, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `result: ${out}` } }] }),
    });
    expect(calls.filter((c) => c.method === 'post')).toHaveLength(1);
    const updates = calls.filter((c) => c.method === 'update');
    for (const u of updates) expect(u.args).toMatchObject({ channel: 'D123', ts: '1700000000.000100' });
    // About 400 ms of progress at most once per 100 ms: a handful of updates, not 40.
    const progress = updates.slice(0, -1);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.at - progress[i - 1]!.at).toBeGreaterThanOrEqual(90);
    expect(JSON.stringify(updates.at(-1)!.args.blocks)).toContain('result: done');
  });

  it('ends with the error, escaped, when the operation fails', async () => {
    const { calls, client } = recordingClient();
    const { CloudlinkError } = await import('../../src/engine/errors.js');
    await withProgressMessage(client, silentLogger, {
      channel: 'U1',
      title: 'Resyncing',
      failedTitle: 'Could not resync.',
      run: async () => {
        throw new CloudlinkError('NOT_FOUND', 'No organization <b> & such.');
      },
      done: () => ({ text: '', blocks: [] }),
    });
    const last = calls.at(-1)!;
    expect(last.method).toBe('update');
    expect(last.args.blocks[0].text.text).toBe(':x: *Could not resync.*\nNo organization &lt;b&gt; &amp; such.');
  });
});
