import { composeEngine } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import type { Meter } from '../../src/engine/ports/meter.js';
import type { Store } from '../../src/engine/ports/store.js';
import type { Actor } from '../../src/engine/domain/records.js';
import { silentLogger } from '../../src/log.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { MemoryAws, MemoryMicrosoft, memoryCertificates, RecordingNotifier } from '../fakes/memory-gateways.js';

export const admin: Actor = { id: 'U_ADMIN', name: 'Ada Admin', via: 'slack', role: 'admin' };
export const member: Actor = { id: 'U_MEMBER', name: 'Max Member', via: 'slack', role: 'member' };
export const assistant: Actor = { id: 'ops-bot', name: 'ops-bot via Claude', via: 'mcp', role: 'admin' };

/**
 * The fast tier: the engine from the composition root on an in-memory store and in-process ports.
 * `deliver: false` stands for a process that reaches nobody (a stdio MCP server).
 */
export async function memoryEngine(opts: { env?: Record<string, string>; store?: Store; deliver?: boolean; now?: () => Date; meter?: Meter } = {}) {
  const store = opts.store ?? new MemoryStore();
  const aws = new MemoryAws();
  const ms = new MemoryMicrosoft();
  const notifier = new RecordingNotifier();
  const { engine } = await composeEngine(loadConfig({ CLOUDLINK_TEMPLATE_BASE_URL: 'https://templates.example/v1/', ...opts.env }), {
    log: silentLogger,
    store,
    gateways: { aws, microsoft: ms },
    certificates: memoryCertificates,
    notifiers: opts.deliver === false ? [] : [notifier],
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.meter ? { meter: opts.meter } : {}),
  });
  return { engine, store, aws, ms, notifier };
}

/** "Deploys the stack": the role the setup's template would create, in the in-process AWS. */
export function deployRole(aws: MemoryAws, setup: { aws?: { roleName: string; externalId?: string } }, accountId: string, extra: Partial<import('../fakes/memory-gateways.js').MemoryRole> = {}) {
  const arn = `arn:aws:iam::${accountId}:role/${setup.aws!.roleName}`;
  aws.roles.set(arn, { accountId, externalId: setup.aws!.externalId!, ...extra });
  return arn;
}
