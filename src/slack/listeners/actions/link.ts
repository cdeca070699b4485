import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SetupHandout } from '../../../engine/families/handouts.js';
import type { Provider } from '../../../engine/domain/records.js';
import type { SlackDeps } from '../../deps.js';
import { linkStep } from '../../flows.js';
import { updateFrom } from '../../modals.js';
import { metadata } from '../../values.js';
import { handoutModal } from '../../views/link.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** "AWS", "Azure"… in the provider chooser. */
export const linkProviderAction = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await updateFrom(client, body.view?.id, 'Add cloud account', () => linkStep(deps, actor, action.value as Provider), deps.log);
};

/** A family's choice ("Management account"): starts the setup (a fresh External ID) and shows it. */
export const linkChoiceAction = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  const { provider, ...input } = metadata<{ provider: Provider }>({ private_metadata: action.value });
  if (!provider) return;
  await updateFrom(
    client,
    body.view?.id,
    'Add cloud account',
    async () => handoutModal((await deps.engine.run(deps.engine.families.of(provider).start, actor, input)) as SetupHandout),
    deps.log,
  );
};
