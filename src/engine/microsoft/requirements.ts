import type { Provider } from '../schemas.js';

type MsProvider = Extract<Provider, 'azure' | 'm365' | 'entra'>;

/** What each Microsoft provider needs granted, and how cloudlink checks it. */
export const REQUIRED_ROLE: Partial<Record<MsProvider, { scope: 'graph' | 'exchange'; role: string; api: string }>> = {
  m365: { scope: 'exchange', role: 'Exchange.ManageAsApp', api: 'Office 365 Exchange Online' },
  entra: { scope: 'graph', role: 'AccessReview.Read.All', api: 'Microsoft Graph' },
};

export function checklist(provider: MsProvider, tenantId: string, clientId: string): string[] {
  const register = 'In the Microsoft Entra admin center: App registrations → New registration → a name, "Accounts in this organizational directory only" → Register. Copy the Application (client) ID and Directory (tenant) ID.';
  const upload = 'Open the app → Certificates & secrets → Certificates → Upload certificate, and upload the certificate cloudlink generated (the .cer/.pem file). Only the public certificate leaves cloudlink.';
  const globalReader = 'Entra ID → Roles and administrators → Global Reader → Add assignments → select the app.';
  const consent = `Grant admin consent: API permissions → "Grant admin consent", or open https://login.microsoftonline.com/${tenantId}/adminconsent?client_id=${clientId}`;
  switch (provider) {
    case 'azure':
      return [
        register,
        globalReader,
        'Management groups → your root (or chosen) group → Access control (IAM) → Add role assignment → Reader → select the app. (Or Reader on each subscription.)',
        'Optional, where wanted: Key Vault Reader (and List/Get access policies for vaults without RBAC), Cost Management Reader, Billing Reader.',
        upload,
        'Role assignments can take up to 30 minutes to apply: if no subscriptions show up yet, wait and refresh.',
      ];
    case 'm365':
      return [
        register,
        'API permissions → Add a permission → APIs my organization uses → Office 365 Exchange Online → Application permissions → Exchange.ManageAsApp → Add permissions.',
        consent,
        globalReader,
        upload,
        'Scans need every user to hold an O365_BUSINESS_PREMIUM licence; missing licences make scans fail.',
      ];
    case 'entra':
      return [register, 'API permissions → Add a permission → Microsoft Graph → Application permissions → AccessReview.Read.All → Add permissions.', consent, globalReader, upload];
  }
}
