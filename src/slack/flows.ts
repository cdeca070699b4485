import type { View } from '@slack/types';
import type { SetupHandout } from '../engine/families/handouts.js';
import type { Actor, Provider } from '../engine/domain/records.js';
import { CloudlinkError } from '../engine/errors.js';
import { linkOrganization, listOrganization, unlinkOrganization } from '../engine/families/aws/organization/operations.js';
import type { AnyOperation } from '../engine/registry/operation.js';
import type { AccountView } from '../engine/views.js';
import { getAccount, listAccounts } from '../engine/operations/accounts.js';
import { deleteAccount } from '../engine/operations/delete-account.js';
import { getInviteOptions, inviteColleague } from '../engine/operations/invites.js';
import { renameAccount } from '../engine/operations/rename-account.js';
import { getLinkForm } from '../engine/operations/setups.js';
import { listAzureSubscriptions, selectAzureSubscriptions } from '../engine/families/azure/operations.js';
import type { SlackDeps } from './deps.js';
import { inviteModal } from './views/invite.js';
import { deleteModal, renameModal } from './views/manage.js';
import { choiceView, formView, handoutModal, providerChooser } from './views/link.js';
import { BROWSE_PAGE, SMALL_LIST, subscriptionsModal, type ChooserState } from './views/subscriptions.js';
import { md, modal } from './views/blocks.js';
import { renewIntroModal, renewPendingModal } from './views/certificate.js';
import { startCertificateRotation } from '../engine/families/app-certificate/rotation.js';
import { organizationChooser, organizationModal, organizationOffer, organizationUnlinkModal } from './views/organization.js';

/**
 * The modals a person opens, each built only after the engine said yes: who may not rename, delete,
 * invite or change subscriptions is told before a form, never after filling it in.
 */

/** The next modal of the link flow for a provider (none chosen yet: the chooser). */
export async function linkStep(deps: SlackDeps, actor: Actor, provider: Provider | undefined): Promise<View> {
  if (!provider) return providerChooser(deps.engine.families.all());
  const form = await deps.engine.run(getLinkForm, actor, { provider });
  // A family that links whole organizations (AWS) also offers that, once a management account is linked: the /cloud org flow.
  const organizations = deps.engine.families.of(provider).operations.includes(linkOrganization);
  const whole = organizations && (await managementAccounts(deps, actor)).length ? [{ actionId: 'link_org', label: 'Whole organization', note: '*Whole organization*: every member account of a linked management account\'s organization, through one StackSet.' }] : [];
  if (form.choice) return choiceView({ ...form, choice: form.choice }, whole);
  if (form.fields.length) return formView(form);
  const handout = (await deps.engine.run(deps.engine.families.of(provider).start, actor, {})) as SetupHandout;
  return handoutModal(handout);
}

export async function renameForm(deps: SlackDeps, actor: Actor, account: string): Promise<View> {
  deps.engine.authorize(renameAccount, actor);
  return renameModal((await deps.engine.run(getAccount, actor, { account })).account);
}

export async function deleteForm(deps: SlackDeps, actor: Actor, account: string): Promise<View> {
  return deleteModal(await deps.engine.confirmation(deleteAccount, actor, { account }));
}

/**
 * The subscription chooser: the whole list when it fits one element, otherwise the first view of a
 * large tenant plus the page being browsed (`state`: its search, group and first row).
 */
export async function subscriptionsForm(deps: SlackDeps, actor: Actor, account: string, refresh = false, state: ChooserState = { o: 0 }): Promise<View> {
  deps.engine.authorize(selectAzureSubscriptions, actor);
  const out = await deps.engine.run(listAzureSubscriptions, actor, { account, refresh, limit: SMALL_LIST });
  if (out.counts.all <= SMALL_LIST) return subscriptionsModal(out.account, out);
  const group = state.g && state.g !== '*' ? state.g : undefined;
  const page = await deps.engine.run(listAzureSubscriptions, actor, { account: out.account.id, limit: BROWSE_PAGE, offset: state.o, ...(state.q ? { search: state.q } : {}), ...(group ? { group } : {}) });
  return subscriptionsModal(out.account, out, { page, state: { o: page.offset, ...(state.q ? { q: state.q } : {}), ...(group ? { g: group } : {}) } });
}

/** "Renew certificate": the renewal under way if there is one (nothing new is made), else what a renewal does. */
export async function renewForm(deps: SlackDeps, actor: Actor, account: string): Promise<View> {
  deps.engine.authorize(startCertificateRotation, actor);
  const found = (await deps.engine.run(getAccount, actor, { account })).account;
  if (!found.capabilities.includes('certificate')) throw new CloudlinkError('WRONG_PROVIDER', `"${found.name}" has no certificate to renew.`);
  if (!found.microsoft?.rotation) return renewIntroModal(found);
  return renewPendingModal(await deps.engine.run(startCertificateRotation, actor, { account: found.id }), { fileSent: false });
}

export async function inviteForm(deps: SlackDeps, actor: Actor, invitee?: string): Promise<View> {
  deps.engine.authorize(inviteColleague, actor);
  const { options, reach } = await deps.engine.run(getInviteOptions, actor, {});
  return inviteModal({ ...(invitee ? { invitee } : {}), options, reach });
}

/** Whether the actor may run it: decides which buttons to show (the engine still checks when they are used). */
function refusal(deps: SlackDeps, def: AnyOperation, actor: Actor): string | undefined {
  try {
    deps.engine.authorize(def, actor);
    return undefined;
  } catch (e) {
    if (e instanceof CloudlinkError) return e.message;
    throw e;
  }
}

/** The linked AWS management accounts, in the engine's order. */
export async function managementAccounts(deps: SlackDeps, actor: Actor): Promise<AccountView[]> {
  const { accounts } = await deps.engine.run(listAccounts, actor, { provider: 'aws', limit: 10_000 });
  return accounts.filter((a) => a.aws?.kind === 'management');
}

const notFound = (e: unknown) => e instanceof CloudlinkError && e.code === 'NOT_FOUND';

async function hasOrganization(deps: SlackDeps, actor: Actor, managementAccountId: string): Promise<boolean> {
  try {
    await deps.engine.run(listOrganization, actor, { organization: managementAccountId, limit: 1 });
    return true;
  } catch (e) {
    if (notFound(e)) return false;
    throw e;
  }
}

/** How many accounts in trouble the organization view lists, worst first. */
const TROUBLE_SHOWN = 20;

/**
 * `/cloud org [management account]`: the organization's view when it is linked, the offer to link
 * it whole when it is not; with several management accounts and none named, which one.
 */
export async function organizationStep(deps: SlackDeps, actor: Actor, ref?: string): Promise<View> {
  if (ref) return organizationOf(deps, actor, ref);
  const managers = await managementAccounts(deps, actor);
  if (!managers.length) {
    return modal({
      title: 'AWS organization',
      close: 'Close',
      blocks: [md("No AWS management account is linked yet. Link your organization's management (payer) account first: `/cloud link aws` → *Management account*. Then `/cloud org` links the whole organization.")],
    });
  }
  if (managers.length === 1) return organizationOf(deps, actor, managers[0]!.id);
  const linked = await Promise.all(managers.map((m) => hasOrganization(deps, actor, m.id)));
  return organizationChooser(managers.map((account, i) => ({ account, linked: linked[i]! })));
}

async function organizationOf(deps: SlackDeps, actor: Actor, ref: string): Promise<View> {
  try {
    const out = await deps.engine.run(listOrganization, actor, { organization: ref, limit: TROUBLE_SHOWN });
    return organizationModal(out.organization, out.members, { canUnlink: !refusal(deps, unlinkOrganization, actor) });
  } catch (e) {
    if (!notFound(e)) throw e;
  }
  let account: AccountView | undefined;
  try {
    account = (await deps.engine.run(getAccount, actor, { account: ref })).account;
  } catch (e) {
    if (!notFound(e)) throw e;
  }
  if (account?.aws?.kind === 'management') return organizationOffer(account, { refusal: refusal(deps, linkOrganization, actor) });
  const managers = await managementAccounts(deps, actor);
  const names = managers.slice(0, 10).map((m) => `"${m.name}"`).join(', ') + (managers.length > 10 ? ', …' : '');
  throw new CloudlinkError(
    'NOT_FOUND',
    `"${ref.slice(0, 80)}" is not a linked AWS management account or organization. ${managers.length ? `Management accounts: ${names}.` : 'Link the management account first: /cloud link aws → Management account.'}`,
  );
}

/** "Unlink organization": the typed-name form, refused before it opens to whoever may not unlink. */
export async function organizationUnlinkForm(deps: SlackDeps, actor: Actor, ref: string): Promise<View> {
  return organizationUnlinkModal(await deps.engine.confirmation(unlinkOrganization, actor, { organization: ref }));
}
