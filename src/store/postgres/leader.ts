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
 * at its next try (within `retryMs`). A leader that cannot close its connection (a frozen process, a
 * host cut off the network) is noticed by the server: the leader pings every `retryMs`, and its session
 * has `idle_session_timeout` at three pings, so the server ends it and frees the lock after at most
 * 3 × `retryMs` of silence; another instance leads within 4 × `retryMs`. A leader whose ping fails stops
 * its work at once.
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
    if (stopped) return;
    if (leading) {
      // The heartbeat that keeps the server's idle timeout from ending this session.
      await client?.query('SELECT 1').catch((e: Error) => lose(`heartbeat failed (${e.message})`));
      return;
    }
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
        // Stopped while connecting (a service stopping during start-up): this connection is nobody's.
        if (stopped) {
          await c.end().catch(() => undefined);
          return;
        }
        // PostgreSQL 14+; older servers keep the lock until TCP keepalive notices a dead peer.
        await c.query(`SET idle_session_timeout = ${Math.round(retryMs * 3)}`).catch(() => undefined);
        client = c;
      }
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK]);
      if (stopped) {
        // Stopped while asking: whatever was taken goes with the connection.
        await client?.end().catch(() => undefined);
        client = undefined;
        return;
      }
      if (rows[0]?.ok) {
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
