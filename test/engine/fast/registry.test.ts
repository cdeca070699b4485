import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CloudlinkError } from '../../../src/engine/errors.js';
import type { AnyOperation } from '../../../src/engine/registry/operation.js';
import { admin, member, memoryEngine } from '../../helpers/memory.js';

const SRC = join(import.meta.dirname, '../../../src');

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}
const importsOf = (text: string) => [...text.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(['"]([^'"]+)['"]\)/g)].map((m) => m[1]!);

/**
 * An input each operation accepts, so the permission check is what decides. Every operation in the
 * registry must be here: a new operation gets its refusal tested by being added.
 */
const SAMPLE: Record<string, Record<string, unknown>> = {
  list_accounts: {},
  get_account: { account: 'x' },
  get_setup_status: { setupId: 's' },
  get_setup_handout: { setupId: 's' },
  list_setups: {},
  get_link_form: { provider: 'aws' },
  rename_account: { account: 'x', newName: 'y' },
  delete_account: { account: 'x', confirmName: 'x' },
  get_invite_options: {},
  invite_colleague: { start: 'aws:management', invitee: { id: 'UCLEO123' } },
  accept_invite: { inviteId: 'i' },
  list_invites: {},
  revoke_invite: { inviteId: 'i' },
  check_account: { account: 'x' },
  check_all_accounts: {},
  list_configuration_errors: {},
  get_audit_log: {},
  start_aws_setup: { kind: 'management' },
  start_eks_setup: {},
  complete_aws_setup: { setupId: 's', roleArn: 'arn:aws:iam::111111111111:role/x' },
  watch_setup: { setupId: 's', accountId: '111111111111' },
  start_azure_setup: { tenantId: '00000000-0000-0000-0000-000000000001', clientId: '00000000-0000-0000-0000-000000000002' },
  start_m365_setup: { tenantId: '00000000-0000-0000-0000-000000000001', clientId: '00000000-0000-0000-0000-000000000002', organization: 'contoso.onmicrosoft.com' },
  start_entra_setup: { tenantId: '00000000-0000-0000-0000-000000000001', clientId: '00000000-0000-0000-0000-000000000002' },
  complete_microsoft_setup: { setupId: 's' },
  list_azure_subscriptions: { account: 'x' },
  select_azure_subscriptions: { account: 'x', selected: [] },
  start_certificate_rotation: { account: 'x' },
  complete_certificate_rotation: { account: 'x' },
  cancel_certificate_rotation: { account: 'x' },
  link_organization: { managementAccount: 'x' },
  resync_organization: { organization: 'x' },
  list_organization: { organization: 'x' },
  unlink_organization: { organization: 'x', confirmName: 'x' },
  remember_viewer: { surface: 'slack-home' },
  list_viewers: { surface: 'slack-home' },
  preview_invite_link: { token: 'x' },
  open_invite_link: { token: 'x' },
  get_invite_page: { inviteId: 'i', session: 'session-0123456789' },
  get_invite_status: { inviteId: 'i', session: 'session-0123456789' },
  finish_invite_setup: { inviteId: 'i', session: 'session-0123456789', action: 'connect' },
  get_aws_credentials: { account: 'x' },
  list_aws_profiles: {},
  get_access_token: { account: 'x' },
  create_webhook: { name: 'hook', url: 'https://hooks.example.com/cloudlink' },
  list_webhooks: {},
  list_webhook_deliveries: { webhook: 'x' },
  delete_webhook: { webhook: 'x', confirmName: 'x' },
};

const ADMIN_ONLY = new Set(['rename', 'delete', 'subscriptions', 'webhooks']);

async function refusal(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ran',
    (e: unknown) => (e instanceof CloudlinkError ? e.code : `unexpected ${(e as Error).message}`),
  );
}

describe('the operation registry', () => {
  it('defines every operation once, each with schemas, a permission, a nature and a description for models', async () => {
    const { engine } = await memoryEngine();
    const names = engine.operations.map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(SAMPLE).sort()).toEqual([...names].sort());
    for (const op of engine.operations) {
      expect(op.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(op.description.length, op.name).toBeGreaterThan(40);
      expect(op.input, op.name).toBeInstanceOf(z.ZodObject);
      expect(op.output, op.name).toBeInstanceOf(z.ZodObject);
      expect(['read', 'link', 'invite', 'rename', 'delete', 'check', 'subscriptions', 'credentials', 'webhooks']).toContain(op.permission);
      expect(Object.keys(op.nature).sort()).toEqual(['destructive', 'idempotent', 'openWorld', 'readOnly']);
      if (op.nature.readOnly) expect(op.nature.destructive, op.name).toBe(false);
      // Every sample parses: the refusal below is the permission's, not the input's.
      expect(op.input.safeParse(SAMPLE[op.name]).success, op.name).toBe(true);
    }
  });

  it('offers each family its start, its completion and its own operations', async () => {
    const { engine } = await memoryEngine();
    for (const f of engine.families.all()) {
      for (const op of [f.start, f.complete, ...f.operations]) expect(engine.find(op.name)).toBe(op);
    }
    expect(engine.families.all().map((f) => f.id)).toEqual(['aws', 'eks', 'azure', 'm365', 'entra']);
  });

  it('refuses an admin-only operation to a member before it does anything', async () => {
    const { engine, store } = await memoryEngine();
    const before = JSON.stringify(await store.read());
    const ops = engine.operations.filter((o) => ADMIN_ONLY.has(o.permission));
    expect(ops.map((o) => o.name).sort()).toEqual(['create_webhook', 'delete_account', 'delete_webhook', 'list_webhook_deliveries', 'list_webhooks', 'rename_account', 'select_azure_subscriptions', 'unlink_organization']);
    for (const op of ops) expect(await refusal(engine.run(op, member, SAMPLE[op.name])), op.name).toBe('FORBIDDEN');
    expect(JSON.stringify(await store.read())).toBe(before);
  });

  it('vends credentials to admins only, unless the operator opens it to members', async () => {
    const { engine, store } = await memoryEngine();
    const before = JSON.stringify(await store.read());
    const vending = engine.operations.filter((o) => o.permission === 'credentials');
    expect(vending.map((o) => o.name).sort()).toEqual(['get_access_token', 'get_aws_credentials']);
    for (const op of vending) expect(await refusal(engine.run(op, member, SAMPLE[op.name])), op.name).toBe('FORBIDDEN');
    expect(JSON.stringify(await store.read())).toBe(before);
    const open = await memoryEngine({ env: { CLOUDLINK_CREDENTIALS_MEMBERS: 'true' } });
    // Past the permission: the sample names no account, which is what refuses it now.
    for (const op of vending) expect(await refusal(open.engine.run(op, member, SAMPLE[op.name])), op.name).toBe('NOT_FOUND');
  });

  it('refuses linking and inviting to members when members may not link, except an invitee finishing their setup', async () => {
    const { engine } = await memoryEngine({ env: { CLOUDLINK_MEMBERS_CAN_LINK: 'false' } });
    const gated = engine.operations.filter((o) => o.permission === 'link' || o.permission === 'invite');
    expect(gated.length).toBeGreaterThan(8);
    for (const op of gated) expect(await refusal(engine.run(op, member, SAMPLE[op.name])), op.name).toBe('FORBIDDEN');
    // Reading stays open to members.
    for (const op of engine.operations.filter((o) => o.permission === 'read' && o.nature.readOnly && !['account', 'setupId', 'organization', 'token', 'session'].some((k) => k in SAMPLE[o.name]!))) {
      expect(await refusal(engine.run(op, member, SAMPLE[op.name])), op.name).toBe('ran');
    }
  });

  it('checks a refused permission ahead of the operation, whichever way it is entered', async () => {
    const { engine } = await memoryEngine();
    const rename = engine.find('rename_account') as AnyOperation;
    expect(() => engine.authorize(rename, member)).toThrow(/only cloudlink admins may rename/);
    expect(await refusal(engine.precheck(rename, member, SAMPLE.rename_account))).toBe('FORBIDDEN');
    expect(await refusal(engine.confirmation(engine.find('delete_account')!, member, { account: 'x' }))).toBe('FORBIDDEN');
  });

  it('names audit entries after the operation that made the change', async () => {
    const { engine, store } = await memoryEngine();
    await engine.run(engine.find('start_eks_setup')!, admin, {});
    const entry = (await store.read()).audit.at(-1)!;
    expect(entry).toMatchObject({ operation: 'start_eks_setup', actor: { id: admin.id, via: 'slack' }, target: { type: 'setup' } });
  });
});

describe('layering', () => {
  it('keeps the engine free of front ends, stores and cloud SDK adapters', async () => {
    const offenders: string[] = [];
    for (const file of await sources(join(SRC, 'engine'))) {
      for (const spec of importsOf(await readFile(file, 'utf8'))) {
        if (/(^|\/)(slack|mcp|store|providers|cli)\//.test(spec) || /^\.\.\/\.\.\/?(compose|config)/.test(spec) || /^@(slack|aws-sdk|azure|microsoft|modelcontextprotocol)\//.test(spec)) offenders.push(`${relative(SRC, file)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps the store out of the front ends', async () => {
    const offenders: string[] = [];
    for (const dir of ['slack', 'mcp', 'cli', 'api', 'web', 'email']) {
      for (const file of await sources(join(SRC, dir))) {
        for (const spec of importsOf(await readFile(file, 'utf8'))) if (/\/store\//.test(spec)) offenders.push(`${relative(SRC, file)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('compares provider ids only inside the provider table', async () => {
    const offenders: string[] = [];
    for (const file of await sources(SRC)) {
      if (relative(SRC, file).startsWith('engine/families/')) continue;
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(/provider\s*[!=]==?\s*['"](aws|eks|azure|m365|entra)['"]|['"](aws|eks|azure|m365|entra)['"]\s*[!=]==?\s*\w*\.?provider/g)) offenders.push(`${relative(SRC, file)}: ${m[0]}`);
      for (const m of text.matchAll(/case ['"](aws|eks|azure|m365|entra)['"]:/g)) offenders.push(`${relative(SRC, file)}: ${m[0]}`);
    }
    expect(offenders).toEqual([]);
  });
});

describe('input errors say what a missing field is', () => {
  it('names a left-out field as required, with what it is for, instead of zod\'s "received undefined"', async () => {
    const { memoryEngine, admin } = await import('../../helpers/memory.js');
    const e = await memoryEngine();
    const err = await e.engine.run(e.engine.find('delete_account')!, admin, { account: 'x' }).then(
      () => undefined,
      (x: unknown) => x as { code: string; message: string; fields: Record<string, string> },
    );
    expect(err?.code).toBe('INVALID_INPUT');
    expect(err?.fields.confirmName).toBe('required (The account name exactly as stored, typed by the human to confirm)');
    expect(err?.message).not.toMatch(/received undefined/);
    const wrongType = await e.engine.run(e.engine.find('delete_account')!, admin, { account: 'x', confirmName: 5 }).catch((x: { fields: Record<string, string> }) => x);
    expect((wrongType as { fields: Record<string, string> }).fields.confirmName).toBe('must be text (a string), not a number');
  });
});
