import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { awsCredentialSource } from '../../src/providers/aws/credentials.js';

// Nothing else for the chain to find: no keys, no profile, no shared files.
const nowhere = join(tmpdir(), 'cloudlink-no-such-aws-folder');
const bare = { AWS_SHARED_CREDENTIALS_FILE: join(nowhere, 'credentials'), AWS_CONFIG_FILE: join(nowhere, 'config') };

describe('CLOUDLINK_AWS_INSTANCE_ROLE is a setting of the configuration', () => {
  it('is read as every boolean setting is (true/1/yes, false/0/no), off by default', () => {
    expect(loadConfig({}).CLOUDLINK_AWS_INSTANCE_ROLE).toBe(false);
    for (const on of ['true', '1', 'yes']) expect(loadConfig({ CLOUDLINK_AWS_INSTANCE_ROLE: on }).CLOUDLINK_AWS_INSTANCE_ROLE, on).toBe(true);
    for (const off of ['false', '0', 'no', '']) expect(loadConfig({ CLOUDLINK_AWS_INSTANCE_ROLE: off }).CLOUDLINK_AWS_INSTANCE_ROLE, off).toBe(false);
  });

  it('refuses a value it does not know at start, naming the variable', () => {
    expect(() => loadConfig({ CLOUDLINK_AWS_INSTANCE_ROLE: 'on-ec2' })).toThrow(ConfigError);
    expect(() => loadConfig({ CLOUDLINK_AWS_INSTANCE_ROLE: 'on-ec2' })).toThrow(/CLOUDLINK_AWS_INSTANCE_ROLE: /);
  });

  it('turns the instance role on for the credential chain exactly when the configuration says so', () => {
    for (const on of ['true', '1', 'yes']) expect(awsCredentialSource({ ...bare, CLOUDLINK_AWS_INSTANCE_ROLE: on }), on).toBe('instance role (IMDS)');
    for (const off of [undefined, 'false', '0', 'no', 'on-ec2']) expect(awsCredentialSource({ ...bare, ...(off === undefined ? {} : { CLOUDLINK_AWS_INSTANCE_ROLE: off }) }), String(off)).toBeUndefined();
    // Given from a loaded Config, that value is what counts.
    expect(awsCredentialSource(bare, loadConfig({ CLOUDLINK_AWS_INSTANCE_ROLE: 'yes' }).CLOUDLINK_AWS_INSTANCE_ROLE)).toBe('instance role (IMDS)');
    expect(awsCredentialSource({ ...bare, CLOUDLINK_AWS_INSTANCE_ROLE: 'true' }, false)).toBeUndefined();
  });
});
