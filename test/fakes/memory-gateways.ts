import { createHash } from 'node:crypto';
import { CloudlinkError } from '../../src/engine/errors.js';
import type { AssumeRoleRequest, AwsGateway, AwsSession, OrganizationInfo, OrgDiscovery, StackInstance, TemporaryCredentials, VerifiedRole } from '../../src/engine/ports/aws.js';
import type { CertificateIssuer } from '../../src/engine/ports/certificates.js';
import type { AzureSubscriptionInfo, CertificateCredential, ManagementGroupDiscovery, ManagementGroupInfo, MicrosoftGateway } from '../../src/engine/ports/microsoft.js';
import type { Notification, Notifier } from '../../src/engine/ports/notifier.js';
import type { Recipient } from '../../src/engine/domain/records.js';

/**
 * In-process stand-ins for the engine's ports, for the fast tier of engine rules: no HTTP, no SDK.
 * The wire-level fakes (aws-fake, microsoft-fake, slack-fake) stay for the providers and front ends.
 */

export type MemoryRole = { accountId: string; externalId: string; trustsWithoutExternalId?: boolean; organization?: OrganizationInfo; reportAccountId?: string };

export class MemoryAws implements AwsGateway {
  roles = new Map<string, MemoryRole>();
  principal = 'arn:aws:iam::999999999999:role/cloudlink-platform';
  calls: string[] = [];

  async platformPrincipalArn() {
    return this.principal;
  }

  async verifyRole(input: { roleArn: string; externalId: string }): Promise<VerifiedRole> {
    this.calls.push(`verifyRole ${input.roleArn}`);
    const role = this.roles.get(input.roleArn);
    if (!role || role.externalId !== input.externalId) throw new CloudlinkError('ASSUME_ROLE_DENIED', `AWS says cloudlink is not authorized to perform sts:AssumeRole on ${input.roleArn}.`, { roleArn: 'AWS refused to let cloudlink assume this role.' });
    if (role.trustsWithoutExternalId) throw new CloudlinkError('EXTERNAL_ID_NOT_ENFORCED', `The role ${input.roleArn} can be assumed without the External ID.`, { roleArn: 'The trust policy does not require the External ID.' });
    return { accountId: role.reportAccountId ?? role.accountId, callerArn: `arn:aws:sts::${role.accountId}:assumed-role/x/cloudlink-verify`, organization: role.organization ?? { state: 'none' }, session: {} as AwsSession };
  }

  async describeStack() {
    return { status: 'CREATE_COMPLETE', outputs: {} };
  }

  /** Every AssumeRole a caller asked for (vended credentials), in order. */
  assumed: AssumeRoleRequest[] = [];

  async assumeRole(input: AssumeRoleRequest): Promise<TemporaryCredentials> {
    this.calls.push(`assumeRole ${input.roleArn}`);
    const role = this.roles.get(input.roleArn);
    if (!role || role.externalId !== input.externalId) throw new CloudlinkError('ASSUME_ROLE_DENIED', `AWS refused to let cloudlink assume ${input.roleArn} (AccessDenied).`);
    this.assumed.push(input);
    const n = this.assumed.length;
    return { accessKeyId: `ASIAMEMORY${String(n).padStart(10, '0')}`, secretAccessKey: `memory-secret-${n}`, sessionToken: `memory-token-${n}`, expiration: new Date(Date.now() + input.durationSeconds * 1000).toISOString() };
  }

  /** An organization: its tree and accounts, and the StackSet's instances (null: no StackSet). */
  org: OrgDiscovery = { rootId: 'r-root', nodes: [{ id: 'r-root', name: 'Root', kind: 'root' }], accounts: [], calls: 0 };
  instances: StackInstance[] | null = null;
  sessions = new Map<string, string>();

  async openSession(input: { roleArn: string; externalId: string }) {
    const role = this.roles.get(input.roleArn);
    if (!role || role.externalId !== input.externalId) throw new CloudlinkError('ASSUME_ROLE_DENIED', `AWS says cloudlink is not authorized to perform sts:AssumeRole on ${input.roleArn}.`);
    return { accountId: role.accountId } as unknown as AwsSession;
  }

  async discoverOrganization() {
    this.calls.push('discoverOrganization');
    return structuredClone(this.org);
  }

  async listStackInstances() {
    return this.instances ? structuredClone(this.instances) : null;
  }
}

export type MemoryApp = {
  tenantId: string;
  clientId: string;
  uploaded: Set<string>;
  roles: string[];
  subscriptions: AzureSubscriptionInfo[];
  domains?: string[];
  /** Management groups the app may read (Reader at `root.id`), and the group each subscription sits in; absent: no access. */
  managementGroups?: { root: ManagementGroupInfo; groups: ManagementGroupInfo[]; parents: Record<string, string> };
};

export class MemoryMicrosoft implements MicrosoftGateway {
  apps: MemoryApp[] = [];

  private app(cred: CertificateCredential & { thumbprint?: string }) {
    const app = this.apps.find((a) => a.tenantId === cred.tenantId && a.clientId === cred.clientId);
    const thumbprint = /thumbprint:([A-F0-9]+)/.exec(cred.pem)?.[1];
    if (!app || !thumbprint || !app.uploaded.has(thumbprint)) throw new CloudlinkError('CERTIFICATE_NOT_UPLOADED', 'Microsoft Entra ID does not accept the certificate yet.');
    return app;
  }

  async listAzureSubscriptions(cred: CertificateCredential) {
    return this.app(cred).subscriptions;
  }

  async discoverManagementGroups(cred: CertificateCredential, groupId: string): Promise<ManagementGroupDiscovery> {
    const mg = this.app(cred).managementGroups;
    if (!mg || mg.root.id !== groupId) throw new CloudlinkError('MANAGEMENT_GROUP_DENIED', `The app may not read management group "${groupId}".`);
    const subs = this.app(cred).subscriptions;
    return {
      root: { ...mg.root },
      groups: mg.groups.map((g) => ({ ...g })),
      subscriptions: subs.filter((s) => mg.parents[s.subscriptionId]).map((s) => ({ subscriptionId: s.subscriptionId, displayName: s.displayName, parentId: mg.parents[s.subscriptionId]! })),
      calls: 1,
      throttled: 0,
    };
  }

  tokens: { clientId: string; scope: string }[] = [];

  async accessToken(cred: CertificateCredential, scope: string) {
    const app = this.app(cred);
    this.tokens.push({ clientId: app.clientId, scope });
    return { token: `memory-access-token-${this.tokens.length}`, expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
  }

  async verifyGraph(cred: CertificateCredential) {
    const app = this.app(cred);
    return { roles: app.roles, ...(app.domains ? { organization: { id: 'org', verifiedDomains: app.domains, initialDomain: app.domains[0] } } : {}) };
  }
}

/** Certificates without the cost of RSA key generation; the "private key" says which certificate it is. */
export const memoryCertificates: CertificateIssuer = {
  async generate({ commonName, lifetimeDays, now }) {
    const thumbprint = createHash('sha1').update(commonName).digest('hex').toUpperCase();
    const notBefore = new Date(now.getTime() - 60_000);
    return {
      certificatePem: `-----BEGIN CERTIFICATE-----\n${Buffer.from(commonName).toString('base64')}\n-----END CERTIFICATE-----\n`,
      privateKeyPem: `-----BEGIN PRIVATE KEY-----\nthumbprint:${thumbprint}\n-----END PRIVATE KEY-----\n`,
      thumbprint,
      notBefore,
      notAfter: new Date(notBefore.getTime() + lifetimeDays * 86_400_000),
    };
  },
};

/** A notifier that keeps what it was asked to deliver. */
export class RecordingNotifier implements Notifier {
  readonly channels = new Set<Recipient['channel']>(['slack']);
  sent: { to: Recipient; n: Notification }[] = [];
  failNext = 0;

  async deliver(to: Recipient, n: Notification) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('Slack is down');
    }
    this.sent.push({ to, n });
  }

  to(id: string) {
    return this.sent.filter((s) => s.to.id === id).map((s) => s.n);
  }
}
