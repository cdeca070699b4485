import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI_PATH, INSTALL_ROOT } from '../../install-path.js';

/** What the service knows about itself, as the composition root found it while starting. */
export type ConsoleFacts = {
  store: { location: string; kind: string; file: boolean };
  aws: { source?: string; principal?: string };
  templates?: string;
  slack: { running: boolean; summary: string };
  invitePages?: { publicUrl: string; url: string; publicUrlSet: boolean };
  email?: { host: string; port: number; tls: string; from: string };
  mcpHttp?: { url: string };
  /** What the stdio MCP server must be given to share this service's store and settings (no secrets). */
  stdioEnv: Record<string, string>;
};

/** A step, with text to copy; `fold` names long text (a manifest) shown folded until opened. */
export type Step = { text: string; code?: string; fold?: string };
export type Item = { key: string; title: string; state: 'ok' | 'missing' | 'off'; summary: string; steps: Step[] };

const ROOT = INSTALL_ROOT;
/** Where `cloudlink mcp` is for a desktop assistant to spawn: this installation's bundle, by absolute path. */
export { CLI_PATH };
let manifest: Promise<string> | undefined;
const slackManifest = () => (manifest ??= readFile(join(ROOT, 'slack-manifest.yml'), 'utf8').catch(() => '# slack-manifest.yml is not next to this installation: take it from the cloudlink repository.\n'));

const AWS_POLICY = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ['arn:aws:iam::*:role/CloudlinkIntegration-*', 'arn:aws:iam::*:role/CloudlinkEks-*', 'arn:aws:iam::*:role/CloudlinkMember'] }],
  },
  null,
  2,
);

/** Each part of the service: running, missing (needed for the basics) or off (optional), with the steps to change that. */
export async function consoleItems(f: ConsoleFacts, accounts: number): Promise<Item[]> {
  const items: Item[] = [];
  items.push({ key: 'store', title: 'Store', state: 'ok', summary: `${f.store.kind} at ${f.store.location}, ${accounts} account${accounts === 1 ? '' : 's'}.`, steps: [] });
  items.push(
    f.aws.source || f.aws.principal
      ? { key: 'aws', title: 'AWS credentials', state: 'ok', summary: `Credentials from ${f.aws.source ?? 'configuration'}; customers trust ${f.aws.principal ?? 'the configured principal'}.`, steps: [] }
      : {
          key: 'aws',
          title: 'AWS credentials',
          state: 'missing',
          summary: 'cloudlink has no AWS identity of its own yet, so it cannot link AWS or EKS accounts.',
          steps: [
            { text: 'Give cloudlink a profile (or keys) of an IAM user or role in your own platform account, then restart it:', code: 'export AWS_PROFILE=cloudlink\n# or: export AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=…\nnpm start' },
            { text: 'That identity needs only to assume the roles your customers create:', code: AWS_POLICY },
          ],
        },
  );
  items.push(
    f.templates
      ? { key: 'templates', title: 'Templates', state: 'ok', summary: `Published at ${f.templates}: setups carry one-click quick-create links.`, steps: [] }
      : {
          key: 'templates',
          title: 'Templates',
          state: 'missing',
          summary: 'The CloudFormation templates are not published, so setups hand out the template to upload instead of a one-click link.',
          steps: [
            { text: 'Copy manifests/ to an S3 bucket that whoever deploys the stack can read (the templates hold no secret):', code: 'aws s3 cp manifests/ s3://<your-bucket>/cloudlink/v1/ --recursive' },
            { text: 'Tell cloudlink where they are, and restart it:', code: 'export CLOUDLINK_TEMPLATE_BASE_URL=https://<your-bucket>.s3.amazonaws.com/cloudlink/v1/\nnpm start' },
          ],
        },
  );
  items.push(
    f.slack.running
      ? { key: 'slack', title: 'Slack', state: 'ok', summary: f.slack.summary, steps: [] }
      : {
          key: 'slack',
          title: 'Slack',
          state: 'missing',
          summary: f.slack.summary,
          steps: [
            { text: 'Open api.slack.com/apps → Create New App → From a manifest, choose your workspace and paste this manifest (it declares /cloud, the App Home and only the scopes cloudlink uses):', code: await slackManifest(), fold: 'slack-manifest.yml' },
            { text: 'Install to Workspace, and copy the Bot User OAuth Token (xoxb-…).' },
            { text: 'For Socket Mode (no public URL needed): Basic Information → App-Level Tokens → Generate, with the scope connections:write (xapp-…).' },
            { text: 'Give cloudlink both, and restart it:', code: 'export SLACK_BOT_TOKEN=xoxb-…\nexport SLACK_APP_TOKEN=xapp-…\nnpm start' },
          ],
        },
  );
  const pages = f.invitePages;
  items.push(
    pages
      ? {
          key: 'invites',
          title: 'Invite pages',
          state: 'ok',
          summary: `Colleagues open ${pages.publicUrl} (listening on ${pages.url}).${pages.publicUrlSet ? '' : ' CLOUDLINK_PUBLIC_URL is not set, so links point at this machine: set it for colleagues elsewhere.'}${/^http:/.test(pages.publicUrl) && !/\/\/(127\.|localhost|\[::1\])/.test(pages.publicUrl) ? ' The links are plain http: put TLS in front (https) before sending them.' : ''}`,
          steps: [],
        }
      : {
          key: 'invites',
          title: 'Invite pages',
          state: 'off',
          summary: 'Colleagues outside Slack cannot be invited yet: invites by e-mail and links to pass on need a page they can open.',
          steps: [
            { text: 'Choose the address colleagues will open (behind TLS, e.g. a reverse proxy to the port below), and restart cloudlink:', code: 'export CLOUDLINK_PUBLIC_URL=https://cloudlink.example.com\nexport CLOUDLINK_INVITE_HOST=127.0.0.1   # where the proxy forwards to\nexport CLOUDLINK_INVITE_PORT=8739\nnpm start' },
          ],
        },
  );
  items.push(
    f.email
      ? { key: 'email', title: 'E-mail', state: 'ok', summary: `Invites by e-mail go through ${f.email.host}:${f.email.port} (${f.email.tls}), from ${f.email.from}.${pages ? '' : ' They need the invite pages too.'}`, steps: [] }
      : {
          key: 'email',
          title: 'E-mail',
          state: 'off',
          summary: 'Invites cannot go by e-mail: no SMTP server is configured.',
          steps: [{ text: 'Give cloudlink an SMTP server (STARTTLS on 587, or TLS on 465), and restart it:', code: 'export CLOUDLINK_SMTP_HOST=smtp.example.com\nexport CLOUDLINK_SMTP_PORT=587\nexport CLOUDLINK_SMTP_USER=cloudlink\nexport CLOUDLINK_SMTP_PASSWORD=…\nexport CLOUDLINK_SMTP_FROM="cloudlink <cloudlink@example.com>"\nnpm start' }],
        },
  );
  items.push(
    f.mcpHttp
      ? { key: 'mcp', title: 'MCP over HTTP', state: 'ok', summary: `Remote assistants connect to ${f.mcpHttp.url} with a bearer token (the one below works).`, steps: [] }
      : {
          key: 'mcp',
          title: 'MCP over HTTP',
          state: 'off',
          summary: 'Desktop assistants use stdio (below) and need nothing more; HTTP is for VS Code, Cursor and remote assistants.',
          steps: [{ text: 'Serve MCP over HTTP on this machine, and restart cloudlink (the token below works with it):', code: 'export CLOUDLINK_MCP_HTTP_PORT=8765\nnpm start' }],
        },
  );
  return items;
}

export type ClientConfig = { key: string; title: string; where: string; json: string };

/** Copy-paste configuration for the assistants people use, pointing at this installation. */
export function clientConfigs(f: ConsoleFacts, token: string | undefined): ClientConfig[] {
  const stdio = { command: process.execPath, args: [CLI_PATH, 'mcp'], env: f.stdioEnv };
  const url = f.mcpHttp?.url ?? 'http://127.0.0.1:8765/mcp';
  const bearer = `Bearer ${token ?? '<your cloudlink MCP token>'}`;
  const pretty = (v: unknown) => JSON.stringify(v, null, 2);
  return [
    {
      key: 'claude',
      title: 'Claude Desktop',
      where: 'Settings → Developer → Edit Config (claude_desktop_config.json: ~/Library/Application Support/Claude/ on macOS, %APPDATA%\\Claude\\ on Windows), then restart Claude Desktop.',
      json: pretty({ mcpServers: { cloudlink: stdio } }),
    },
    {
      key: 'vscode',
      title: 'VS Code',
      where: '.vscode/mcp.json in your workspace (or "MCP: Open User Configuration"). The HTTP entry asks for the token when it first connects, so it is not stored in the file.',
      json: pretty({
        servers: { cloudlink: { type: 'stdio', ...stdio }, 'cloudlink-http': { type: 'http', url, headers: { Authorization: 'Bearer ${input:cloudlink-token}' } } },
        inputs: [{ id: 'cloudlink-token', type: 'promptString', description: 'cloudlink MCP token', password: true }],
      }),
    },
    {
      key: 'cursor',
      title: 'Cursor',
      where: '~/.cursor/mcp.json (every project) or .cursor/mcp.json (one project). Use one of the two entries.',
      json: pretty({ mcpServers: { cloudlink: stdio, 'cloudlink-http': { url, headers: { Authorization: bearer } } } }),
    },
  ];
}
