import type { ClientCertificateCredentialOptions } from '@azure/identity';
import type { AccessToken, AzureSubscriptionInfo, CertificateCredential, GraphVerification, ManagementGroupDiscovery, MicrosoftGateway } from '../../engine/ports/microsoft.js';
import { CloudlinkError } from '../../engine/errors.js';
import { mapIdentityError } from './errors.js';

export type MicrosoftProviderConfig = {
  /** The Entra ID authority; tests point it at a local TLS server. */
  authorityHost?: string;
  armEndpoint: string;
  graphEndpoint: string;
  /** The Exchange Online resource for M365's Exchange.ManageAsApp check. */
  exchangeResource: string;
  timeoutMs: number;
  /** The longest Retry-After cloudlink waits for before giving up on a throttled request (30 s). */
  maxRetryAfterMs?: number;
  now?: () => number;
  /** Told of every HTTP attempt (retries included), for /metrics. */
  onCall?: (service: 'entra' | 'arm' | 'graph', operation: string, outcome: 'ok' | 'error' | 'throttled') => void;
};

const outcomeOf = (status: number) => (status === 429 ? 'throttled' : status >= 400 ? 'error' : 'ok');

const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const ARM_RESOURCE = 'https://management.azure.com';
const MG_API = '2023-04-01';
/** A guard against a service that never stops paging: 1,000 pages is far beyond any tenant. */
const MAX_PAGES = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lastSegment = (id: string | null | undefined) => (id ? id.split('/').filter(Boolean).at(-1) : undefined);

/** Retry-After in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const SUBSCRIPTIONS_DENIED = (status: number) =>
  new CloudlinkError('PERMISSION_MISSING', `Azure Resource Manager refused to list subscriptions (HTTP ${status}). Assign the app the Reader role at the management group (or on each subscription); role assignments can take up to 30 minutes to apply.`);
const managementGroupDenied = (groupId: string) => (status: number) =>
  status === 404
    ? new CloudlinkError('MANAGEMENT_GROUP_NOT_FOUND', `There is no management group "${groupId}" in this tenant (or the app cannot see it). Check the group's ID under Management groups in the Azure portal.`)
    : new CloudlinkError('MANAGEMENT_GROUP_DENIED', `The app may not read management group "${groupId}" (HTTP ${status}): assign it the Reader role on that group (Management groups → the group → Access control (IAM) → Add role assignment → Reader). Role assignments can take up to 30 minutes to apply.`);

/** The `roles` claim of an app-only token: the application permissions granted with admin consent. */
export function rolesOf(accessToken: string): string[] {
  try {
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Microsoft's clouds through their own SDKs: @azure/identity for certificate sign-in, Resource
 * Manager's REST API for subscriptions, and the Microsoft Graph client. All load on first use.
 */
export class SdkMicrosoftGateway implements MicrosoftGateway {
  constructor(private readonly config: MicrosoftProviderConfig) {}

  private get arm() {
    return this.config.armEndpoint.replace(/\/$/, '');
  }

  /** A pipeline policy run on every attempt of a sign-in, retries included: what /metrics counts. */
  private tokenMeter(): NonNullable<ClientCertificateCredentialOptions['additionalPolicies']> {
    const onCall = this.config.onCall;
    if (!onCall) return [];
    return [
      {
        position: 'perRetry' as const,
        policy: {
          name: 'cloudlinkMeter',
          async sendRequest(request, next) {
            try {
              const res = await next(request);
              onCall('entra', 'token', outcomeOf(res.status));
              return res;
            } catch (e) {
              onCall('entra', 'token', 'error');
              throw e;
            }
          },
        },
      },
    ];
  }

  private async token(cred: CertificateCredential, resource: string): Promise<string> {
    return (await this.signIn(cred, `${resource}/.default`)).token;
  }

  /** An app-only token for a caller who asked for one (`scope` is `<resource>/.default`). */
  async accessToken(cred: CertificateCredential, scope: string): Promise<AccessToken> {
    const t = await this.signIn(cred, scope);
    return { token: t.token, expiresAt: new Date(t.expiresOnTimestamp).toISOString() };
  }

  private async signIn(cred: CertificateCredential, scope: string) {
    const { ClientCertificateCredential } = await import('@azure/identity');
    const credential = new ClientCertificateCredential(
      cred.tenantId,
      cred.clientId,
      { certificate: cred.pem },
      { ...(this.config.authorityHost ? { authorityHost: this.config.authorityHost, disableInstanceDiscovery: true } : {}), retryOptions: { maxRetries: 2 }, additionalPolicies: this.tokenMeter() },
    );
    try {
      return await credential.getToken(scope, { abortSignal: AbortSignal.timeout(this.config.timeoutMs) });
    } catch (e) {
      throw mapIdentityError(e, cred);
    }
  }

  async listAzureSubscriptions(cred: CertificateCredential): Promise<AzureSubscriptionInfo[]> {
    const token = await this.token(cred, ARM_RESOURCE);
    const out: AzureSubscriptionInfo[] = [];
    const stats = { calls: 0, throttled: 0 };
    let url: string | undefined = `${this.arm}/subscriptions?api-version=2022-12-01`;
    for (let page = 0; url && page < MAX_PAGES; page++) {
      const body = (await this.armGet(url, token, stats, SUBSCRIPTIONS_DENIED)) as { value?: { subscriptionId: string; displayName?: string; state?: string; tenantId?: string }[]; nextLink?: string | null };
      for (const s of body.value ?? []) out.push({ subscriptionId: s.subscriptionId, displayName: s.displayName ?? s.subscriptionId, state: s.state ?? 'Unknown', ...(s.tenantId ? { tenantId: s.tenantId } : {}) });
      url = body.nextLink ?? undefined;
    }
    return out;
  }

  /**
   * The group itself (its name, and whether the app may read it), then its descendants page by page
   * (`nextLink` carries the `$skiptoken`) until the last: groups with their parents, subscriptions
   * with the group they sit in.
   */
  async discoverManagementGroups(cred: CertificateCredential, groupId: string): Promise<ManagementGroupDiscovery> {
    const token = await this.token(cred, ARM_RESOURCE);
    const stats = { calls: 0, throttled: 0 };
    const base = `${this.arm}/providers/Microsoft.Management/managementGroups/${encodeURIComponent(groupId)}`;
    const denied = managementGroupDenied(groupId);
    const group = (await this.armGet(`${base}?api-version=${MG_API}`, token, stats, denied)) as { name?: string; properties?: { displayName?: string; details?: { parent?: { id?: string | null } | null } } };
    const parent = lastSegment(group.properties?.details?.parent?.id);
    const root = { id: group.name ?? groupId, displayName: group.properties?.displayName ?? group.name ?? groupId, ...(parent ? { parentId: parent } : {}) };
    const groups: ManagementGroupDiscovery['groups'] = [];
    const subscriptions: ManagementGroupDiscovery['subscriptions'] = [];
    let url: string | undefined = `${base}/descendants?api-version=${MG_API}`;
    for (let page = 0; url && page < MAX_PAGES; page++) {
      const body = (await this.armGet(url, token, stats, denied)) as { value?: { id?: string; name?: string; type?: string; properties?: { displayName?: string; parent?: { id?: string | null } | null } }[]; nextLink?: string | null };
      for (const d of body.value ?? []) {
        const id = d.name ?? lastSegment(d.id);
        const parentId = lastSegment(d.properties?.parent?.id) ?? root.id;
        if (!id) continue;
        if (/subscriptions$/i.test(d.type ?? '') || /^\/subscriptions\//i.test(d.id ?? '')) subscriptions.push({ subscriptionId: id, displayName: d.properties?.displayName ?? id, parentId });
        else groups.push({ id, displayName: d.properties?.displayName ?? id, parentId });
      }
      url = body.nextLink ?? undefined;
    }
    return { root, groups, subscriptions, calls: stats.calls, throttled: stats.throttled };
  }

  /**
   * GET with Resource Manager's throttling rules: a 429 is retried after the Retry-After it names
   * (seconds or an HTTP date; exponential from 1 s when absent), up to 6 times, and given up at once
   * when it asks for longer than cloudlink waits; 5xx and dropped connections are retried briefly.
   */
  private async armGet(url: string, token: string, stats: { calls: number; throttled: number }, denied: (status: number) => CloudlinkError): Promise<unknown> {
    const maxWait = this.config.maxRetryAfterMs ?? 30_000;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      stats.calls++;
      const operation = /managementGroups/i.test(url) ? (/descendants/i.test(url) ? 'managementGroupDescendants' : 'managementGroup') : 'subscriptions';
      try {
        res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(this.config.timeoutMs) });
        this.config.onCall?.('arm', operation, outcomeOf(res.status));
      } catch {
        this.config.onCall?.('arm', operation, 'error');
        if (attempt < 3) {
          await sleep(200 * attempt);
          continue;
        }
        throw new CloudlinkError('CLOUD_UNREACHABLE', 'cloudlink could not reach Azure Resource Manager (network error or timeout). Nothing was stored; try again in a moment.');
      }
      if (res.ok) {
        try {
          return await res.json();
        } catch {
          if (attempt < 3) continue;
          throw new CloudlinkError('CLOUD_ERROR', 'Azure Resource Manager sent an incomplete answer. Nothing was stored; try again in a moment.');
        }
      }
      if (res.status === 429) {
        stats.throttled++;
        const wait = retryAfterMs(res.headers.get('retry-after'), this.config.now?.() ?? Date.now()) ?? Math.min(1000 * 2 ** (attempt - 1), maxWait);
        await res.body?.cancel();
        if (attempt < 6 && wait <= maxWait) {
          await sleep(wait);
          continue;
        }
        throw new CloudlinkError('CLOUD_THROTTLED', `Azure Resource Manager is throttling requests${wait > 1000 ? ` and asks to wait ${Math.ceil(wait / 1000)} s` : ''}. Nothing was stored; try again ${wait > 60_000 ? 'later' : 'in a minute'}.`);
      }
      if (res.status >= 500 && attempt < 3) {
        await res.body?.cancel();
        await sleep(Math.min(retryAfterMs(res.headers.get('retry-after'), Date.now()) ?? 500 * attempt, 5000));
        continue;
      }
      const text = await res.text().catch(() => '');
      if (res.status === 401 || res.status === 403 || res.status === 404) throw denied(res.status);
      const code = /"code":"([^"]+)"/.exec(text)?.[1];
      throw new CloudlinkError('CLOUD_ERROR', `Azure Resource Manager answered HTTP ${res.status}${code ? ` (${code})` : ''}. Nothing was stored; try again in a moment.`, {}, res.status >= 500 ? { transient: true, status: res.status } : {});
    }
  }

  async verifyGraph(cred: CertificateCredential, opts: { scope: 'graph' | 'exchange'; readOrganization: boolean }): Promise<GraphVerification> {
    const resource = opts.scope === 'exchange' ? this.config.exchangeResource : GRAPH_RESOURCE;
    const token = await this.token(cred, resource);
    const roles = rolesOf(token);
    if (!opts.readOrganization) return { roles };
    const graphToken = opts.scope === 'graph' ? token : await this.token(cred, GRAPH_RESOURCE);
    const { Client } = await import('@microsoft/microsoft-graph-client');
    // The client only sends the token to hosts it knows as Graph: name a configured endpoint's host too.
    const host = new URL(this.config.graphEndpoint).hostname;
    const client = Client.initWithMiddleware({ authProvider: { getAccessToken: async () => graphToken }, baseUrl: this.config.graphEndpoint.replace(/\/?$/, '/'), defaultVersion: 'v1.0', customHosts: new Set([host]) });
    try {
      const res = (await client
        .api('/organization')
        .select(['id', 'displayName', 'verifiedDomains'])
        .get()
        .then((r: unknown) => (this.config.onCall?.('graph', 'organization', 'ok'), r), (e: { statusCode?: number }) => {
          this.config.onCall?.('graph', 'organization', e?.statusCode ? outcomeOf(e.statusCode) : 'error');
          throw e;
        })) as { value?: { id: string; displayName?: string; verifiedDomains?: { name: string; isInitial?: boolean }[] }[] };
      const org = res.value?.[0];
      if (!org) return { roles };
      const domains = org.verifiedDomains ?? [];
      return { roles, organization: { id: org.id, displayName: org.displayName, initialDomain: domains.find((d) => d.isInitial)?.name, verifiedDomains: domains.map((d) => d.name) } };
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 401 || status === 403) return { roles };
      if (status === 429 || (status && status >= 500)) throw new CloudlinkError('CLOUD_ERROR', `Microsoft Graph answered HTTP ${status}. Nothing was stored; try again in a moment.`, {}, { transient: true, status });
      throw new CloudlinkError('CLOUD_UNREACHABLE', 'cloudlink could not reach Microsoft Graph (network error or timeout). Nothing was stored; try again in a moment.');
    }
  }
}
