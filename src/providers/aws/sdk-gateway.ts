import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import pThrottle from 'p-throttle';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { Account } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AssumeRoleRequest, AwsGateway, AwsSession, OrganizationInfo, OrgAccount, OrgDiscovery, OrgNode, StackDescription, StackInstance, TemporaryCredentials, VerifiedRole } from '../../engine/ports/aws.js';
import { principalFromCallerArn } from '../../engine/families/aws-role/arn.js';
import { CloudlinkError } from '../../engine/errors.js';
import { isAccessDenied, isNetwork, isThrottle, mapAwsError, mapOrganizationsError } from './errors.js';
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
  /** Told of every HTTP attempt (retries included), for /metrics. */
  onCall?: (service: string, operation: string, outcome: 'ok' | 'error' | 'throttled') => void;
  /**
   * Attempts per request of bulk work (organization discovery, StackSet instances, member verification
   * with `skipOrganization`): more attempts, with backoff, behind cloudlink's own rate limits.
   * Organizations throttles at a few hundred accounts and publishes no rate. Default 8.
   */
  bulkMaxAttempts?: number;
  /**
   * The SDK retry mode of bulk work. 'standard' (default) backs off, with cloudlink's own rate limits
   * below; 'adaptive' adds the SDK's rate limiter, which collapses to about one request a second under
   * sporadic throttling (measured: 1,000 members took 200 s instead of 15 s).
   */
  bulkRetryMode?: 'adaptive' | 'standard';
  /** Organizations requests per second during discovery (40 by default). */
  orgRequestsPerSecond?: number;
  /** STS requests per second while verifying many members (400 by default). */
  bulkStsRequestsPerSecond?: number;
  /** Parents (root, OUs) listed at once during discovery. Default 8. */
  orgParallelism?: number;
};

type Session = AwsSession & { credentials: AwsCredentialIdentity };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fix for a service without AWS credentials, whichever check finds it. */
const GIVE_CREDENTIALS = 'An operator must give the service AWS credentials (AWS_PROFILE naming a profile that exists, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or CLOUDLINK_AWS_INSTANCE_ROLE=true on EC2/ECS).';

/**
 * The SDK's chain found no credentials for cloudlink itself (CredentialsProviderError): nothing was
 * refused, nothing was there; for a profile that does not exist, the SDK names it. Worded as such, with
 * `details.reason` so a front end (the credentials command) can say what applies to it.
 */
export function missingPlatformCredentials(e: unknown, env: NodeJS.ProcessEnv = process.env): CloudlinkError | undefined {
  if ((e as Error)?.name !== 'CredentialsProviderError') return undefined;
  // The SDK names the profile when only the shared files were asked; its whole chain says "any providers".
  const profile = /profile: \[([^\]]+)\]/.exec((e as Error).message ?? '')?.[1] ?? env.AWS_PROFILE;
  const what = profile
    ? `the AWS profile "${profile}" it was told to use (AWS_PROFILE) gave none: check that it is in the AWS config or credentials file (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) and holds credentials`
    : 'the AWS SDK found none in the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or in the default profile of the AWS config and credentials files';
  // The SDK's own words say what applies (an expired SSO session: "run aws sso login"; a failing
  // credential_process); they name files and profiles, never keys.
  // (The chain's "from any providers" and a missing profile's message say no more than the wording above.)
  const raw = ((e as Error).message ?? '').replace(/\s+/g, ' ').trim().slice(0, 300);
  const said = raw && !/from any providers|using profile: \[/i.test(raw) ? raw : '';
  return new CloudlinkError(
    'PLATFORM_NOT_CONFIGURED',
    `cloudlink found no AWS credentials of its own: ${what}${said ? ` (the AWS SDK said: ${said})` : ''}. This is not the role's fault. ${GIVE_CREDENTIALS}`,
    {},
    { reason: 'no-credentials', cause: 'CredentialsProviderError', ...(profile ? { profile } : {}), ...(said ? { said } : {}) },
  );
}

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

/** Organizations' page limit for ListRoots, ListOrganizationalUnitsForParent and ListAccountsForParent. */
const ORG_PAGE_SIZE = 20;
/** AWS's STS/Organizations/CloudFormation throttling backoff: a random pause up to 1 s, doubling, at most 20 s. */
const THROTTLE_BACKOFF_BASE_MS = 1_000;
const THROTTLE_BACKOFF_MAX_MS = 20_000;

/** Pages until NextToken is absent; pages may be empty before the last. The same token twice is AWS's bug, not a loop. */
async function allPages<T>(operation: string, page: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const out = await page(token);
    all.push(...out.items);
    token = out.next || undefined;
    if (token && seen.has(token)) throw new CloudlinkError('CLOUD_ERROR', `AWS returned the same page of ${operation} twice. Nothing was stored; try again in a moment.`);
    if (token) seen.add(token);
  } while (token);
  return all;
}

/** Runs tasks (which may add more) at most `limit` at a time; after the first failure starts nothing new, waits for the rest, throws it. */
function boundedPool(limit: number) {
  const queue: (() => Promise<void>)[] = [];
  let active = 0;
  let failure: { error: unknown } | undefined;
  let settle!: () => void;
  const idle = new Promise<void>((r) => (settle = r));
  const pump = () => {
    while (active < limit && queue.length && !failure) {
      const task = queue.shift()!;
      active++;
      void task()
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          active--;
          pump();
          if (active === 0 && (failure || !queue.length)) settle();
        });
    }
  };
  return {
    /** Whether a task failed: the others stop at their next page instead of reading on for nothing. */
    get failed() {
      return failure !== undefined;
    },
    add(task: () => Promise<void>) {
      queue.push(task);
      pump();
    },
    async done() {
      if (active === 0 && !queue.length) settle();
      await idle;
      if (failure) throw failure.error;
    },
  };
}

/** One account as the port has it. `Status` is being retired by AWS (September 2026) in favour of `State`. */
function orgAccount(a: Account, parentId: string): OrgAccount {
  return {
    id: a.Id!,
    name: a.Name ?? '',
    email: a.Email ?? '',
    status: a.Status ?? a.State ?? 'UNKNOWN',
    ...(a.JoinedMethod ? { joinedMethod: a.JoinedMethod } : {}),
    ...(a.JoinedTimestamp ? { joinedAt: a.JoinedTimestamp.toISOString() } : {}),
    parentId,
  };
}

/** A token bucket: at most `perSecond` turns a second, handed out in order, spread in tenths of a second. */
function turns(perSecond: number): () => Promise<void> {
  const per = Math.max(1, Math.ceil(perSecond / 10));
  const take = pThrottle({ limit: per, interval: 100 })(() => undefined);
  return async () => {
    await take();
  };
}

/** The AWS gateway on the real AWS SDK v3. Clients load on first use: start-up stays fast. */
export class SdkAwsGateway implements AwsGateway {
  private principal?: Promise<string>;
  /** One platform STS client per region for bulk work, kept: many AssumeRoles share one connection pool and limiter. */
  private readonly bulkSts = new Map<string, Promise<STSClient>>();
  /**
   * Client-side rate limits for bulk work (AWS publishes none for Organizations, and throttles at a few
   * hundred accounts): each attempt waits for its turn; throttling that still happens is backed off by
   * the SDK's retries.
   */
  private readonly orgTurn: () => Promise<void>;
  private readonly stsTurn: () => Promise<void>;

  constructor(private readonly config: AwsProviderConfig) {
    this.orgTurn = turns(config.orgRequestsPerSecond ?? 40);
    this.stsTurn = turns(config.bulkStsRequestsPerSecond ?? 400);
  }

  /** Makes every HTTP attempt of `client` (retries included) wait for its turn. */
  private limit<C extends { middlewareStack: { add: (...a: never[]) => unknown } }>(client: C, turn: () => Promise<void>): C {
    (client.middlewareStack as unknown as { add: (m: unknown, o: unknown) => void }).add(
      (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
        await turn();
        return next(args);
      },
      { step: 'deserialize', name: 'cloudlinkRateLimit', override: true },
    );
    return client;
  }

  /**
   * Counts every HTTP attempt of `client` for /metrics: in the deserialize step, inside the retry loop,
   * so retries and throttled attempts are seen one by one.
   */
  private metered<C>(client: C): C {
    const onCall = this.config.onCall;
    if (!onCall) return client;
    (client as unknown as { middlewareStack: { add: (m: unknown, o: unknown) => void } }).middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => async (args: unknown) => {
        const service = (context.clientName ?? 'aws').replace(/Client$/, '').toLowerCase();
        const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
        try {
          const out = await next(args);
          onCall(service, operation, 'ok');
          return out;
        } catch (e) {
          onCall(service, operation, isThrottle(e) ? 'throttled' : 'error');
          throw e;
        }
      },
      // High priority in the deserialize step: outside the deserializer (its errors are seen parsed), inside the retries.
      { step: 'deserialize', priority: 'high', name: 'cloudlinkMeter', override: true },
    );
    return client;
  }

  /** A hard bound on one command, retries included: a hanging endpoint must not hang a person. */
  private deadline(bulk = false) {
    if (!bulk) return { abortSignal: AbortSignal.timeout(this.config.requestTimeoutMs * this.config.maxAttempts) };
    // Bulk work waits out throttling: every attempt, the longest backoffs between them, and a margin for the rate limiter.
    const attempts = this.bulkAttempts();
    let backoff = 0;
    for (let i = 0; i < attempts - 1; i++) backoff += Math.min(THROTTLE_BACKOFF_BASE_MS * 2 ** i, THROTTLE_BACKOFF_MAX_MS);
    return { abortSignal: AbortSignal.timeout(this.config.requestTimeoutMs * attempts + backoff + 10_000) };
  }

  private bulkAttempts() {
    return Math.max(this.config.bulkMaxAttempts ?? 8, this.config.maxAttempts);
  }

  private clientConfig(region: string, credentials?: AwsCredentialIdentity, bulk = false) {
    const log = this.config.log;
    const logger = log ? { debug: () => undefined, info: () => undefined, trace: () => undefined, warn: (...m: unknown[]) => log.warn('AWS SDK warning', { detail: sdkDetail(m) }), error: (...m: unknown[]) => log.debug('AWS SDK error', { detail: sdkDetail(m) }) } : undefined;
    return {
      ...(logger ? { logger } : {}),
      region,
      endpoint: this.config.endpoint,
      credentials: credentials ?? this.config.credentials,
      maxAttempts: bulk ? this.bulkAttempts() : this.config.maxAttempts,
      // Bulk work backs off quickly (50 ms doubling, jittered, at most 2 s): the rate limits above keep the
      // pace, and the SDK's default 500 ms base for throttling would idle every worker a throttled call holds.
      ...(bulk ? (this.config.bulkRetryMode === 'adaptive' ? { retryMode: 'adaptive' } : { retryStrategy: new ConfiguredRetryStrategy(this.bulkAttempts(), (attempt: number) => Math.round(Math.min(50 * 2 ** attempt, 2000) * (0.5 + Math.random()))) }) : {}),
      requestHandler: { requestTimeout: this.config.requestTimeoutMs, connectionTimeout: this.config.requestTimeoutMs, ...(logger ? { logger } : {}) },
    };
  }

  /** Fails fast, with the fix, when the service has no AWS credentials at all. */
  private requirePlatformCredentials() {
    if (!this.config.credentials && !this.config.hasCredentialSource) {
      throw new CloudlinkError(
        'PLATFORM_NOT_CONFIGURED',
        `cloudlink has no AWS credentials of its own, so it cannot assume customer roles yet. ${GIVE_CREDENTIALS}`,
        {},
        { reason: 'no-credentials' },
      );
    }
  }

  private async sts(region: string, credentials?: AwsCredentialIdentity, bulk = false) {
    if (!credentials) this.requirePlatformCredentials();
    const { STSClient } = await import('@aws-sdk/client-sts');
    const client = this.metered(new STSClient(this.clientConfig(region, credentials, bulk)));
    return bulk ? this.limit(client, this.stsTurn) : client;
  }

  /** The platform's STS client for bulk work in a region, kept: many AssumeRoles share one rate limiter. */
  private bulkPlatformSts(region: string): Promise<STSClient> {
    this.requirePlatformCredentials();
    let client = this.bulkSts.get(region);
    if (!client) {
      client = this.sts(region, undefined, true);
      this.bulkSts.set(region, client);
      client.catch(() => this.bulkSts.delete(region));
    }
    return client;
  }

  /** One platform STS client per region for vending, kept: a caller asking again reuses its connections. */
  private readonly vendSts = new Map<string, Promise<STSClient>>();

  private keptPlatformSts(region: string): Promise<STSClient> {
    this.requirePlatformCredentials();
    let client = this.vendSts.get(region);
    if (!client) {
      client = this.sts(region);
      this.vendSts.set(region, client);
      client.catch(() => this.vendSts.delete(region));
    }
    return client;
  }

  /** Closes the kept clients (their idle connections never hold the process open). */
  async close() {
    const clients = [...this.bulkSts.values(), ...this.vendSts.values()];
    this.bulkSts.clear();
    this.vendSts.clear();
    for (const c of clients) (await c.catch(() => undefined))?.destroy();
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

  /**
   * With `skipOrganization` (a member of an organization already discovered, verified among many): no
   * DescribeOrganization, and every STS request rate-limited and retried with backoff (more attempts) through
   * the kept platform client, so throttling during a burst of verifications does not lose a member.
   */
  async verifyRole(input: { roleArn: string; externalId: string; region: string; retryForMs: number; skipOrganization?: boolean }): Promise<VerifiedRole> {
    const bulk = input.skipOrganization === true;
    const { AssumeRoleCommand, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const principalArn = await this.platformPrincipalArn().catch(() => '(the platform principal)');
    const ctx = { roleArn: input.roleArn, externalId: input.externalId, principalArn };
    const platform = bulk ? await this.bulkPlatformSts(input.region) : await this.sts(input.region);
    try {
      const started = Date.now();
      let pause = this.config.retryBaseMs;
      let credentials: AwsCredentialIdentity | undefined;
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await platform.send(
            new AssumeRoleCommand({ RoleArn: input.roleArn, RoleSessionName: 'cloudlink-verify', ExternalId: input.externalId, DurationSeconds: 900 }),
            this.deadline(bulk),
          );
          const c = out.Credentials;
          if (!c?.AccessKeyId || !c.SecretAccessKey) throw new CloudlinkError('CLOUD_ERROR', 'AWS answered AssumeRole without credentials. Try again in a moment.');
          credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
          break;
        } catch (e) {
          // A role created seconds ago answers AccessDenied until IAM has propagated it.
          const retryable = isAccessDenied(e) || isThrottle(e) || isNetwork(e);
          if (!retryable || Date.now() - started + pause > input.retryForMs) {
            throw missingPlatformCredentials(e) ?? mapAwsError(e, { ...ctx, propagating: isAccessDenied(e) && input.retryForMs > 0 && Date.now() - started < 120_000 });
          }
          await sleep(pause);
          pause = Math.min(pause * 2, 10_000);
        }
      }

      const assumed = await this.sts(input.region, credentials, bulk);
      let accountId: string;
      let callerArn: string;
      try {
        const me = await assumed.send(new GetCallerIdentityCommand({}), this.deadline(bulk));
        accountId = me.Account ?? '';
        callerArn = me.Arn ?? '';
      } catch (e) {
        throw mapAwsError(e, ctx);
      } finally {
        assumed.destroy();
      }

      // AWS's guidance: if the role can be assumed without the External ID, it does not protect anyone.
      try {
        await platform.send(new AssumeRoleCommand({ RoleArn: input.roleArn, RoleSessionName: 'cloudlink-extid-probe', DurationSeconds: 900 }), this.deadline(bulk));
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
      const organization: OrganizationInfo = bulk ? { state: 'unknown', reason: 'not checked (skipOrganization): known from discovery' } : await this.organization(credentials);
      return { accountId, callerArn, organization, session };
    } finally {
      if (!bulk) platform.destroy();
    }
  }

  private async organization(credentials: AwsCredentialIdentity): Promise<OrganizationInfo> {
    const { OrganizationsClient, DescribeOrganizationCommand } = await import('@aws-sdk/client-organizations');
    const client = this.metered(new OrganizationsClient(this.clientConfig('us-east-1', credentials)));
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
    const client = this.metered(new CloudFormationClient(this.clientConfig(region, (session as Session).credentials)));
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

  /**
   * Credentials for a caller: one AssumeRole with the External ID (the SDK's own retries for throttling
   * and network errors), through a kept client. The errors are worded here, not by mapAwsError, whose
   * checklist names the External ID: a vend's error goes to whoever asked, who need not know it.
   */
  async assumeRole(input: AssumeRoleRequest): Promise<TemporaryCredentials> {
    const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const platform = await this.keptPlatformSts(input.region);
    try {
      const out = await platform.send(
        new AssumeRoleCommand({ RoleArn: input.roleArn, RoleSessionName: input.sessionName, ExternalId: input.externalId, DurationSeconds: input.durationSeconds, ...(input.policy ? { Policy: input.policy } : {}) }),
        this.deadline(),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new CloudlinkError('CLOUD_ERROR', 'AWS answered AssumeRole without credentials. Try again in a moment.');
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration.toISOString() };
    } catch (e) {
      if (e instanceof CloudlinkError) throw e;
      const name = (e as Error).name;
      if (isAccessDenied(e)) {
        throw new CloudlinkError('ASSUME_ROLE_DENIED', `AWS refused to let cloudlink assume ${input.roleArn} (AccessDenied): the role or its stack may have been deleted, or its trust policy changed. Check the account (check_account, or /cloud status) to see what is wrong; an admin can redeploy the cloudlink stack with its original parameters.`);
      }
      if (name === 'ValidationError' && /DurationSeconds|MaxSessionDuration/i.test((e as Error).message)) {
        throw new CloudlinkError('INVALID_INPUT', `The role ${input.roleArn} does not allow sessions of ${input.durationSeconds} seconds (its MaxSessionDuration is shorter). Ask for a shorter duration, or raise the role's maximum session duration in IAM.`, { durationSeconds: 'Longer than the role allows.' });
      }
      if (name === 'MalformedPolicyDocument' || name === 'PackedPolicyTooLarge' || name === 'MalformedPolicyDocumentException' || name === 'PackedPolicyTooLargeException') {
        throw new CloudlinkError('INVALID_INPUT', `AWS refused the session policy (${name}): ${name.startsWith('Packed') ? 'it is too large once packed; shorten it' : 'it is not a valid IAM policy document; check its JSON and its actions'}, then try again.`, { policy: 'AWS refused this policy.' });
      }
      throw missingPlatformCredentials(e) ?? mapAwsError(e, { roleArn: input.roleArn, externalId: '', principalArn: '' });
    }
  }

  /** AssumeRole into the management account with its External ID: the session organization discovery runs as. */
  async openSession(input: { roleArn: string; externalId: string; region: string }): Promise<AwsSession> {
    const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const principalArn = await this.platformPrincipalArn().catch(() => '(the platform principal)');
    // The shared platform client: throttling is retried with backoff, a denial is not (no propagation wait).
    const platform = await this.bulkPlatformSts(input.region);
    try {
      const out = await platform.send(
        new AssumeRoleCommand({ RoleArn: input.roleArn, RoleSessionName: 'cloudlink-organization', ExternalId: input.externalId, DurationSeconds: 3600 }),
        this.deadline(true),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new CloudlinkError('CLOUD_ERROR', 'AWS answered AssumeRole without credentials. Try again in a moment.');
      const credentials: AwsCredentialIdentity = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
      return { credentials } as Session;
    } catch (e) {
      throw missingPlatformCredentials(e) ?? mapAwsError(e, { roleArn: input.roleArn, externalId: input.externalId, principalArn });
    }
  }

  /**
   * The organization's roots, every OU below them (breadth first) and the accounts directly in each,
   * through one Organizations client: its client-side rate limit and the SDK's backoff
   * and backoff) is shared by every request of the discovery, at most `orgParallelism` at a time.
   */
  async discoverOrganization(session: AwsSession): Promise<OrgDiscovery> {
    const { OrganizationsClient, ListRootsCommand, ListOrganizationalUnitsForParentCommand, ListAccountsForParentCommand } = await import('@aws-sdk/client-organizations');
    const counter = { calls: 0 };
    const client = this.limit(this.metered(new OrganizationsClient(this.clientConfig('us-east-1', (session as Session).credentials, true))), this.orgTurn);
    // In the deserialize step, inside the retry loop: every HTTP attempt is counted, retries included.
    client.middlewareStack.add(
      (next) => (args) => {
        counter.calls++;
        return next(args);
      },
      { step: 'deserialize', name: 'cloudlinkCallCounter', override: true },
    );
    const pool = boundedPool(this.config.orgParallelism ?? 8);
    /** Every page of one list; a parent that vanished meanwhile (an OU deleted during discovery) is empty. */
    const list = <T>(operation: string, page: (token?: string) => Promise<{ items: T[]; next?: string }>) =>
      allPages(operation, async (token) => {
        if (pool.failed) return { items: [] }; // the discovery already failed: its first error is what is thrown
        try {
          return await page(token);
        } catch (e) {
          if ((e as Error).name === 'ParentNotFoundException') return { items: [] };
          throw mapOrganizationsError(e, operation, (e as { $metadata?: { attempts?: number } }).$metadata?.attempts);
        }
      });
    try {
      const roots = await list('ListRoots', async (NextToken) => {
        const o = await client.send(new ListRootsCommand({ MaxResults: ORG_PAGE_SIZE, NextToken }), this.deadline(true));
        return { items: o.Roots ?? [], next: o.NextToken };
      });
      const rootNodes: OrgNode[] = roots.flatMap((r) => (r.Id ? [{ id: r.Id, name: r.Name ?? 'Root', kind: 'root' as const }] : []));
      if (!rootNodes.length) throw new CloudlinkError('CLOUD_ERROR', 'AWS Organizations answered without a root, so cloudlink cannot read the organization. Try again in a moment.');

      const childrenOf = new Map<string, OrgNode[]>();
      const accountsOf = new Map<string, OrgAccount[]>();
      const visit = (parent: OrgNode) => {
        pool.add(async () => {
          const ous = await list('ListOrganizationalUnitsForParent', async (NextToken) => {
            const o = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent.id, MaxResults: ORG_PAGE_SIZE, NextToken }), this.deadline(true));
            return { items: o.OrganizationalUnits ?? [], next: o.NextToken };
          });
          const children = ous.flatMap((ou) => (ou.Id ? [{ id: ou.Id, name: ou.Name ?? ou.Id, kind: 'ou' as const, parentId: parent.id }] : []));
          childrenOf.set(parent.id, children);
          for (const child of children) visit(child);
        });
        pool.add(async () => {
          const accounts = await list('ListAccountsForParent', async (NextToken) => {
            const o = await client.send(new ListAccountsForParentCommand({ ParentId: parent.id, MaxResults: ORG_PAGE_SIZE, NextToken }), this.deadline(true));
            return { items: o.Accounts ?? [], next: o.NextToken };
          });
          accountsOf.set(parent.id, accounts.flatMap((acc) => (acc.Id ? [orgAccount(acc, parent.id)] : [])));
        });
      };
      for (const root of rootNodes) visit(root);
      await pool.done();

      // Assembled breadth first from the roots, whatever order the answers came in: the same tree, the same list.
      const nodes: OrgNode[] = [];
      const accounts = new Map<string, OrgAccount>();
      const queue = [...rootNodes];
      while (queue.length) {
        const node = queue.shift()!;
        nodes.push(node);
        for (const a of accountsOf.get(node.id) ?? []) if (!accounts.has(a.id)) accounts.set(a.id, a);
        queue.push(...(childrenOf.get(node.id) ?? []));
      }
      this.config.log?.debug('AWS organization discovered', { nodes: nodes.length, accounts: accounts.size, calls: counter.calls });
      return { rootId: rootNodes[0]!.id, nodes, accounts: [...accounts.values()], calls: counter.calls };
    } finally {
      client.destroy();
    }
  }

  /** The StackSet's instances, paged (service-managed StackSets live in the management account: CallAs SELF). */
  async listStackInstances(session: AwsSession, stackSetName: string, region: string): Promise<StackInstance[] | null> {
    const { CloudFormationClient, ListStackInstancesCommand } = await import('@aws-sdk/client-cloudformation');
    const client = this.metered(new CloudFormationClient(this.clientConfig(region, (session as Session).credentials, true)));
    try {
      const summaries = await allPages('ListStackInstances', async (NextToken) => {
        const o = await client.send(new ListStackInstancesCommand({ StackSetName: stackSetName, CallAs: 'SELF', MaxResults: 100, NextToken }), this.deadline(true));
        return { items: o.Summaries ?? [], next: o.NextToken };
      });
      return summaries.flatMap((s) =>
        s.Account
          ? [
              {
                accountId: s.Account,
                status: s.Status ?? 'UNKNOWN',
                ...(s.StackInstanceStatus?.DetailedStatus ? { detailedStatus: s.StackInstanceStatus.DetailedStatus } : {}),
                ...(s.StatusReason ? { reason: s.StatusReason } : {}),
              },
            ]
          : [],
      );
    } catch (e) {
      // No such StackSet (not deployed yet, another name) or the role may not read it: the caller says which to fix.
      if ((e as Error).name === 'StackSetNotFoundException' || isAccessDenied(e)) return null;
      if (e instanceof CloudlinkError) throw e;
      throw mapAwsError(e, { roleArn: '', externalId: '', principalArn: '' });
    } finally {
      client.destroy();
    }
  }
}

