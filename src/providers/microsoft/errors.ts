import { CloudlinkError } from '../../engine/errors.js';

/** Entra ID's AADSTS codes, in words that say what to fix. */
export function mapIdentityError(e: unknown, ctx: { tenantId: string; clientId: string; thumbprint?: string }): CloudlinkError {
  if (e instanceof CloudlinkError) return e;
  const text = `${(e as Error)?.message ?? ''} ${JSON.stringify((e as { errorResponse?: unknown })?.errorResponse ?? '')}`;
  const code = /AADSTS(\d+)/.exec(text)?.[1];
  switch (code) {
    case '700027':
    case '700023':
      return new CloudlinkError('CERTIFICATE_NOT_UPLOADED', `Microsoft Entra ID does not accept cloudlink's certificate for app ${ctx.clientId} yet. Upload the certificate${ctx.thumbprint ? ` (thumbprint ${ctx.thumbprint})` : ''} to the app registration under Certificates & secrets → Certificates → Upload certificate, wait a minute, and try again.`);
    case '700016':
      return new CloudlinkError('APP_NOT_FOUND', `No application with client id ${ctx.clientId} exists in tenant ${ctx.tenantId}. Check the Application (client) ID on the app registration's Overview page, and that the app is registered in this tenant.`, { clientId: 'No such application in this tenant.' });
    case '90002':
    case '900023':
    case '90023':
      return new CloudlinkError('TENANT_NOT_FOUND', `Tenant ${ctx.tenantId} was not found. Check the Directory (tenant) ID on the app registration's Overview page.`, { tenantId: 'Tenant not found.' });
    case '65001':
    case '500011':
    case '7000112':
      return new CloudlinkError('PERMISSION_MISSING', `The app ${ctx.clientId} has no admin consent for this resource. In the app registration open API permissions and choose "Grant admin consent", or use https://login.microsoftonline.com/${ctx.tenantId}/adminconsent?client_id=${ctx.clientId}.`);
  }
  const name = (e as Error)?.name ?? '';
  // MSAL reports an authority it cannot reach as endpoints_resolution_error.
  if (/ECONN|ETIMEDOUT|ENOTFOUND|fetch failed|socket hang up|network|endpoints_resolution_error/i.test(text) || name === 'AbortError' || name === 'TimeoutError') {
    return new CloudlinkError('CLOUD_UNREACHABLE', 'cloudlink could not reach Microsoft Entra ID (network error or timeout). Nothing was stored; try again in a moment.');
  }
  return new CloudlinkError('CLOUD_ERROR', `Microsoft Entra ID refused the sign-in${code ? ` (AADSTS${code})` : ''}. Check the tenant id, the application id and the uploaded certificate, then try again.`);
}
