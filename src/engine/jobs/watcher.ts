import type { EngineCore } from '../context.js';
import { CloudlinkError } from '../errors.js';
import type { Setup } from '../domain/records.js';
import { enqueue, recipientOf } from '../outbox.js';
import { PUBLIC_READER, setupView } from '../views.js';

/** Answers that mean "not there yet": stay quiet, the next tick is the retry. */
const NOT_YET = new Set(['ASSUME_ROLE_DENIED', 'CLOUD_THROTTLED', 'CLOUD_UNREACHABLE', 'SETUP_CLOSED']);
/** Answers that come after AWS let cloudlink in: only then did cloudlink find the role. */
const ROLE_FOUND = new Set(['EXTERNAL_ID_NOT_ENFORCED', 'ACCOUNT_MISMATCH', 'NOT_ORGANIZATION_MANAGEMENT']);

/** What happened, said as it is: cloudlink only claims to have found a role when AWS let it in. */
export function watchHeadline(code: string): string {
  if (ROLE_FOUND.has(code)) return 'cloudlink found the role for your setup but could not link it';
  if (code === 'PLATFORM_NOT_CONFIGURED') return 'cloudlink cannot look for the role of your setup yet';
  return 'cloudlink could not finish your setup by itself';
}

/**
 * Finishes open setups by themselves (as stax "listens" for the role): each tick asks the family of
 * every open setup to try once, and expires setups and invites past their time. A problem that needs a
 * person is told to whoever started the setup, once per distinct problem.
 */
export class SetupWatcher {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(private readonly core: EngineCore) {}

  start(intervalMs: number) {
    this.stop();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass over the open setups. Returns the ids of setups it completed. */
  async tick(): Promise<string[]> {
    if (this.running) return [];
    this.running = true;
    const completed: string[] = [];
    let told = false;
    let outcome: 'ok' | 'error' = 'ok';
    const t0 = performance.now();
    try {
      const now = this.core.now();
      const db = await this.core.store.read();
      await this.expireOld(db.setups, now);
      const open = db.setups.filter((s) => s.status === 'open' && Date.parse(s.expiresAt) > now.getTime());
      for (const setup of open) {
        const family = this.core.families.of(setup.provider);
        if (!family.finishWatched) continue;
        try {
          if (await family.finishWatched(this.core, setup)) completed.push(setup.id);
        } catch (e) {
          told = (await this.report(setup, e)) || told;
        }
      }
    } catch (e) {
      outcome = 'error';
      this.core.log.warn('setup watcher pass failed', { error: e });
    } finally {
      this.running = false;
      this.core.meter?.job('watcher', outcome, performance.now() - t0);
    }
    if (completed.length) this.core.log.info('watcher linked accounts', { setupIds: completed });
    // A link (or a problem) was written with news for people: deliver what this process can reach now.
    if (completed.length || told) this.core.events.emit('outbox.enqueued');
    return completed;
  }

  /** Records a problem that needs a person; says whether someone was told. */
  private async report(setup: Setup, e: unknown): Promise<boolean> {
    if (!(e instanceof CloudlinkError)) {
      this.core.log.warn('watcher could not check a setup', { setupId: setup.id, error: e });
      return false;
    }
    if (NOT_YET.has(e.code)) return false;
    return this.core.store.mutate((db) => {
      const cur = db.setups.find((x) => x.id === setup.id);
      if (!cur || cur.lastWatchError === e.message) return false;
      cur.lastWatchAt = this.core.now().toISOString();
      cur.lastWatchError = e.message;
      const to = recipientOf(cur.createdBy);
      if (to) enqueue(db, this.core.now(), to, { kind: 'setup_needs_attention', setup: setupView(this.core, cur, db, PUBLIC_READER), headline: watchHeadline(e.code), message: e.message });
      return Boolean(to);
    });
  }

  private async expireOld(setups: readonly Setup[], now: Date) {
    const db = await this.core.store.read();
    const late = (at: string) => Date.parse(at) <= now.getTime();
    if (!setups.some((s) => s.status === 'open' && late(s.expiresAt)) && !db.invites.some((i) => (i.status === 'pending' || i.status === 'accepted') && late(i.expiresAt))) return;
    await this.core.store.mutate((d) => {
      for (const s of d.setups) if (s.status === 'open' && late(s.expiresAt)) s.status = 'expired';
      for (const i of d.invites) if ((i.status === 'pending' || i.status === 'accepted') && late(i.expiresAt)) i.status = 'expired';
    });
  }
}
