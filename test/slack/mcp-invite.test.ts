import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployStack } from '../helpers/engine.js';
import { makeClient, stdioClient } from '../helpers/mcp.js';
import { slackHarness, text, type SlackHarness } from '../helpers/slack.js';

const TOKEN = 'tok-ada-0123456789abcdef';
let s: SlackHarness;

beforeEach(async () => {
  // One service, as `npm start` runs it: Slack in HTTP mode and MCP over HTTP. The assistant's token
  // names the Slack user who hears about what it starts.
  s = await slackHarness({ env: { CLOUDLINK_MCP_HTTP_PORT: '0', CLOUDLINK_MCP_TOKENS: `${TOKEN}=ada-assistant:admin@U_ADMIN` } });
});
afterEach(async () => {
  await s.close();
});

const posts = (channel: string) => s.slack.of('chat.postMessage').filter((c) => c.args.channel === channel);

/** The colleague, in Slack: "Done, here is the role ARN", then Connect with the ARN of the stack they deployed. */
async function colleagueFinishes(inviteId: string) {
  await s.action('UCLEO123', { type: 'button', action_id: 'invite_done', value: inviteId });
  const modal = s.slack.of('views.update').at(-1)!.args.view;
  expect(modal.callback_id).toBe('aws_setup_submit');
  const setup = (await s.h.store.read()).setups.find((x) => x.id === JSON.parse(modal.private_metadata).setupId)!;
  const roleArn = deployStack(s.h.aws, setup as { aws: { roleName: string; externalId: string; stackName: string } }, '111111111111');
  await s.submit('UCLEO123', 'aws_setup_submit', { name: text('Payer'), role_arn: text(roleArn), account_id: text(undefined) }, modal.private_metadata);
}

describe('an invite made by an assistant', () => {
  it('over MCP HTTP reaches the colleague as a Slack DM, and both people hear once when the link connects', async () => {
    const client = makeClient();
    await client.connect(new StreamableHTTPClientTransport(new URL(s.h.service.mcpHttp!.url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
    const r = await client.callTool({ name: 'invite_colleague', arguments: { start: 'aws:management', invitee: { id: 'UCLEO123' }, message: 'Could you deploy this for me?' } });
    expect(r.isError).toBeFalsy();
    const out = r.structuredContent as { invite: { inviteId: string }; delivery: { status: string } };
    expect(out.delivery.status).toBe('delivered');

    const [dm] = posts('UCLEO123');
    expect(JSON.stringify(dm!.args.blocks)).toMatch(/asked you to connect an AWS management account/);
    expect(JSON.stringify(dm!.args.blocks)).toContain('Could you deploy this for me?');
    const buttons = dm!.args.blocks.flatMap((b: { elements?: { action_id?: string; value?: string; url?: string }[] }) => b.elements ?? []);
    expect(buttons.find((e: { action_id?: string }) => e.action_id === 'open_console').url).toMatch(/quickcreate/);
    expect(buttons.find((e: { action_id?: string }) => e.action_id === 'invite_done').value).toBe(out.invite.inviteId);

    await colleagueFinishes(out.invite.inviteId);
    await s.slack.waitFor('chat.postMessage', 3);
    // The colleague: the invite, then the result of their own Connect. Nothing else.
    expect(posts('UCLEO123').map((c) => c.args.text)).toEqual([expect.stringMatching(/asked you to connect/), expect.stringMatching(/Payer \(AWS account 111111111111\) is linked and verified/)]);
    // The person behind the assistant: one message, in words for the one who asked.
    expect(posts('U_ADMIN').map((c) => c.args.text)).toEqual([expect.stringMatching(/Payer.*is connected: <@UCLEO123> finished the setup you handed them/)]);
    await client.close();
  });

  it('from a stdio MCP server (which reaches nobody) is delivered by the service, once', async () => {
    const stdio = await stdioClient({ ...s.h.env, CLOUDLINK_MCP_SLACK_USER: 'U_ADMIN' });
    const r = await stdio.client.callTool({ name: 'invite_colleague', arguments: { start: 'aws:management', invitee: { id: 'UCLEO123' } } });
    const out = r.structuredContent as { invite: { inviteId: string }; delivery: { status: string } };
    expect(out.delivery.status).toBe('queued');
    expect(posts('UCLEO123')).toEqual([]);
    await s.h.engine.jobs.outbox.deliver();
    await s.h.engine.jobs.outbox.deliver();
    expect(posts('UCLEO123')).toHaveLength(1);
    await colleagueFinishes(out.invite.inviteId);
    await s.h.engine.jobs.outbox.deliver();
    await s.slack.waitFor('chat.postMessage', 3);
    expect(posts('U_ADMIN').map((c) => c.args.text)).toEqual([expect.stringMatching(/Payer.*is connected: <@UCLEO123> finished the setup you handed them/)]);
    expect(posts('UCLEO123')).toHaveLength(2);
    await stdio.close();
  });
});
