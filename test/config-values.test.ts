import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { listenError } from '../src/listen.js';

const refusal = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
};

/** Every listener whose port-in-use message offers "or to off" (src/listen.ts callers, the invite pages). */
const OFFABLE = ['CLOUDLINK_HTTP_PORT', 'CLOUDLINK_MCP_HTTP_PORT', 'CLOUDLINK_API_PORT', 'CLOUDLINK_INVITE_PORT'] as const;

describe('port settings', () => {
  it('accept off wherever the port-in-use message offers it: the listener is then off', () => {
    const inUse = listenError(Object.assign(new Error('in use'), { code: 'EADDRINUSE' }), 8765, '127.0.0.1', { what: 'MCP over HTTP', portVariable: 'CLOUDLINK_MCP_HTTP_PORT', canBeOff: true });
    expect(inUse.message).toMatch(/Set CLOUDLINK_MCP_HTTP_PORT to a free port, or to off\./);
    for (const v of OFFABLE) {
      for (const off of ['off', 'OFF', ' off ']) {
        const c = loadConfig({ [v]: off });
        // The invite pages keep `off` (it overrides CLOUDLINK_PUBLIC_URL); the others are simply unset.
        expect(c[v], `${v}=${off}`).toBe(v === 'CLOUDLINK_INVITE_PORT' ? 'off' : undefined);
      }
    }
    expect(loadConfig({ CLOUDLINK_MCP_HTTP_PORT: '8765' }).CLOUDLINK_MCP_HTTP_PORT).toBe(8765);
    expect(loadConfig({ CLOUDLINK_MCP_HTTP_PORT: '0' }).CLOUDLINK_MCP_HTTP_PORT).toBe(0);
    expect(loadConfig({ CLOUDLINK_MCP_HTTP_PORT: '' }).CLOUDLINK_MCP_HTTP_PORT).toBeUndefined();
    expect(loadConfig({ CLOUDLINK_API_PORT: '8790' }).CLOUDLINK_API_PORT).toBe(8790);
    expect(loadConfig({ CLOUDLINK_INVITE_PORT: '8739' }).CLOUDLINK_INVITE_PORT).toBe(8739);
    expect(loadConfig({}).CLOUDLINK_HTTP_PORT).toBe(8737);
  });

  it('word a port that is not one as the range and off, never as "received NaN"', () => {
    for (const v of OFFABLE) {
      for (const bad of ['abc', '70000', '-1', '80.5', '8o8o']) {
        const message = refusal({ [v]: bad });
        expect(message).toContain(`  ${v}: must be a port number from 0 to 65535 (0 picks a free one), or off (it is "${bad}")`);
        expect(message).not.toMatch(/NaN|expected number/);
      }
    }
    // Slack's HTTP receiver and the SMTP server have a port, never off.
    expect(refusal({ PORT: 'abc' })).toContain('  PORT: must be a port number from 1 to 65535 (it is "abc")');
    expect(refusal({ CLOUDLINK_SMTP_PORT: 'smtp' })).toContain('  CLOUDLINK_SMTP_PORT: must be a port number from 1 to 65535 (it is "smtp")');
    expect(loadConfig({ PORT: '3001' }).PORT).toBe(3001);
    expect(loadConfig({}).PORT).toBe(3000);
  });

  it('word any other number that is not one as its range', () => {
    const message = refusal({ CLOUDLINK_DRAIN_SECONDS: 'ten' });
    expect(message).toContain('  CLOUDLINK_DRAIN_SECONDS: must be a number from 0 to 600');
    expect(message).not.toMatch(/NaN/);
    expect(refusal({ CLOUDLINK_DRAIN_SECONDS: '601' })).toContain('  CLOUDLINK_DRAIN_SECONDS: must be a number from 0 to 600');
  });
});

describe('empty values', () => {
  it('an empty CLOUDLINK_STORE_PATH is the default store, not the current folder', () => {
    expect(loadConfig({ CLOUDLINK_STORE_PATH: '' }).CLOUDLINK_STORE_PATH).toBe('./data/cloudlink.json');
    expect(loadConfig({ CLOUDLINK_STORE_PATH: '  ' }).CLOUDLINK_STORE_PATH).toBe('./data/cloudlink.json');
    expect(loadConfig({ CLOUDLINK_STORE_PATH: '/srv/cloudlink/store.json' }).CLOUDLINK_STORE_PATH).toBe('/srv/cloudlink/store.json');
  });

  it('an empty host is loopback (the default), never every interface; an empty URL or resource is unset or its default', () => {
    const c = loadConfig({ CLOUDLINK_HTTP_HOST: '', CLOUDLINK_MCP_HOST: '', CLOUDLINK_API_HOST: '', CLOUDLINK_INVITE_HOST: '', CLOUDLINK_EXCHANGE_RESOURCE: '', CLOUDLINK_DATABASE_URL: '', CLOUDLINK_PUBLIC_URL: '', CLOUDLINK_TEMPLATE_BASE_URL: '' });
    expect([c.CLOUDLINK_HTTP_HOST, c.CLOUDLINK_MCP_HOST, c.CLOUDLINK_API_HOST, c.CLOUDLINK_INVITE_HOST]).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1']);
    expect(c.CLOUDLINK_EXCHANGE_RESOURCE).toBe('https://outlook.office365.com');
    expect([c.CLOUDLINK_DATABASE_URL, c.CLOUDLINK_PUBLIC_URL, c.CLOUDLINK_TEMPLATE_BASE_URL]).toEqual([undefined, undefined, undefined]);
    expect(loadConfig({ CLOUDLINK_MCP_HOST: '0.0.0.0' }).CLOUDLINK_MCP_HOST).toBe('0.0.0.0');
  });
});
