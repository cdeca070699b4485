import { roleArn, parseRoleArn } from './aws/arn.js';
import type { EngineContext } from './context.js';
import { CloudlinkError } from './errors.js';
import { nameOwner } from './lookup.js';
import { linkAwsRole } from './operations/complete-aws-setup.js';
import type { Actor, Database, Setup } from './schemas.js';

const WATCHER: Actor = { id: 'cloudlink-watcher', name: 'cloudlink watcher', via: 'system', role: 'admin' };

/**
 * Watches open AWS setups whose account id is known: tries the role the template creates and, once
 * the stack is done, completes the link by itself (as stax "listens" for the role). Each tick is one
 * AssumeRole per setup, without the propagation retry: the next tick is the retry.
 */
export class SetupWatcher {
  private timer?: NodeJS.Timeout;
  private running = false;
  private reported = new Set<string>();

  constructor(private readonly ctx: EngineContext) {}

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
    try {
      const now = this.ctx.now();
      const db = await this.ctx.store.read();
      await this.expireOld(db, now);
      const watched = db.setups.filter((s) => s.status === 'open' && s.aws?.accountId && Date.parse(s.expiresAt) > now.getTime());
      for (const setup of watched) {
        if (await this.try(setup, db)) completed.push(setup.id);
      }
    } catch (e) {
      this.ctx.log.warn('setup watcher pass failed', { error: e });
    } finally {
      this.running = false;
    }
    return completed;
  }

  private async try(setup: Setup, db: Readonly<Database>): Promise<boolean> {
    const s = setup.aws!;
    const arn = parseRoleArn(roleArn(s.partition, s.accountId!, s.roleName));
    try {
      const actor = { ...WATCHER };
      await linkAwsRole(this.ctx, actor, setup, defaultName(db, setup), arn, 'watcher');
      this.ctx.log.info('watcher linked an account', { setupId: setup.id, awsAccountId: s.accountId });
      return true;
    } catch (e) {
      if (!(e instanceof CloudlinkError)) {
        this.ctx.log.warn('watcher could not check a setup', { setupId: setup.id, error: e });
        return false;
      }
      // Denied means "not there yet": keep quiet and try again next tick.
      if (e.code === 'ASSUME_ROLE_DENIED' || e.code === 'CLOUD_THROTTLED' || e.code === 'CLOUD_UNREACHABLE' || e.code === 'SETUP_CLOSED') return false;
      // Anything else needs a person (wrong account, trust policy without External ID…): say it once.
      const key = `${setup.id}:${e.code}`;
      if (!this.reported.has(key)) {
        this.reported.add(key);
        await this.ctx.store.mutate((d) => {
          const cur = d.setups.find((x) => x.id === setup.id);
          if (cur?.aws) {
            cur.aws.lastWatchAt = this.ctx.now().toISOString();
            cur.aws.lastWatchError = e.message;
          }
        });
        this.ctx.events.emit('setup.watch_failed', { setup, message: e.message });
      }
      return false;
    }
  }

  private async expireOld(db: Readonly<Database>, now: Date) {
    const stale = db.setups.filter((s) => s.status === 'open' && Date.parse(s.expiresAt) <= now.getTime()).map((s) => s.id);
    const staleInvites = db.invites.filter((i) => (i.status === 'pending' || i.status === 'accepted') && Date.parse(i.expiresAt) <= now.getTime()).map((i) => i.id);
    if (!stale.length && !staleInvites.length) return;
    await this.ctx.store.mutate((d) => {
      for (const s of d.setups) if (stale.includes(s.id) && s.status === 'open') s.status = 'expired';
      for (const i of d.invites) if (staleInvites.includes(i.id) && (i.status === 'pending' || i.status === 'accepted')) i.status = 'expired';
    });
  }
}

/** The setup's own name, or "AWS 123456789012", made unique if someone already took it. */
function defaultName(db: Readonly<Database>, setup: Setup): string {
  const base = setup.name ?? `${setup.provider === 'eks' ? 'EKS' : 'AWS'} ${setup.aws!.accountId}`;
  let name = base;
  for (let n = 2; nameOwner(db, name); n++) name = `${base} (${n})`;
  return name;
}
