import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

/** What an empty environment gives: `npm start` on a fresh machine runs on these. */
describe('configuration defaults', () => {
  it('serves the operator listener (health, metrics, the console) on 127.0.0.1:8737 unless told otherwise', () => {
    const c = loadConfig({});
    expect(c.CLOUDLINK_HTTP_PORT).toBe(8737);
    expect(c.CLOUDLINK_HTTP_HOST).toBe('127.0.0.1');
    expect(loadConfig({ CLOUDLINK_HTTP_PORT: 'off' }).CLOUDLINK_HTTP_PORT).toBeUndefined();
    expect(loadConfig({ CLOUDLINK_HTTP_PORT: '' }).CLOUDLINK_HTTP_PORT).toBeUndefined();
    expect(loadConfig({ CLOUDLINK_HTTP_PORT: '0' }).CLOUDLINK_HTTP_PORT).toBe(0);
    expect(() => loadConfig({ CLOUDLINK_HTTP_PORT: 'eighty' })).toThrow(ConfigError);
  });

  it('leaves the listeners that need credentials off until they are configured', () => {
    const c = loadConfig({});
    expect(c.CLOUDLINK_MCP_HTTP_PORT).toBeUndefined();
    expect(c.CLOUDLINK_API_PORT).toBeUndefined();
    expect(c.CLOUDLINK_STORE_PATH).toBe('./data/cloudlink.json');
  });
});
