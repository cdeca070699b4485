import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

describe('slack-manifest.yml', () => {
  it('declares /cloud, interactivity, App Home, Socket Mode and only the scopes the app uses', async () => {
    const m = parse(await readFile(new URL('../../slack-manifest.yml', import.meta.url), 'utf8'));
    expect(m.features.slash_commands.map((c: { command: string }) => c.command)).toEqual(['/cloud']);
    expect(m.features.app_home.home_tab_enabled).toBe(true);
    expect(m.settings.interactivity.is_enabled).toBe(true);
    expect(m.settings.socket_mode_enabled).toBe(true);
    expect(m.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect([...m.oauth_config.scopes.bot].sort()).toEqual(['chat:write', 'commands', 'files:write', 'im:write', 'mcp:connect', 'users:read']);
    // Slackbot as an MCP client of cloudlink, signing each request as the person asking.
    expect(m.features.mcp_servers.cloudlink).toEqual({ url: 'https://<your host>/mcp', auth_type: 'slack_identity_auth' });
  });
});
