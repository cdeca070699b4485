import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { CloudlinkError } from '../../../engine/errors.js';
import { completeCertificateRotation, startCertificateRotation, type RotationHandout } from '../../../engine/families/app-certificate/rotation.js';
import type { SlackDeps } from '../../deps.js';
import { userMessage } from '../../errors.js';
import { updateFrom } from '../../modals.js';
import { esc } from '../../text.js';
import { metadata } from '../../values.js';
import { renewPendingModal, renewResultView } from '../../views/certificate.js';
import { progressView } from '../../views/link.js';
import { sendPublicCertificate } from './certificate-submit.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
const TITLE = 'Renew certificate';

const sendRenewal = (deps: SlackDeps, client: Args['client'], userId: string, h: RotationHandout) =>
  sendPublicCertificate(client, userId, { fileName: h.certificateFileName, pem: h.certificatePem, comment: `New public certificate for ${h.account.name} (thumbprint ${h.certificateThumbprint}). Upload it to the app registration beside the current one, then choose Finish renewal. It holds no private key.` }, deps);

/** "Make new certificate": refused in the modal when not allowed; then the key pair is made after the ack and the file sent to the DM. */
export const certificateRenewStart = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { accountId = '' } = metadata<{ accountId: string }>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  try {
    await deps.engine.precheck(startCertificateRotation, actor, { account: accountId });
  } catch (e) {
    return ack({ response_action: 'update', view: renewResultView(`:warning: ${esc(userMessage(e, deps.log))}`) });
  }
  await ack({ response_action: 'update', view: progressView(TITLE, ':hourglass_flowing_sand: Generating the new certificate…') });
  await updateFrom(client, view.id, TITLE, async () => {
    const h = await deps.engine.run(startCertificateRotation, actor, { account: accountId });
    return renewPendingModal(h, { fileSent: await sendRenewal(deps, client, body.user.id, h) });
  }, deps.log);
};

/**
 * "Finish renewal": cloudlink signs in with the new certificate after the ack. It worked: the account
 * switched. It did not (not uploaded yet…): the same modal again, with why and what to upload.
 */
export const certificateRenewFinish = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { accountId = '' } = metadata<{ accountId: string }>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  try {
    await deps.engine.precheck(completeCertificateRotation, actor, { account: accountId });
  } catch (e) {
    return ack({ response_action: 'update', view: renewResultView(`:warning: ${esc(userMessage(e, deps.log))}`) });
  }
  await ack({ response_action: 'update', view: progressView(TITLE, ':hourglass_flowing_sand: Signing in with the new certificate…') });
  await updateFrom(client, view.id, TITLE, async () => {
    try {
      const out = await deps.engine.run(completeCertificateRotation, actor, { account: accountId });
      return renewResultView(`:white_check_mark: ${esc(out.message)}${out.warnings.map((w) => `\n:warning: ${esc(w)}`).join('')}`);
    } catch (e) {
      if (!(e instanceof CloudlinkError)) throw e;
      // The renewal is still under way: show it again (nothing new is made), with what went wrong.
      const h = await deps.engine.run(startCertificateRotation, actor, { account: accountId });
      return renewPendingModal(h, { fileSent: false, error: e.message });
    }
  }, deps.log);
};
