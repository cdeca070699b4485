import { readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse, type Tags } from 'yaml';
import { MANIFESTS_DIR, TEMPLATE_FILES, TEMPLATE_VERSION } from '../src/engine/families/aws-role/templates.js';

// CloudFormation's short-form intrinsics, as YAML tags, turned into their long form.
const intrinsic = (tag: string, fn: string, kind: 'scalar' | 'seq' | 'map') => ({ tag: `!${tag}`, collection: kind === 'scalar' ? undefined : kind, resolve: (v: unknown) => ({ [fn]: v }) });
const scalarOrSeq = (tag: string, fn: string) => [intrinsic(tag, fn, 'scalar'), intrinsic(tag, fn, 'seq')];
const customTags = [
  ...scalarOrSeq('Ref', 'Ref'),
  ...scalarOrSeq('Sub', 'Fn::Sub'),
  ...scalarOrSeq('GetAtt', 'Fn::GetAtt'),
  intrinsic('If', 'Fn::If', 'seq'),
  intrinsic('Equals', 'Fn::Equals', 'seq'),
  intrinsic('Not', 'Fn::Not', 'seq'),
  intrinsic('Join', 'Fn::Join', 'seq'),
  intrinsic('Select', 'Fn::Select', 'seq'),
  ...scalarOrSeq('Condition', 'Condition'),
] as unknown as Tags;

async function load(file: string) {
  return parse(await readFile(MANIFESTS_DIR + file, 'utf8'), { customTags }) as Record<string, any>;
}

describe('CloudFormation templates in manifests/', () => {
  it('are the files the engine hands out', async () => {
    const files = await readdir(MANIFESTS_DIR);
    for (const f of Object.values(TEMPLATE_FILES)) expect(files).toContain(f);
  });

  it.each(Object.values(TEMPLATE_FILES))('%s declares the parameters the engine fills and outputs RoleArn', async (file) => {
    const t = await load(file);
    expect(t.AWSTemplateFormatVersion).toBe('2010-09-09');
    for (const p of ['ExternalId', 'TrustedPrincipalArn', 'RoleName']) expect(t.Parameters[p]).toBeDefined();
    // The console drops NoEcho parameters from quick-create links: ExternalId must not be one.
    expect(t.Parameters.ExternalId.NoEcho).toBeUndefined();
    expect(t.Outputs.RoleArn).toBeDefined();
    expect(t.Metadata.cloudlink.TemplateVersion).toBe(TEMPLATE_VERSION);
    // No hard-coded partition anywhere.
    expect(JSON.stringify(t)).not.toMatch(/arn:aws:(?!\$)/);
  });

  it.each([TEMPLATE_FILES.aws, TEMPLATE_FILES.eks])('%s trusts only the platform, and only with the External ID', async (file) => {
    const t = await load(file);
    const role = t.Resources.IntegrationRole;
    expect(role.Type).toBe('AWS::IAM::Role');
    const stmt = role.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(stmt.Principal.AWS).toEqual({ Ref: 'TrustedPrincipalArn' });
    expect(stmt.Condition.StringEquals['sts:ExternalId']).toEqual({ Ref: 'ExternalId' });
    expect(t.Outputs.RoleArn.Value).toEqual({ 'Fn::GetAtt': 'IntegrationRole.Arn' });
  });

  it('grants EKS view access through an access entry when a cluster is named', async () => {
    const t = await load(TEMPLATE_FILES.eks);
    expect(t.Resources.ClusterAccess.Type).toBe('AWS::EKS::AccessEntry');
    expect(t.Resources.ClusterAccess.Condition).toBe('HasCluster');
    expect(JSON.stringify(t.Resources.ClusterAccess.Properties.AccessPolicies)).toContain('AmazonEKSViewPolicy');
  });

  it('rolls the role out to member accounts with a service-managed StackSet', async () => {
    const t = await load(TEMPLATE_FILES.organization);
    const ss = t.Resources.MemberRoles;
    expect(ss.Type).toBe('AWS::CloudFormation::StackSet');
    expect(ss.Properties.PermissionModel).toBe('SERVICE_MANAGED');
    expect(ss.Properties.AutoDeployment.Enabled).toBe(true);
    const params = ss.Properties.Parameters.map((p: { ParameterKey: string }) => p.ParameterKey);
    expect(params).toEqual(['ExternalId', 'TrustedPrincipalArn', 'RoleName']);
  });
});
