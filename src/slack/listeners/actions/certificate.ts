import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { cancelCertificateRotation } from '../../../engine/families/app-certificate/rotation.js';
import type { SlackDeps } from '../../deps.js';
import { renewForm } from '../../flows.js';
import { openForm, updateFrom } from '../../modals.js';
import { esc } from '../../text.js';
import { renewResultView } from '../../views/certificate.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** "Renew certificate" / "Finish renewal" under an expiry notice: the renewal modal. */
export const certificateRenew = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await openForm(client, body.trigger_id, 'Renew certificate', () => renewForm(deps, actor, action.value ?? ''), deps.log);
};

/** "Cancel renewal": the new key is dropped; the account keeps its working certificate. */
export const certificateRenewCancel = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await updateFrom(
    client,
    body.view?.id,
    'Renew certificate',
    async () => {
      const out = await deps.engine.run(cancelCertificateRotation, actor, { account: action.value ?? '' });
      return renewResultView(`${out.cancelled ? ':wastebasket:' : ':information_source:'} ${esc(out.message)}`);
    },
    deps.log,
  );
};
