import { readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseDocument, type Tags } from 'yaml';
import { MANIFESTS_DIR, TEMPLATE_FILES, TEMPLATE_VERSION } from '../src/engine/families/aws-role/templates.js';

// CloudFormation's short-form intrinsics, as YAML tags, turned into their long form (a tagged
// sequence arrives as a YAML node: turned into a plain array, so the checks below see plain data).
const plain = (v: unknown) => (v && typeof v === 'object' && 'toJSON' in v && typeof v.toJSON === 'function' ? (v.toJSON as () => unknown)() : v);
const intrinsic = (tag: string, fn: string, kind: 'scalar' | 'seq' | 'map') => ({ tag: `!${tag}`, collection: kind === 'scalar' ? undefined : kind, resolve: (v: unknown) => ({ [fn]: plain(v) }) });
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
  intrinsic('Split', 'Fn::Split', 'seq'),
  intrinsic('EachMemberEquals', 'Fn::EachMemberEquals', 'seq'),
  ...scalarOrSeq('Condition', 'Condition'),
] as unknown as Tags;

type Template = Record<string, any>;

/** Parses a template; an unknown tag or any other YAML warning is an error (CloudFormation would refuse it). */
function parseTemplate(text: string, where: string): Template {
  const doc = parseDocument(text, { customTags });
  const issues = [...doc.errors, ...doc.warnings].map((e) => e.message);
  if (issues.length) throw new Error(`${where} does not parse cleanly: ${issues.join('; ')}`);
  return doc.toJS() as Template;
}

async function load(file: string) {
  return parseTemplate(await readFile(MANIFESTS_DIR + file, 'utf8'), file);
}

const PSEUDO = new Set(['AWS::Region', 'AWS::Partition', 'AWS::AccountId', 'AWS::StackName', 'AWS::NoValue', 'AWS::URLSuffix', 'AWS::StackId']);
/** The resource types cloudlink's templates use; a new one is added here on purpose. */
const KNOWN_TYPES = new Set(['AWS::IAM::Role', 'AWS::EKS::AccessEntry', 'AWS::CloudFormation::StackSet']);
const PARAMETER_TYPES = new Set(['String', 'Number', 'CommaDelimitedList']);

/**
 * What CloudFormation would refuse when it validates or creates a stack, checked without AWS: every
 * reference names something that exists, every parameter is used, defaults satisfy their own
 * constraints, StackSets carry what they need, and an inlined StackSet template passes the same checks.
 */
function cfnProblems(t: Template, where = 'template'): string[] {
  const problems: string[] = [];
  const say = (at: string, msg: string) => problems.push(`${where}: ${at}: ${msg}`);
  const params = Object.keys(t.Parameters ?? {});
  const resources = Object.keys(t.Resources ?? {});
  const conditions = Object.keys(t.Conditions ?? {});
  const usedParams = new Set<string>();
  const usedConditions = new Set<string>();

  if (t.AWSTemplateFormatVersion !== '2010-09-09') say('AWSTemplateFormatVersion', 'must be 2010-09-09');
  if (!resources.length) say('Resources', 'a template needs at least one resource');
  for (const key of Object.keys(t)) {
    if (!['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Conditions', 'Resources', 'Outputs'].includes(key)) say(key, 'unknown top-level section');
  }

  const condition = (at: string, name: unknown) => {
    if (typeof name !== 'string' || !conditions.includes(name)) say(at, `condition ${JSON.stringify(name)} is not defined`);
    else usedConditions.add(name);
  };
  /** Walks intrinsic functions. In Conditions and Rules only parameters and pseudo parameters can be referenced. */
  const walk = (node: unknown, at: string, onlyParams: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}[${i}]`, onlyParams));
    if (!node || typeof node !== 'object') return;
    const named = (here: string, name: string, what: string, vars: string[] = []) => {
      if (name.includes('.') && !onlyParams) {
        const res = name.split('.')[0]!;
        if (!resources.includes(res)) say(here, `${what} ${name}: ${res} is not a resource`);
        return;
      }
      const ok = PSEUDO.has(name) || params.includes(name) || vars.includes(name) || (!onlyParams && resources.includes(name));
      if (!ok) say(here, `${what} ${name} names no parameter${onlyParams ? '' : ', resource'} or pseudo parameter`);
      if (params.includes(name) && !vars.includes(name)) usedParams.add(name);
    };
    for (const [k, v] of Object.entries(node)) {
      const here = `${at}.${k}`;
      if (k === 'Ref') {
        if (typeof v !== 'string') say(here, 'Ref takes a name');
        else named(here, v, 'Ref');
      } else if (k === 'Fn::GetAtt') {
        const [res, attr] = typeof v === 'string' ? v.split(/\.(.*)/) : (v as string[]);
        if (onlyParams) say(here, 'Fn::GetAtt cannot be used here');
        else if (!res || !resources.includes(res) || !attr) say(here, `Fn::GetAtt ${JSON.stringify(v)} names no resource attribute`);
      } else if (k === 'Fn::Sub') {
        const [text, vars = {}] = typeof v === 'string' ? [v, {}] : (v as [string, Record<string, unknown>]);
        if (typeof text !== 'string') say(here, 'Fn::Sub takes a string');
        else for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) named(here, m[1]!.trim(), '${}', Object.keys(vars));
        walk(vars, here, onlyParams);
      } else if (k === 'Fn::If') {
        const [cond, ...branches] = v as unknown[];
        condition(here, cond);
        walk(branches, here, onlyParams);
      } else if (k === 'Condition' && typeof v === 'string') {
        condition(here, v);
      } else {
        walk(v, here, onlyParams);
      }
    }
  };

  for (const [name, p] of Object.entries<Record<string, any>>(t.Parameters ?? {})) {
    const at = `Parameters.${name}`;
    if (!PARAMETER_TYPES.has(p.Type)) say(at, `unknown parameter type ${p.Type}`);
    if (p.AllowedPattern !== undefined) {
      try {
        new RegExp(p.AllowedPattern);
      } catch {
        say(at, `AllowedPattern ${p.AllowedPattern} is not a regular expression`);
      }
    }
    if (p.Default === undefined) continue;
    // CloudFormation checks a default like any value; a CommaDelimitedList's constraints apply to each item.
    const values = p.Type === 'CommaDelimitedList' ? String(p.Default).split(',') : [String(p.Default)];
    for (const value of values) {
      if (p.AllowedPattern !== undefined && !new RegExp(`^(?:${p.AllowedPattern})$`).test(value)) say(at, `default ${JSON.stringify(value)} does not match AllowedPattern`);
      if (p.AllowedValues && !p.AllowedValues.includes(value)) say(at, `default ${JSON.stringify(value)} is not among AllowedValues`);
      if (p.Type === 'String' && p.MinLength !== undefined && value.length < p.MinLength) say(at, `default is shorter than MinLength ${p.MinLength}`);
      if (p.Type === 'String' && p.MaxLength !== undefined && value.length > p.MaxLength) say(at, `default is longer than MaxLength ${p.MaxLength}`);
    }
  }

  for (const group of t.Metadata?.['AWS::CloudFormation::Interface']?.ParameterGroups ?? []) {
    for (const p of group.Parameters ?? []) if (!params.includes(p)) say('Metadata.ParameterGroups', `${p} is not a parameter`);
  }

  for (const [name, c] of Object.entries(t.Conditions ?? {})) walk(c, `Conditions.${name}`, true);
  for (const [name, r] of Object.entries<Record<string, any>>(t.Rules ?? {})) {
    if (!Array.isArray(r.Assertions) || !r.Assertions.length) say(`Rules.${name}`, 'a rule needs Assertions');
    walk(r, `Rules.${name}`, true);
  }

  for (const [name, r] of Object.entries<Record<string, any>>(t.Resources ?? {})) {
    const at = `Resources.${name}`;
    if (!KNOWN_TYPES.has(r.Type)) say(at, `resource type ${r.Type} is not one cloudlink's templates use`);
    if (r.Condition !== undefined) condition(`${at}.Condition`, r.Condition);
    for (const dep of [r.DependsOn ?? []].flat()) if (!resources.includes(dep)) say(`${at}.DependsOn`, `${dep} is not a resource`);
    walk(r.Properties ?? {}, `${at}.Properties`, false);
    if (r.Type === 'AWS::CloudFormation::StackSet') problems.push(...stackSetProblems(r.Properties ?? {}, `${where}: ${at}`));
  }

  for (const [name, o] of Object.entries<Record<string, any>>(t.Outputs ?? {})) {
    const at = `Outputs.${name}`;
    if (o.Value === undefined) say(at, 'an output needs a Value');
    if (o.Condition !== undefined) condition(`${at}.Condition`, o.Condition);
    walk(o.Value, `${at}.Value`, false);
  }

  for (const p of params) if (!usedParams.has(p)) say(`Parameters.${p}`, 'is never used');
  for (const c of conditions) if (!usedConditions.has(c)) say(`Conditions.${c}`, 'is never used');
  return problems;
}

function stackSetProblems(p: Record<string, any>, where: string): string[] {
  const problems: string[] = [];
  const say = (msg: string) => problems.push(`${where}: ${msg}`);
  if (p.StackSetName === undefined) say('StackSetName is required');
  if (!['SERVICE_MANAGED', 'SELF_MANAGED'].includes(p.PermissionModel)) say('PermissionModel must be SERVICE_MANAGED or SELF_MANAGED');
  if (p.PermissionModel === 'SERVICE_MANAGED') {
    if (typeof p.AutoDeployment?.Enabled !== 'boolean') say('a SERVICE_MANAGED StackSet needs AutoDeployment.Enabled');
    const groups: Record<string, any>[] = p.StackInstancesGroup ?? [];
    if (!groups.length) say('a SERVICE_MANAGED StackSet needs StackInstancesGroup');
    for (const g of groups) {
      if (g.DeploymentTargets?.OrganizationalUnitIds === undefined) say('a SERVICE_MANAGED StackSet targets DeploymentTargets.OrganizationalUnitIds');
      if (!g.Regions || (Array.isArray(g.Regions) && !g.Regions.length)) say('every StackInstancesGroup needs Regions');
    }
  }
  if ((p.TemplateBody === undefined) === (p.TemplateURL === undefined)) say('exactly one of TemplateBody and TemplateURL');
  if (typeof p.TemplateBody === 'string') {
    let inner: Template;
    try {
      inner = parseTemplate(p.TemplateBody, `${where}.TemplateBody`);
    } catch (e) {
      return [...problems, (e as Error).message];
    }
    problems.push(...cfnProblems(inner, `${where}.TemplateBody`));
    const given: string[] = (p.Parameters ?? []).map((x: { ParameterKey: string }) => x.ParameterKey);
    for (const key of given) if (!inner.Parameters?.[key]) say(`parameter ${key} is not in the StackSet's template`);
    for (const [key, q] of Object.entries<Record<string, any>>(inner.Parameters ?? {})) if (q.Default === undefined && !given.includes(key)) say(`the StackSet's template needs parameter ${key}`);
    const iam = Object.values<Record<string, any>>(inner.Resources ?? {}).some((r) => String(r.Type).startsWith('AWS::IAM::'));
    if (iam && !(p.Capabilities ?? []).some((c: string) => c === 'CAPABILITY_IAM' || c === 'CAPABILITY_NAMED_IAM')) say('an IAM template needs Capabilities CAPABILITY_NAMED_IAM');
  }
  return problems;
}

/** Evaluates the few condition and rule functions the templates use, with parameter values (defaults otherwise). */
function evaluate(t: Template, node: unknown, values: Record<string, string> = {}): unknown {
  if (Array.isArray(node)) return node.map((n) => evaluate(t, n, values));
  if (!node || typeof node !== 'object') return node;
  const [[fn, arg]] = Object.entries(node) as [[string, any]];
  const ev = (n: unknown) => evaluate(t, n, values);
  switch (fn) {
    case 'Ref': {
      const p = t.Parameters[arg];
      const value = values[arg] ?? String(p.Default ?? '');
      return p.Type === 'CommaDelimitedList' ? value.split(',') : value;
    }
    case 'Fn::Join':
      return (ev(arg[1]) as string[]).join(arg[0]);
    case 'Fn::Equals':
      return ev(arg[0]) === ev(arg[1]);
    case 'Fn::Not':
      return !ev(arg[0]);
    case 'Fn::EachMemberEquals':
      return (ev(arg[0]) as string[]).every((x) => x === ev(arg[1]));
    case 'Condition':
      return ev(t.Conditions[arg]);
    default:
      throw new Error(`evaluate: ${fn} is not supported here`);
  }
}

const manifestFiles = async () => (await readdir(MANIFESTS_DIR)).filter((f) => /\.ya?ml$/.test(f)).sort();
const policyActions = (role: Template): string[] => role.Properties.Policies.flatMap((p: Template) => p.PolicyDocument.Statement.flatMap((s: Template) => [s.Action].flat()));

describe('CloudFormation templates in manifests/', () => {
  it('are the files the engine hands out, and the engine hands out all of them', async () => {
    const files = await manifestFiles();
    expect(files).toEqual(Object.values(TEMPLATE_FILES).sort());
  });

  it.each(Object.values(TEMPLATE_FILES))('%s declares the parameters the engine fills and outputs RoleArn', async (file) => {
    const t = await load(file);
    expect(t.AWSTemplateFormatVersion).toBe('2010-09-09');
    for (const p of ['ExternalId', 'TrustedPrincipalArn', 'RoleName']) expect(t.Parameters[p]).toBeDefined();
    // The console drops NoEcho parameters from quick-create links: no External ID may be one.
    for (const [name, p] of Object.entries<Template>(t.Parameters)) expect(p.NoEcho, name).toBeUndefined();
    expect(t.Outputs.RoleArn).toBeDefined();
    expect(t.Metadata.cloudlink.TemplateVersion).toBe(TEMPLATE_VERSION);
    expect(t.Outputs.TemplateVersion.Value).toBe(TEMPLATE_VERSION);
    expect(t.Description).toContain(`(template ${TEMPLATE_VERSION})`);
    // No hard-coded partition anywhere, inlined templates included.
    expect(JSON.stringify(t)).not.toMatch(/arn:aws:(?!\$)/);
  });

  it.each([TEMPLATE_FILES.aws, TEMPLATE_FILES.eks, TEMPLATE_FILES.member])('%s trusts only the platform, and only with the External ID', async (file) => {
    const t = await load(file);
    const role = t.Resources.IntegrationRole;
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toHaveLength(1);
    const stmt = role.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(stmt.Principal.AWS).toEqual({ Ref: 'TrustedPrincipalArn' });
    expect(stmt.Condition.StringEquals['sts:ExternalId']).toEqual({ Ref: 'ExternalId' });
    expect(t.Outputs.RoleArn.Value).toEqual({ 'Fn::GetAtt': 'IntegrationRole.Arn' });
  });

  it('gives member accounts the read-only managed policies and nothing more', async () => {
    const t = await load(TEMPLATE_FILES.member);
    expect(Object.keys(t.Resources)).toEqual(['IntegrationRole']);
    const role = t.Resources.IntegrationRole.Properties;
    expect(role.ManagedPolicyArns).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/SecurityAudit' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/job-function/ViewOnlyAccess' },
    ]);
    expect(role.Policies).toBeUndefined();
    expect(t.Parameters.RoleName.Default).toBe('CloudlinkMember');
  });

  it('lets the management role read the organization and the rollout, and write nothing', async () => {
    const t = await load(TEMPLATE_FILES.aws);
    const actions = policyActions(t.Resources.IntegrationRole);
    expect(actions.sort()).toEqual(
      [
        'organizations:DescribeOrganization',
        'organizations:ListRoots',
        'organizations:ListOrganizationalUnitsForParent',
        'organizations:ListAccountsForParent',
        'organizations:ListAccounts',
        'organizations:DescribeAccount',
        'cloudformation:DescribeStacks',
        'cloudformation:DescribeStackSet',
        'cloudformation:ListStackInstances',
      ].sort(),
    );
    for (const a of actions) expect(a).toMatch(/^[a-z]+:(Describe|List)[A-Za-z]+$/);
  });

  it('grants EKS view access through an access entry when a cluster is named', async () => {
    const t = await load(TEMPLATE_FILES.eks);
    expect(t.Resources.ClusterAccess.Type).toBe('AWS::EKS::AccessEntry');
    expect(t.Resources.ClusterAccess.Condition).toBe('HasCluster');
    expect(JSON.stringify(t.Resources.ClusterAccess.Properties.AccessPolicies)).toContain('AmazonEKSViewPolicy');
  });

  describe.each([
    { file: TEMPLATE_FILES.aws, externalId: 'MemberExternalId', roleName: 'MemberRoleName', callAs: 'SELF' },
    { file: TEMPLATE_FILES.organization, externalId: 'ExternalId', roleName: 'RoleName', callAs: { Ref: 'CallAs' } },
  ])('$file rolls the member role out with a service-managed StackSet', ({ file, externalId, roleName, callAs }) => {
    it('with auto-deployment, to the chosen OUs, in one region, named after the stack', async () => {
      const t = await load(file);
      const ss = t.Resources.MemberRoles;
      expect(ss.Type).toBe('AWS::CloudFormation::StackSet');
      const p = ss.Properties;
      expect(p.StackSetName).toEqual({ 'Fn::Sub': 'cloudlink-members-${AWS::StackName}' });
      expect(t.Outputs.StackSetName.Value).toEqual(p.StackSetName);
      expect(p.PermissionModel).toBe('SERVICE_MANAGED');
      expect(p.CallAs).toEqual(callAs);
      expect(p.AutoDeployment).toEqual({ Enabled: true, RetainStacksOnAccountRemoval: false });
      expect(p.Capabilities).toEqual(['CAPABILITY_NAMED_IAM']);
      expect(p.ManagedExecution).toEqual({ Active: true });
      expect(p.OperationPreferences).toEqual({ RegionConcurrencyType: 'PARALLEL', MaxConcurrentPercentage: 100, FailureTolerancePercentage: 100 });
      expect(p.Parameters).toEqual([
        { ParameterKey: 'ExternalId', ParameterValue: { Ref: externalId } },
        { ParameterKey: 'TrustedPrincipalArn', ParameterValue: { Ref: 'TrustedPrincipalArn' } },
        { ParameterKey: 'RoleName', ParameterValue: { Ref: roleName } },
      ]);
      expect(p.StackInstancesGroup).toEqual([{ DeploymentTargets: { OrganizationalUnitIds: { Ref: 'OrganizationalUnitIds' } }, Regions: [{ Ref: 'AWS::Region' }] }]);
      expect(p.TemplateURL).toBeUndefined();
      expect(t.Parameters.RoleTemplateUrl).toBeUndefined();
    });

    it('inlines aws-member-role.yaml byte for byte', async () => {
      const t = await load(file);
      const member = await readFile(MANIFESTS_DIR + TEMPLATE_FILES.member, 'utf8');
      // If this fails, copy aws-member-role.yaml into the TemplateBody block, indented by 8 spaces.
      expect(t.Resources.MemberRoles.Properties.TemplateBody).toBe(member);
    });
  });

  it('the two rollouts deploy the same StackSet', async () => {
    const same = (p: Template) => ({ ...p, CallAs: undefined, Parameters: p.Parameters.map((x: Template) => x.ParameterKey) });
    const a = (await load(TEMPLATE_FILES.aws)).Resources.MemberRoles.Properties;
    const b = (await load(TEMPLATE_FILES.organization)).Resources.MemberRoles.Properties;
    expect(same(a)).toEqual(same(b));
  });

  it('the management template rolls out only when OUs are given, and then needs the members\' External ID', async () => {
    const t = await load(TEMPLATE_FILES.aws);
    expect(t.Resources.MemberRoles.Condition).toBe('RollOutToMembers');
    for (const o of ['MemberRoleName', 'StackSetName']) expect(t.Outputs[o].Condition).toBe('RollOutToMembers');
    const groups = t.Metadata['AWS::CloudFormation::Interface'].ParameterGroups;
    expect(groups[1]).toEqual({ Label: { default: 'Whole organization (optional)' }, Parameters: ['OrganizationalUnitIds', 'MemberExternalId', 'MemberRoleName'] });
    expect(t.Parameters.MemberExternalId.AllowedPattern).toBe(t.Parameters.ExternalId.AllowedPattern);
    expect(t.Parameters.MemberRoleName.AllowedPattern).toBe(t.Parameters.RoleName.AllowedPattern);

    const rollOut = (values: Record<string, string>) => evaluate(t, { Condition: 'RollOutToMembers' }, values);
    expect(rollOut({})).toBe(false);
    expect(rollOut({ OrganizationalUnitIds: 'r-ab12' })).toBe(true);
    expect(rollOut({ OrganizationalUnitIds: 'ou-ab12-abcdefgh,ou-ab12-ijklmnop' })).toBe(true);

    const rule = t.Rules.MemberExternalIdWithRollout;
    const refused = (values: Record<string, string>) => evaluate(t, rule.RuleCondition, values) === true && rule.Assertions.some((a: Template) => evaluate(t, a.Assert, values) !== true);
    expect(refused({})).toBe(false);
    expect(refused({ OrganizationalUnitIds: 'r-ab12' })).toBe(true);
    expect(refused({ OrganizationalUnitIds: 'r-ab12', MemberExternalId: 'cl-org-123' })).toBe(false);

    // The OU pattern: the root, OUs, and the empty default; not an account id.
    const ou = new RegExp(`^(?:${t.Parameters.OrganizationalUnitIds.AllowedPattern})$`);
    for (const ok of ['', 'r-ab12', 'ou-ab12-abcdefgh']) expect(ou.test(ok), ok).toBe(true);
    for (const bad of ['123456789012', 'ou-ab12', ' r-ab12']) expect(ou.test(bad), bad).toBe(false);
  });

  it('the separate rollout template needs the OUs', async () => {
    const t = await load(TEMPLATE_FILES.organization);
    expect(t.Parameters.OrganizationalUnitIds.Default).toBeUndefined();
    expect(new RegExp(`^(?:${t.Parameters.OrganizationalUnitIds.AllowedPattern})$`).test('')).toBe(false);
    expect(t.Parameters.RoleName.Default).toBe('CloudlinkMember');
    expect(t.Parameters.CallAs.AllowedValues).toEqual(['SELF', 'DELEGATED_ADMIN']);
    expect(Object.keys(t.Outputs).sort()).toEqual(['RoleArn', 'StackSetName', 'TemplateVersion']);
  });
});

describe('every template would synthesize (structural CloudFormation checks)', () => {
  it.each(['aws-integration-role.yaml', 'aws-member-role.yaml', 'aws-organization-stackset.yaml', 'eks-integration-role.yaml'])('%s is among the checked files', async (file) => {
    expect(await manifestFiles()).toContain(file);
  });

  it('passes for every file in manifests/', async () => {
    const files = await manifestFiles();
    const problems = (await Promise.all(files.map(async (f) => cfnProblems(await load(f), f)))).flat();
    expect(problems).toEqual([]);
  });

  it('catches what CloudFormation would refuse', () => {
    const inner = [
      "AWSTemplateFormatVersion: '2010-09-09'",
      'Parameters:',
      '  Needed: { Type: String }',
      'Resources:',
      '  R: { Type: AWS::IAM::Role, Properties: { RoleName: !Ref Nope } }',
      '',
    ].join('\n');
    const bad: Template = {
      AWSTemplateFormatVersion: '2010-09-09',
      Parameters: {
        Unused: { Type: 'String' },
        Name: { Type: 'String', Default: 'a b', AllowedPattern: '[a-z]+' },
        Ous: { Type: 'CommaDelimitedList', Default: 'r-1,x', AllowedPattern: 'r-[0-9]+' },
      },
      Conditions: { Never: { 'Fn::Equals': [{ Ref: 'Missing' }, ''] }, Unused2: { 'Fn::Equals': ['a', 'b'] } },
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Condition: 'Undefined', Properties: { RoleName: { Ref: 'Name' }, Path: { 'Fn::Sub': '/${Ghost}/${AWS::Region}/${Role.Arn}/${Ous}' }, Arn: { 'Fn::GetAtt': 'Nothing.Arn' } } },
        Bucket: { Type: 'AWS::S3::Bucket' },
        Set: {
          Type: 'AWS::CloudFormation::StackSet',
          Properties: { PermissionModel: 'SERVICE_MANAGED', StackInstancesGroup: [{ Regions: ['eu-west-1'] }], Parameters: [{ ParameterKey: 'Extra', ParameterValue: 'x' }], TemplateBody: inner },
        },
      },
      Outputs: { O: { Condition: 'Gone', Value: { Ref: 'Never' } } },
    };
    const problems = cfnProblems(bad, 'bad').join('\n');
    for (const expected of [
      'Parameters.Unused: is never used',
      'Parameters.Name: default "a b" does not match AllowedPattern',
      'Parameters.Ous: default "x" does not match AllowedPattern',
      'Conditions.Never.Fn::Equals[0].Ref: Ref Missing names no parameter or pseudo parameter',
      'Conditions.Unused2: is never used',
      'Resources.Role.Condition: condition "Undefined" is not defined',
      '${} Ghost names no parameter',
      'Fn::GetAtt "Nothing.Arn" names no resource attribute',
      'resource type AWS::S3::Bucket is not one',
      'StackSetName is required',
      'needs AutoDeployment.Enabled',
      'targets DeploymentTargets.OrganizationalUnitIds',
      'parameter Extra is not in the StackSet\'s template',
      'the StackSet\'s template needs parameter Needed',
      'needs Capabilities CAPABILITY_NAMED_IAM',
      'TemplateBody: Resources.R.Properties.RoleName.Ref: Ref Nope names no parameter',
      'Outputs.O.Condition: condition "Gone" is not defined',
      'Outputs.O.Value.Ref: Ref Never names no parameter',
    ]) {
      expect(problems).toContain(expected);
    }
    expect(problems).not.toContain('AWS::Region');
    expect(problems).not.toContain('Role.Arn');
  });

  it('refuses a template with an unknown tag', () => {
    expect(() => parseTemplate("Resources:\n  R: { Type: AWS::IAM::Role, Properties: { RoleName: !Reff X } }\n", 'x')).toThrow(/does not parse cleanly/);
  });
});
