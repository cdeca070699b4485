import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { AwsGateway, AwsSession, OrganizationInfo, StackDescription, VerifiedRole } from '../../engine/ports/aws.js';
import { principalFromCallerArn } from '../../engine/families/aws-role/arn.js';
import { CloudlinkError } from '../../engine/errors.js';
import { isAccessDenied, isNetwork, isThrottle, mapAwsError } from './errors.js';
import type { Logger } from '../../log.js';

export type AwsProviderConfig = {
  region: string;
  /** One endpoint for STS, CloudFormation and Organizations: tests point it at 127.0.0.1. */
  endpoint?: string;
  /** The platform's own credentials; the SDK's default provider chain when absent. */
  credentials?: AwsCredentialIdentity;
  principalArn?: string;
  maxAttempts: number;
  requestTimeoutMs: number;
  /** First pause between AssumeRole attempts while IAM propagates; doubles up to 10 s. */
  retryBaseMs: number;
  /** Whether the default provider chain has a source to read (see credentials.ts). */
  hasCredentialSource: boolean;
  /** Where the SDK's own warnings go (it writes to the console otherwise). */
  log?: Logger;
};

type Session = AwsSession & { credentials: AwsCredentialIdentity };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the SDK's logger said, in one line: the command and the error's name, never inputs or outputs. */
function sdkDetail(parts: unknown[]): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const o = p as { clientName?: string; commandName?: string; error?: { name?: string } };
      return o?.commandName ? `${o.clientName ?? ''} ${o.commandName}${o.error?.name ? `: ${o.error.name}` : ''}`.trim() : p instanceof Error ? p.name : typeof p;
    })
    .join(' ');
}

/** The AWS gateway on the real AWS SDK v3. Clients load on first use: start-up stays fast. */
export class SdkAwsGateway implements AwsGateway {
  private principal?: Promise<string>;

  constructor(private readonly config: AwsProviderConfig) {}

  /** A hard bound on one command, retries included: a hanging endpoint must not hang a person. */
  private deadline() {
    return { abortSignal: AbortSignal.timeout(this.config.requestTimeoutMs * this.config.maxAttempts) };
  }

  private clientConfig(region: string, credentials?: AwsCredentialIdentity) {
    const log = this.config.log;
    const logger = log ? { debug: () => undefined, info: () => undefined, trace: () => undefined, warn: (...m: unknown[]) => log.warn('AWS SDK warning', { detail: sdkDetail(m) }), error: (...m: unknown[]) => log.debug('AWS SDK error', { detail: sdkDetail(m) }) } : undefined;
    return {
      ...(logger ? { logger } : {}),
      region,
      endpoint: this.config.endpoint,
      credentials: credentials ?? this.config.credentials,
      maxAttempts: this.config.maxAttempts,
      requestHandler: { requestTimeout: this.config.requestTimeoutMs, connectionTimeout: this.config.requestTimeoutMs, ...(logger ? { logger } : {}) },
    };
  }

  /** Fails fast, with the fix, when the service has no AWS credentials at all. */
  private requirePlatformCredentials() {
    if (!this.config.credentials && !this.config.hasCredentialSource) {
      throw new CloudlinkError(
        'PLATFORM_NOT_CONFIGURED',
        'cloudlink has no AWS credentials of its own, so it cannot assume customer roles yet. An operator must give the service AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or CLOUDLINK_AWS_INSTANCE_ROLE=true on EC2/ECS).',
      );
    }
  }

  private async sts(region: string, credentials?: AwsCredentialIdentity) {
    if (!credentials) this.requirePlatformCredentials();
    const { STSClient } = await import('@aws-sdk/client-sts');
    return new STSClient(this.clientConfig(region, credentials));
  }

  platformPrincipalArn(): Promise<string> {
    if (this.config.principalArn) return Promise.resolve(this.config.principalArn);
    this.principal ??= (async () => {
      const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
      let client;
      try {
        client = await this.sts(this.config.region);
      } catch (e) {
        this.principal = undefined;
        throw e;
      }
      try {
        const me = await client.send(new GetCallerIdentityCommand({}), this.deadline());
        if (!me.Arn) throw new Error('no Arn');
        return principalFromCallerArn(me.Arn);
      } catch (e) {
        this.principal = undefined;
        throw new CloudlinkError(
          'PLATFORM_NOT_CONFIGURED',
          'cloudlink has no AWS identity yet, so it cannot tell you which principal to trust. An operator must give the service AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, an instance role…) or set CLOUDLINK_AWS_PRINCIPAL_ARN.',
          {},
          { cause: (e as Error).name },
        );
      } finally {
        client.destroy();
      }
    })();
    return this.principal;
  }

  async verifyRole(input: { roleArn: string; externalId: string; region: string; retryForMs: number }): Promise<VerifiedRole> {
    const { AssumeRoleCommand, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const principalArn = await this.platformPrincipalArn().catch(() => '(the platform principal)');
    const ctx = { roleArn: input.roleArn, externalId: input.externalId, principalArn };
    const platform = await this.sts(input.region);
    try {
      const started = Date.now();
      let pause = this.config.retryBaseMs;
      let credentials: AwsCredentialIdentity | undefined;
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await platform.send(
            new AssumeRoleCommand({ RoleArn: input.roleArn, RoleSessionName: 'cloudlink-verify', ExternalId: input.externalId, DurationSeconds: 900 }),
            this.deadline(),
          );
          const c = out.Credentials;
          if (!c?.AccessKeyId || !c.SecretAccessKey) throw new CloudlinkError('CLOUD_ERROR', 'AWS answered AssumeRole without credentials. Try again in a moment.');
          credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
          break;
        } catch (e) {
          // A role created seconds ago answers AccessDenied until IAM has propagated it.
          const retryable = isAccessDenied(e) || isThrottle(e) || isNetwork(e);
          if (!retryable || Date.now() - started + pause > input.retryForMs) {
            throw mapAwsError(e, { ...ctx, propagating: isAccessDenied(e) && input.retryForMs > 0 && Date.now() - started < 120_000 });
          }
          await sleep(pause);
          pause = Math.min(pause * 2, 10_000);
        }
      }

      const assumed = await this.sts(input.region, credentials);
      let accountId: string;
      let callerArn: string;
      try {
        const me = await assumed.send(new GetCallerIdentityCommand({}), this.deadline());
        accountId = me.Account ?? '';
        callerArn = me.Arn ?? '';
      } catch (e) {
        throw mapAwsError(e, ctx);
      } finally {
        assumed.destroy();
      }

      // AWS's guidance: if the role can be assumed without the External ID, it does not protect anyone.
      try {
        await platform.send(new AssumeRoleCommand({ RoleArn: input.roleArn, RoleSessionName: 'cloudlink-extid-probe', DurationSeconds: 900 }), this.deadline());
        throw new CloudlinkError(
          'EXTERNAL_ID_NOT_ENFORCED',
          `The role ${input.roleArn} can be assumed without the External ID, so its trust policy does not protect you against the confused-deputy problem. cloudlink refuses such a link. Update the role's trust policy to require sts:ExternalId = ${input.externalId} (deploying cloudlink's template does this), then try again.`,
          { roleArn: 'The trust policy does not require the External ID.' },
        );
      } catch (e) {
        if (e instanceof CloudlinkError) throw e;
        if (!isAccessDenied(e)) throw mapAwsError(e, ctx);
      }

      const session = { credentials } as Session;
      return { accountId, callerArn, organization: await this.organization(credentials), session };
    } finally {
      platform.destroy();
    }
  }

  private async organization(credentials: AwsCredentialIdentity): Promise<OrganizationInfo> {
    const { OrganizationsClient, DescribeOrganizationCommand } = await import('@aws-sdk/client-organizations');
    const client = new OrganizationsClient(this.clientConfig('us-east-1', credentials));
    try {
      const out = await client.send(new DescribeOrganizationCommand({}), this.deadline());
      const org = out.Organization;
      if (!org?.Id || !org.MasterAccountId) return { state: 'unknown', reason: 'no organization in the answer' };
      return { state: 'member', id: org.Id, managementAccountId: org.MasterAccountId };
    } catch (e) {
      if ((e as Error).name === 'AWSOrganizationsNotInUseException') return { state: 'none' };
      return { state: 'unknown', reason: (e as Error).name };
    } finally {
      client.destroy();
    }
  }

  async describeStack(session: AwsSession, stackName: string, region: string): Promise<StackDescription | null> {
    const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
    const client = new CloudFormationClient(this.clientConfig(region, (session as Session).credentials));
    try {
      const out = await client.send(new DescribeStacksCommand({ StackName: stackName }), this.deadline());
      const stack = out.Stacks?.[0];
      if (!stack) return null;
      const outputs: Record<string, string> = {};
      for (const o of stack.Outputs ?? []) if (o.OutputKey && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
      return { status: stack.StackStatus, outputs };
    } catch (e) {
      // The role may lack cloudformation:DescribeStacks, or the stack may be in another region.
      if ((e as Error).name === 'ValidationError' || isAccessDenied(e)) return null;
      throw mapAwsError(e, { roleArn: '', externalId: '', principalArn: '' });
    } finally {
      client.destroy();
    }
  }
}
