import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openingOptions } from '../../src/mcp/opening.js';
import { conversation, type Msg } from '../helpers/mcp.js';

/**
 * `cloudlink mcp` answers the opening exchange from what the build recorded, before the SDK loads
 * (src/mcp/opening.ts): the answers must be the SDK's own, each heard once, and the connection must
 * go on as if the SDK had answered.
 */
let dir: string;
let converse: ReturnType<typeof conversation>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-opening-'));
  converse = conversation(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const opening = (version = '2025-11-25', capabilities: object = {}) => [
  { id: 1, method: 'initialize', params: { protocolVersion: version, capabilities, clientInfo: { name: 'test', version: '1' } } },
  { method: 'notifications/initialized' },
  { id: 2, method: 'tools/list' },
];
const has = (...ids: number[]) => (got: Msg[]) => ids.every((id) => got.some((m) => m.id === id));

describe('the recorded stdio opening', () => {
  const sets = [[], ['--read-only'], ['--typed-confirmation'], ['--read-only', '--require-elicitation', '--typed-confirmation']];
  it.each(sets.map((f) => [f.join(' ') || '(no flags)', f]))('answers %s exactly as the SDK does, once each', async (_name, flags) => {
    const [fast, sdk] = await Promise.all([converse(flags as string[], {}, opening(), has(1, 2)), converse(flags as string[], { CLOUDLINK_MCP_OPENING: 'off' }, opening(), has(1, 2))]);
    expect(fast.filter((m) => m.id === 1)).toHaveLength(1);
    expect(fast.filter((m) => m.id === 2)).toHaveLength(1);
    expect(fast.find((m) => m.id === 1)).toEqual(sdk.find((m) => m.id === 1));
    expect(fast.find((m) => m.id === 2)).toEqual(sdk.find((m) => m.id === 2));
  });

  it('answers an older protocol version with that version, as the SDK would', async () => {
    const got = await converse([], {}, opening('2025-06-18'), has(1, 2));
    expect(got.find((m) => m.id === 1)!.result!.protocolVersion).toBe('2025-06-18');
  });

  it('leaves a version it does not know to the SDK', async () => {
    const [fast, sdk] = await Promise.all([converse([], {}, opening('2099-01-01'), has(1, 2)), converse([], { CLOUDLINK_MCP_OPENING: 'off' }, opening('2099-01-01'), has(1, 2))]);
    expect(fast.find((m) => m.id === 1)).toEqual(sdk.find((m) => m.id === 1));
  });

  it('hands the connection to the SDK: calls after the opening are answered by the engine, once', async () => {
    const got = await converse([], {}, [...opening('2025-11-25', { elicitation: {} }), { id: 3, method: 'tools/call', params: { name: 'list_accounts', arguments: {} } }, { id: 4, method: 'ping' }], has(1, 2, 3, 4));
    for (const id of [1, 2, 3, 4]) expect(got.filter((m) => m.id === id)).toHaveLength(1);
    const call = got.find((m) => m.id === 3)!.result as { structuredContent?: { total: number } };
    expect(call.structuredContent?.total).toBe(0);
  });

  it('reads its options as the configuration does, and steps aside when anything is unusual', () => {
    expect(openingOptions([], {})).toEqual({ readOnly: false, requireElicitation: false, typedConfirmation: false });
    expect(openingOptions(['--read-only'], { CLOUDLINK_MCP_TYPED_CONFIRMATION: 'yes' })).toEqual({ readOnly: true, requireElicitation: false, typedConfirmation: true });
    expect(openingOptions([], { CLOUDLINK_MCP_READ_ONLY: '0' })!.readOnly).toBe(false);
    expect(openingOptions([], { CLOUDLINK_MCP_READ_ONLY: 'maybe' })).toBeUndefined();
    expect(openingOptions(['--verbose'], {})).toBeUndefined();
  });
});
