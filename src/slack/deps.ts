import type { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Engine } from '../engine/engine.js';
import type { Actor } from '../engine/domain/records.js';
import type { Logger } from '../log.js';

/** What every listener needs; passed in, so each listener is a plain function a test can call. */
export type SlackDeps = {
  engine: Engine;
  log: Logger;
  actorFor(userId: string, client: WebClient, name?: string): Promise<Actor>;
  /** How often a progress message is updated at most (1 s by default). */
  progressEveryMs?: number;
  /**
   * Whether this instance keeps App Homes current. With several instances on one store only the one
   * that leads does (it hears every instance's changes), so each home is published once per change.
   */
  refreshesHomes?: () => boolean;
};

/** Roles come from configuration (CLOUDLINK_SLACK_ADMINS) and, if enabled, Slack's workspace admins. */
export function actorResolver(config: Pick<Config, 'CLOUDLINK_SLACK_ADMINS' | 'CLOUDLINK_SLACK_WORKSPACE_ADMINS'>, log: Logger) {
  const cache = new Map<string, { admin: boolean; at: number }>();
  return async (userId: string, client: WebClient, name?: string): Promise<Actor> => {
    let admin = config.CLOUDLINK_SLACK_ADMINS.includes(userId);
    if (!admin && config.CLOUDLINK_SLACK_WORKSPACE_ADMINS) {
      const hit = cache.get(userId);
      if (hit && Date.now() - hit.at < 600_000) admin = hit.admin;
      else {
        try {
          const info = await client.users.info({ user: userId });
          admin = Boolean(info.user?.is_admin || info.user?.is_owner);
          cache.set(userId, { admin, at: Date.now() });
        } catch (e) {
          log.warn('users.info failed; treating the user as a member', { userId, error: e });
        }
      }
    }
    return { id: userId, ...(name ? { name } : {}), via: 'slack', role: admin ? 'admin' : 'member' };
  };
}
