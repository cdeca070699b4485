import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { View } from '@slack/types';
import type { Actor, Provider } from '../../../engine/schemas.js';
import type { SlackDeps } from '../../deps.js';
import { updateFrom } from '../../modals.js';
import { awsKindChooser, awsSetupModal, providerChooser } from '../../views/link.js';
import { microsoftSetupModal } from '../../views/microsoft.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** The next modal of the link flow for a provider (none chosen yet: the chooser). */
export async function linkStep(deps: SlackDeps, actor: Actor, provider: Provider | undefined): Promise<View> {
  switch (provider) {
    case undefined:
      return providerChooser();
    case 'aws': {
      const { accounts } = await deps.engine.listAccounts(actor, { provider: 'aws' });
      return awsKindChooser(accounts.some((a) => a.aws?.kind === 'management'));
    }
    case 'eks':
      return awsSetupModal(await deps.engine.startAwsSetup(actor, { provider: 'eks' }));
    default:
      return microsoftSetupModal(provider);
  }
}

/** "AWS", "Azure"… in the provider chooser. */
export const linkProviderAction = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await updateFrom(client, body.view?.id, 'Add cloud account', () => linkStep(deps, actor, action.value as Provider), deps.log);
};

/** "Management account" / "Linked account": starts the setup (a fresh External ID) and shows it. */
export const linkAwsKindAction = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await updateFrom(client, body.view?.id, 'Link an AWS account', async () => awsSetupModal(await deps.engine.startAwsSetup(actor, { provider: 'aws', kind: action.value })), deps.log);
};
