import { CloudlinkError } from './errors.js';
import type { EngineSettings } from './context.js';
import type { Actor } from './domain/records.js';

export type Permission = 'read' | 'link' | 'invite' | 'rename' | 'delete' | 'check' | 'subscriptions';

const ADMIN_ONLY: ReadonlySet<Permission> = new Set(['rename', 'delete', 'subscriptions']);
const WHAT: Record<Permission, string> = {
  read: 'view accounts',
  link: 'link accounts',
  invite: 'invite colleagues',
  rename: 'rename accounts',
  delete: 'delete accounts',
  check: 'check accounts',
  subscriptions: 'change Azure subscriptions',
};

/** Who may do what is decided here, never in a front end. */
export function can(actor: Actor, permission: Permission, settings: EngineSettings): boolean {
  if (actor.role === 'admin') return true;
  if (ADMIN_ONLY.has(permission)) return false;
  if ((permission === 'link' || permission === 'invite') && !settings.membersCanLink) return false;
  return true;
}

export function requirePermission(actor: Actor, permission: Permission, settings: EngineSettings) {
  if (!can(actor, permission, settings)) {
    throw new CloudlinkError(
      'FORBIDDEN',
      `Sorry, only cloudlink admins may ${WHAT[permission]}. Ask an admin to do it, or to make you an admin.`,
    );
  }
}
