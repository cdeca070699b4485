import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema } from '../../config.js';

/** CLOUDLINK_AWS_INSTANCE_ROLE as the configuration reads it (true/1/yes; a bad value was refused at start). */
const instanceRoleIn = (env: NodeJS.ProcessEnv) => ConfigSchema.shape.CLOUDLINK_AWS_INSTANCE_ROLE.safeParse(env.CLOUDLINK_AWS_INSTANCE_ROLE).data === true;

/**
 * Whether the SDK's default chain has something to find. Without one, the chain would end by probing
 * the EC2 instance metadata service, which hangs off EC2; instance and container roles are opt-in
 * (CLOUDLINK_AWS_INSTANCE_ROLE, in the configuration: `instanceRole` from Config, else read from `env`
 * by the configuration's own rule) so a laptop or CI answers "no credentials" at once.
 */
export function awsCredentialSource(env: NodeJS.ProcessEnv = process.env, instanceRole: boolean = instanceRoleIn(env)): string | undefined {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return 'environment (AWS_ACCESS_KEY_ID)';
  if (env.AWS_PROFILE) return `profile ${env.AWS_PROFILE}`;
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return 'web identity (AWS_WEB_IDENTITY_TOKEN_FILE)';
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return 'container credentials';
  if (instanceRole) return 'instance role (IMDS)';
  const files = [env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'), env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config')];
  if (files.some((f) => existsSync(f))) return 'shared credentials file';
  return undefined;
}
