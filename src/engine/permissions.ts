import { CloudlinkError } from './errors.js';
import type { EngineSettings } from './context.js';
import type { Actor } from './domain/records.js';

export type Permission = 'read' | 'link' | 'invite' | 'rename' | 'delete' | 'check' | 'subscriptions' | 'credentials' | 'webhooks';

const ADMIN_ONLY: ReadonlySet<Permission> = new Set(['rename', 'delete', 'subscriptions', 'webhooks']);
const WHAT: Record<Permission, string> = {
  read: 'view accounts',
  link: 'link accounts',
  invite: 'invite colleagues',
  rename: 'rename accounts',
  delete: 'delete accounts',
  check: 'check accounts',
  subscriptions: 'change Azure subscriptions',
  credentials: 'get cloud credentials or access tokens for linked accounts',
  webhooks: 'manage webhooks',
};

/**
 * Someone on the web invite pages holds an invite link and nothing else: no role grants them anything,
 * so the pages can show nothing but that invite. Only operations that admit them by name (alsoAllowed:
 * the invite-link operations, which check the link; their own invited setup) run for them.
 */
export const isLinkHolder = (actor: Actor) => actor.via === 'web' && actor.role !== 'admin';

/** Who may do what is decided here, never in a front end. */
export function can(actor: Actor, permission: Permission, settings: EngineSettings): boolean {
  if (isLinkHolder(actor)) return false;
  if (actor.role === 'admin') return true;
  if (ADMIN_ONLY.has(permission)) return false;
  // A vended credential acts in the customer's cloud: admins only, unless the operator opens it to members.
  if (permission === 'credentials') return settings.credentials?.members === true;
  if ((permission === 'link' || permission === 'invite') && !settings.membersCanLink) return false;
  return true;
}

export function requirePermission(actor: Actor, permission: Permission, settings: EngineSettings) {
  if (!can(actor, permission, settings)) {
    if (isLinkHolder(actor)) throw new CloudlinkError('FORBIDDEN', 'An invite link lets you finish the one setup it was sent for, nothing more. Ask the person who invited you if you need anything else.');
    throw new CloudlinkError(
      'FORBIDDEN',
      `Sorry, only cloudlink admins may ${WHAT[permission]}. Ask an admin to do it, or to make you an admin.`,
    );
  }
}
