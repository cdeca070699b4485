import { describe, expect, it } from 'vitest';
import { AccountName } from '../../src/engine/domain/records.js';
import { CloudlinkError } from '../../src/engine/errors.js';
import { parseRoleArn, principalFromCallerArn } from '../../src/engine/families/aws-role/arn.js';
import { EXTERNAL_ID_PATTERN, generateExternalId } from '../../src/engine/families/aws-role/external-id.js';
import { quickCreateUrl } from '../../src/engine/families/aws-role/quick-create.js';

describe('role ARN parsing', () => {
  it.each([
    ['arn:aws:iam::123456789012:role/CloudlinkIntegrationRole', 'aws', '123456789012', '/', 'CloudlinkIntegrationRole'],
    ['arn:aws-us-gov:iam::123456789012:role/Gov', 'aws-us-gov', '123456789012', '/', 'Gov'],
    ['arn:aws-cn:iam::123456789012:role/China', 'aws-cn', '123456789012', '/', 'China'],
    ['arn:aws:iam::123456789012:role/team/integrations/Cl+=,.@-_', 'aws', '123456789012', '/team/integrations/', 'Cl+=,.@-_'],
    ['  arn:aws:iam::123456789012:role/Trimmed  ', 'aws', '123456789012', '/', 'Trimmed'],
  ])('accepts %s', (arn, partition, accountId, path, roleName) => {
    expect(parseRoleArn(arn)).toMatchObject({ partition, accountId, path, roleName });
  });

  it.each([
    ['arn:aws:iam::12345678901:role/x', /12 digits/],
    ['arn:aws:iam::123456789012:user/alice', /IAM user ARN/],
    ['arn:aws:sts::123456789012:assumed-role/r/s', /assumed-role/],
    ['arn:aws:iam::123456789012:role/has space', /spaces/],
    ['arn:gcp:iam::123456789012:role/x', /not an IAM role ARN/],
    ['arn:aws:iam::123456789012:role/' + 'x'.repeat(65), /not an IAM role ARN/],
    ['', /not an IAM role ARN/],
  ])('refuses %s with a hint', (arn, hint) => {
    try {
      parseRoleArn(arn);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CloudlinkError);
      expect((e as CloudlinkError).message).toMatch(hint);
      expect((e as CloudlinkError).fields.roleArn).toBeDefined();
    }
  });

  it('turns an assumed-role caller into the role to trust', () => {
    expect(principalFromCallerArn('arn:aws:sts::999999999999:assumed-role/platform/i-0abc')).toBe('arn:aws:iam::999999999999:role/platform');
    expect(principalFromCallerArn('arn:aws:iam::999999999999:user/ci')).toBe('arn:aws:iam::999999999999:user/ci');
  });
});

describe('account names', () => {
  it('trims and folds white space', () => {
    expect(AccountName.parse('  Prod   account ')).toBe('Prod account');
  });
  it.each(['', '   ', 'x'.repeat(65), 'bad\u0007bell', 'new\nline', '<!channel>', '<@U123>', '*bold*'])('refuses %j', (name) => {
    expect(AccountName.safeParse(name).success).toBe(false);
  });
  it('accepts international names up to 64 characters', () => {
    expect(AccountName.parse('Produktion – Zürich (EU)'.replace('–', '-'))).toBe('Produktion - Zürich (EU)');
    expect(AccountName.parse('x'.repeat(64))).toHaveLength(64);
  });
});

describe('External ID', () => {
  it('is random, long enough and inside the pattern AWS accepts', () => {
    const ids = new Set(Array.from({ length: 100 }, generateExternalId));
    expect(ids.size).toBe(100);
    for (const id of ids) {
      expect(id.length).toBeGreaterThanOrEqual(32);
      expect(id).toMatch(EXTERNAL_ID_PATTERN);
    }
  });
});

describe('quick-create URL', () => {
  const base = { region: 'us-east-1', templateUrl: 'https://bucket.s3.amazonaws.com/v1/aws integration.yaml', stackName: 'cloudlink-aws-1a2b3c4d', parameters: { ExternalId: 'cl-abc', TrustedPrincipalArn: 'arn:aws:iam::999999999999:role/p', Empty: '' } };
  it('carries the template, stack name and param_ parameters, URL-encoded', () => {
    const url = new URL(quickCreateUrl({ partition: 'aws', ...base }));
    expect(url.origin).toBe('https://console.aws.amazon.com');
    expect(url.pathname).toBe('/cloudformation/home');
    const [route, query] = url.hash.slice(1).split('?');
    expect(route).toBe('/stacks/quickcreate');
    expect(query).not.toContain(' ');
    expect(query).not.toContain('+');
    const q = new URLSearchParams(query);
    expect(q.get('templateURL')).toBe(base.templateUrl);
    expect(q.get('stackName')).toBe(base.stackName);
    expect(q.get('param_ExternalId')).toBe('cl-abc');
    expect(q.get('param_TrustedPrincipalArn')).toBe(base.parameters.TrustedPrincipalArn);
    expect(q.has('param_Empty')).toBe(false);
  });
  it('opens the console of the partition', () => {
    expect(new URL(quickCreateUrl({ partition: 'aws-us-gov', ...base })).host).toBe('console.amazonaws-us-gov.com');
    expect(new URL(quickCreateUrl({ partition: 'aws-cn', ...base })).host).toBe('console.amazonaws.cn');
  });
  it('refuses a stack name CloudFormation would refuse', () => {
    expect(() => quickCreateUrl({ partition: 'aws', ...base, stackName: '1-starts-with-digit' })).toThrow();
  });
});
