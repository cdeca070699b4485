import type { View } from '@slack/types';
import type { SetupHandout } from '../engine/families/handouts.js';
import type { Actor, Provider } from '../engine/domain/records.js';
import { getAccount } from '../engine/operations/accounts.js';
import { deleteAccount } from '../engine/operations/delete-account.js';
import { getInviteOptions, inviteColleague } from '../engine/operations/invites.js';
import { renameAccount } from '../engine/operations/rename-account.js';
import { getLinkForm } from '../engine/operations/setups.js';
import { listAzureSubscriptions, selectAzureSubscriptions } from '../engine/families/azure/operations.js';
import type { SlackDeps } from './deps.js';
import { inviteModal } from './views/invite.js';
import { deleteModal, renameModal } from './views/manage.js';
import { choiceView, formView, handoutModal, providerChooser } from './views/link.js';
import { subscriptionsModal } from './views/subscriptions.js';

/**
 * The modals a person opens, each built only after the engine said yes: who may not rename, delete,
 * invite or change subscriptions is told before a form, never after filling it in.
 */

/** The next modal of the link flow for a provider (none chosen yet: the chooser). */
export async function linkStep(deps: SlackDeps, actor: Actor, provider: Provider | undefined): Promise<View> {
  if (!provider) return providerChooser(deps.engine.families.all());
  const form = await deps.engine.run(getLinkForm, actor, { provider });
  if (form.choice) return choiceView({ ...form, choice: form.choice });
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

export async function subscriptionsForm(deps: SlackDeps, actor: Actor, account: string, refresh = false): Promise<View> {
  deps.engine.authorize(selectAzureSubscriptions, actor);
  const out = await deps.engine.run(listAzureSubscriptions, actor, { account, refresh });
  return subscriptionsModal(out.account, out.subscriptions, out.note);
}

export async function inviteForm(deps: SlackDeps, actor: Actor, invitee?: string): Promise<View> {
  deps.engine.authorize(inviteColleague, actor);
  const { options } = await deps.engine.run(getInviteOptions, actor, {});
  return inviteModal({ ...(invitee ? { invitee } : {}), options });
}
