import type { AzureSubscriptionInfo, CertificateCredential, GraphVerification, MicrosoftGateway } from '../../engine/ports/microsoft.js';
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
};

const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const ARM_RESOURCE = 'https://management.azure.com';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

  private async token(cred: CertificateCredential, resource: string): Promise<string> {
    const { ClientCertificateCredential } = await import('@azure/identity');
    const credential = new ClientCertificateCredential(
      cred.tenantId,
      cred.clientId,
      { certificate: cred.pem },
      { ...(this.config.authorityHost ? { authorityHost: this.config.authorityHost, disableInstanceDiscovery: true } : {}), retryOptions: { maxRetries: 2 } },
    );
    try {
      const t = await credential.getToken(`${resource}/.default`, { abortSignal: AbortSignal.timeout(this.config.timeoutMs) });
      return t.token;
    } catch (e) {
      throw mapIdentityError(e, cred);
    }
  }

  async listAzureSubscriptions(cred: CertificateCredential): Promise<AzureSubscriptionInfo[]> {
    const token = await this.token(cred, ARM_RESOURCE);
    const out: AzureSubscriptionInfo[] = [];
    let url: string | undefined = `${this.config.armEndpoint.replace(/\/$/, '')}/subscriptions?api-version=2022-12-01`;
    for (let page = 0; url && page < 50; page++) {
      const body = (await this.armGet(url, token)) as { value?: { subscriptionId: string; displayName?: string; state?: string; tenantId?: string }[]; nextLink?: string };
      for (const s of body.value ?? []) out.push({ subscriptionId: s.subscriptionId, displayName: s.displayName ?? s.subscriptionId, state: s.state ?? 'Unknown', ...(s.tenantId ? { tenantId: s.tenantId } : {}) });
      url = body.nextLink;
    }
    return out;
  }

  /** GET with Resource Manager's throttling rules: 429 and 5xx retried after Retry-After, a few times. */
  private async armGet(url: string, token: string): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(this.config.timeoutMs) });
      } catch {
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
      if ((res.status === 429 || res.status >= 500) && attempt < 3) {
        const wait = Math.min(Number(res.headers.get('retry-after') ?? '1') * 1000 || 1000, 5000);
        await res.body?.cancel();
        await sleep(wait);
        continue;
      }
      const text = await res.text().catch(() => '');
      if (res.status === 401 || res.status === 403) {
        throw new CloudlinkError('PERMISSION_MISSING', `Azure Resource Manager refused to list subscriptions (HTTP ${res.status}). Assign the app the Reader role at the management group (or on each subscription); role assignments can take up to 30 minutes to apply.`);
      }
      if (res.status === 429) throw new CloudlinkError('CLOUD_THROTTLED', 'Azure Resource Manager is throttling requests. Nothing was stored; try again in a minute.');
      throw new CloudlinkError('CLOUD_ERROR', `Azure Resource Manager answered HTTP ${res.status}${/"code":"([^"]+)"/.exec(text)?.[1] ? ` (${/"code":"([^"]+)"/.exec(text)![1]})` : ''}. Nothing was stored; try again in a moment.`);
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
      const res = (await client.api('/organization').select(['id', 'displayName', 'verifiedDomains']).get()) as { value?: { id: string; displayName?: string; verifiedDomains?: { name: string; isInitial?: boolean }[] }[] };
      const org = res.value?.[0];
      if (!org) return { roles };
      const domains = org.verifiedDomains ?? [];
      return { roles, organization: { id: org.id, displayName: org.displayName, initialDomain: domains.find((d) => d.isInitial)?.name, verifiedDomains: domains.map((d) => d.name) } };
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 401 || status === 403) return { roles };
      if (status === 429 || (status && status >= 500)) throw new CloudlinkError('CLOUD_ERROR', `Microsoft Graph answered HTTP ${status}. Nothing was stored; try again in a moment.`);
      throw new CloudlinkError('CLOUD_UNREACHABLE', 'cloudlink could not reach Microsoft Graph (network error or timeout). Nothing was stored; try again in a moment.');
    }
  }
}
