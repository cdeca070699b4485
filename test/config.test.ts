import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

/** What an empty environment gives: `npm start` on a fresh machine runs on these. */
describe('configuration defaults', () => {
  it('serves the operator listener (health, metrics, the console) on 127.0.0.1:8737 unless told otherwise', () => {
    const c = loadConfig({});
    expect(c.CLOUDLINK_HTTP_PORT).toBe(8737);
    expect(c.CLOUDLINK_HTTP_HOST).toBe('127.0.0.1');
    expect(loadConfig({ CLOUDLINK_HTTP_PORT: 'off' }).CLOUDLINK_HTTP_PORT).toBeUndefined();
    // Empty is unset, as for every variable: the default, not off (off is said with `off`).
    expect(loadConfig({ CLOUDLINK_HTTP_PORT: '' }).CLOUDLINK_HTTP_PORT).toBe(8737);
    expect(loadConfig({ CLOUDLINK_HTTP_PORT: '0' }).CLOUDLINK_HTTP_PORT).toBe(0);
    expect(() => loadConfig({ CLOUDLINK_HTTP_PORT: 'eighty' })).toThrow(ConfigError);
  });

  it('leaves the listeners that need credentials off until they are configured', () => {
    const c = loadConfig({});
    expect(c.CLOUDLINK_MCP_HTTP_PORT).toBeUndefined();
    expect(c.CLOUDLINK_API_PORT).toBeUndefined();
    expect(c.CLOUDLINK_STORE_PATH).toBe('./data/cloudlink.json');
  });

  it('refuses an encryption key or an AWS region that cannot work, naming the variable', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error(`expected ${JSON.stringify(env)} to be refused`);
    };
    expect(bad({ CLOUDLINK_ENCRYPTION_KEY: 'short' })).toMatch(/CLOUDLINK_ENCRYPTION_KEY: must be 32 random bytes, base64-encoded/);
    expect(bad({ CLOUDLINK_ENCRYPTION_KEY: Buffer.alloc(16, 1).toString('base64') })).toMatch(/CLOUDLINK_ENCRYPTION_KEY/);
    expect(bad({ CLOUDLINK_AWS_REGION: 'mars' })).toMatch(/CLOUDLINK_AWS_REGION: must be an AWS region such as us-east-1/);
    const key = Buffer.alloc(32, 9).toString('base64');
    expect(loadConfig({ CLOUDLINK_ENCRYPTION_KEY: key }).CLOUDLINK_ENCRYPTION_KEY).toBe(key);
    expect(loadConfig({ CLOUDLINK_ENCRYPTION_KEY: '' }).CLOUDLINK_ENCRYPTION_KEY).toBeUndefined();
    // A key made with base64url (as some generators do) decodes to the same 32 bytes and may already seal a store.
    const urlSafe = Buffer.alloc(32, 0xfb).toString('base64url');
    expect(urlSafe).toMatch(/[-_]/);
    expect(loadConfig({ CLOUDLINK_ENCRYPTION_KEY: urlSafe }).CLOUDLINK_ENCRYPTION_KEY).toBe(urlSafe);
    for (const region of ['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-northwest-1', 'ap-southeast-5', 'eusc-de-east-1', 'us-isob-east-1']) expect(loadConfig({ CLOUDLINK_AWS_REGION: region }).CLOUDLINK_AWS_REGION).toBe(region);
  });
});
