import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { SetupHandout } from '../../../engine/families/handouts.js';
import type { Provider } from '../../../engine/domain/records.js';
import { getLinkForm } from '../../../engine/operations/setups.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors } from '../../errors.js';
import { updateFrom } from '../../modals.js';
import { inputValue, metadata } from '../../values.js';
import { handoutModal, progressView } from '../../views/link.js';
import { sendCertificate } from './certificate-submit.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/**
 * A family's start form submitted: what can be checked at once (ids, a taken name) comes back in the
 * fields; then the modal says "working" and the slow part (a certificate, Slack uploads) runs after
 * the acknowledgement, updating the modal when done.
 */
export const linkFormSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { provider } = metadata<{ provider: Provider }>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  if (!provider) return ack({ response_action: 'errors', errors: {} });
  const start = deps.engine.families.of(provider).start;
  let input: Record<string, string> = {};
  try {
    const form = await deps.engine.run(getLinkForm, actor, { provider });
    input = Object.fromEntries(form.fields.flatMap((f) => (inputValue(view, f.key) ? [[f.key, inputValue(view, f.key)!]] : [])));
    await deps.engine.precheck(start, actor, input);
  } catch (e) {
    const fields = Object.fromEntries(Object.keys(view.state.values).map((k) => [k, k]));
    return ack({ response_action: 'errors', errors: modalErrors(e, fields, Object.keys(fields).at(-1) ?? 'name', deps.log) });
  }
  await ack({ response_action: 'update', view: progressView('Preparing', ':hourglass_flowing_sand: Generating the certificate…') });
  await updateFrom(client, view.id, 'Add cloud account', async () => {
    const handout = (await deps.engine.run(start, actor, input)) as SetupHandout;
    const sent = handout.kit === 'app-certificate' ? await sendCertificate(client, body.user.id, handout, deps) : false;
    return handoutModal(handout, { fileSent: sent });
  }, deps.log);
};
