import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { McpTokenFile } from '../../src/web/console/mcp-token.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-token-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the console MCP token file', () => {
  it('is made once when instances on one host start together: all read the same whole token', async () => {
    for (let round = 0; round < 10; round++) {
      const path = join(dir, `store-${round}.mcp-token`);
      const files = await Promise.all(Array.from({ length: 8 }, () => McpTokenFile.open(path, { actor: 'local-assistant' })));
      expect(new Set(files.map((f) => f.grant.token)).size).toBe(1);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    }
    // No temporary file is left behind.
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
