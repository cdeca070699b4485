import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { unlinkOrganization } from '../../../engine/families/aws/organization/operations.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors } from '../../errors.js';
import { organizationStep } from '../../flows.js';
import { updateFrom } from '../../modals.js';
import { inputValue, metadata } from '../../values.js';
import { organizationUnlinkedView } from '../../views/organization.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Unlinks only when the typed name matches (the engine compares, bound to the organization asked about). */
export const organizationUnlinkSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { organizationId = '' } = metadata<{ organizationId: string }>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  try {
    const out = await deps.engine.run(unlinkOrganization, actor, { organization: organizationId, confirmName: inputValue(view, 'confirm_name') ?? '', expectedId: organizationId });
    await ack({ response_action: 'update', view: organizationUnlinkedView(out) });
    // The organization's modal underneath (this form was pushed onto it) no longer shows what is gone.
    const under = (view as { previous_view_id?: string | null }).previous_view_id;
    if (under) {
      await updateFrom(client, under, 'AWS organization', () => organizationStep(deps, actor, out.unlinked.managementAccount.id), deps.log).catch((e) =>
        deps.log.debug('the organization modal was closed before the unlink', { error: e }),
      );
    }
  } catch (e) {
    await ack({ response_action: 'errors', errors: modalErrors(e, { confirmName: 'confirm_name' }, 'confirm_name', deps.log) });
  }
};
