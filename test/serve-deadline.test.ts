import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';

/**
 * serve's stop is bounded: a part of the service that never finishes stopping must not keep the process
 * (and a deploy, or a person at the terminal) waiting. The service is a stand-in here whose stop never
 * ends; the signal handlers serve installs are called as the signal would.
 */
const compose = vi.hoisted(() => ({ stop: (): Promise<void> => new Promise(() => undefined), inFlight: 0, pending: undefined as string | undefined }));
vi.mock('../src/compose.js', () => ({
  composeService: async () => ({
    log: silentLogger,
    lines: [],
    engine: { inFlight: () => compose.inFlight },
    slack: { summary: 'x', pending: () => compose.pending },
    stop: () => compose.stop(),
  }),
}));

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function serveAndSignal(env: Record<string, string>) {
  const handlers = new Map<string, (signal: NodeJS.Signals) => void>();
  vi.spyOn(process, 'on').mockImplementation(((event: string, fn: (signal: NodeJS.Signals) => void) => {
    handlers.set(event, fn);
    return process;
  }) as typeof process.on);
  const exits: number[] = [];
  vi.spyOn(process, 'exit').mockImplementation(((code: number) => void exits.push(code)) as typeof process.exit);
  const stderr: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => stderr.push(String(chunk)) > 0) as typeof process.stderr.write);
  vi.useFakeTimers();
  const { serve } = await import('../src/serve.js');
  await serve(loadConfig(env));
  handlers.get('SIGTERM')!('SIGTERM');
  return { exits, stderr };
}

describe('serve stopping', () => {
  it('exits 1 CLOUDLINK_DRAIN_SECONDS plus 5 s after the signal when stopping does not finish, saying what was still open', async () => {
    compose.stop = () => new Promise(() => undefined);
    compose.inFlight = 1;
    compose.pending = 'Slack Socket Mode was still connecting';
    const { exits, stderr } = await serveAndSignal({ CLOUDLINK_DRAIN_SECONDS: '2' });
    await vi.advanceTimersByTimeAsync(6_900);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(exits).toEqual([1]);
    expect(stderr.join('')).toContain(
      'cloudlink: did not stop within 7 s of SIGTERM (CLOUDLINK_DRAIN_SECONDS=2 plus 5 s): 1 operation was still running; Slack Socket Mode was still connecting. Exiting without it (exit code 1).',
    );
  });

  it('exits 0 once stopping finishes, and the bound does not fire afterwards', async () => {
    compose.stop = () => new Promise((r) => setTimeout(r, 1000));
    compose.inFlight = 0;
    compose.pending = undefined;
    const { exits, stderr } = await serveAndSignal({ CLOUDLINK_DRAIN_SECONDS: '0' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(exits).toEqual([0]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(exits).toEqual([0]);
    expect(stderr.join('')).not.toMatch(/did not stop/);
  });

  it('exits 1 with what failed when stopping fails', async () => {
    compose.stop = () => Promise.reject(new Error('the store could not be closed'));
    const { exits, stderr } = await serveAndSignal({});
    await vi.advanceTimersByTimeAsync(0);
    expect(exits).toEqual([1]);
    expect(stderr.join('')).toContain('cloudlink: could not stop cleanly (the store could not be closed); exiting (exit code 1).');
  });
});
