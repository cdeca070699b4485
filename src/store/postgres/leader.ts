import { hostname } from 'node:os';
import pg from 'pg';
import type { Logger } from '../../log.js';

/** The advisory lock the leader holds, on a connection of its own, for as long as it leads. */
export const LEADER_LOCK = 0x636c6c64; // "clld"

export type Leadership = {
  /** Whether this instance runs the background work now. */
  readonly leading: boolean;
  readonly holder: string;
  stop(): Promise<void>;
};

/**
 * Background work once across instances: the instance that holds a session-level advisory lock on a
 * dedicated connection is the leader and runs it; the others try every `retryMs`. When the leader's
 * process dies, PostgreSQL drops its connection and the lock with it, and another instance takes over
 * at its next try (within `retryMs`; a host that vanishes without closing its connection is noticed by
 * TCP keepalive first). A leader that loses its connection stops its work at once.
 */
export function lead(url: string, opts: { retryMs?: number; log?: Logger; start(): void; stop(): Promise<void> }): Leadership {
  const retryMs = opts.retryMs ?? 5000;
  const holder = `${hostname()}:${process.pid}`;
  let client: pg.Client | undefined;
  let leading = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const lose = async (why: string) => {
    if (!leading) return;
    leading = false;
    opts.log?.warn('no longer the leader: background work stops here', { why });
    await opts.stop().catch(() => undefined);
  };

  const attempt = async () => {
    if (stopped || leading) return;
    try {
      if (!client) {
        const c = new pg.Client({ connectionString: url, keepAlive: true, keepAliveInitialDelayMillis: 10_000, application_name: 'cloudlink-leader' });
        c.on('error', (e) => {
          client = undefined;
          void lose(`connection lost (${(e as Error).message})`);
        });
        c.on('end', () => {
          client = undefined;
          void lose('connection closed');
        });
        await c.connect();
        client = c;
      }
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK]);
      if (rows[0]?.ok && !stopped) {
        leading = true;
        await client.query('INSERT INTO cloudlink_leader (name, holder, since) VALUES ($1, $2, now()) ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, since = EXCLUDED.since', ['background', holder]).catch(() => undefined);
        opts.log?.info('this instance leads: it runs the background work', { holder });
        opts.start();
      }
    } catch (e) {
      opts.log?.debug('leader election attempt failed', { error: e });
      await client?.end().catch(() => undefined);
      client = undefined;
    }
  };

  void attempt();
  timer = setInterval(() => void attempt(), retryMs);
  timer.unref();

  return {
    get leading() {
      return leading;
    },
    holder,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      if (leading) {
        leading = false;
        await opts.stop().catch(() => undefined);
      }
      // Closing the connection releases the lock: the next instance takes over at its next try.
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
