import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { completeMicrosoftSetup } from '../../../engine/families/app-certificate/operations.js';
import type { CertificateHandout } from '../../../engine/families/app-certificate/handout.js';
import type { SlackDeps } from '../../deps.js';
import { metadata } from '../../values.js';
import { progressView } from '../../views/link.js';
import { reportLink } from './link-results.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** The public certificate goes to the person, in a DM, never to a channel. */
export async function sendCertificate(client: WebClient, userId: string, s: CertificateHandout, deps: SlackDeps): Promise<boolean> {
  return sendPublicCertificate(client, userId, { fileName: s.certificateFileName, pem: s.microsoft!.certificatePem, comment: `Public certificate for your ${s.provider} setup (thumbprint ${s.microsoft!.certificateThumbprint}). Upload it to the app registration under Certificates & secrets. It holds no private key.` }, deps);
}

/** A public certificate as a file in the person's DM; false when Slack would not take it (the modal shows it instead). */
export async function sendPublicCertificate(client: WebClient, userId: string, file: { fileName: string; pem: string; comment: string }, deps: SlackDeps): Promise<boolean> {
  try {
    const dm = await client.conversations.open({ users: userId });
    await client.files.uploadV2({ channel_id: dm.channel!.id!, filename: file.fileName, title: file.fileName, content: file.pem, initial_comment: file.comment });
    return true;
  } catch (e) {
    deps.log.warn('could not send the certificate file; showing it in the modal instead', { error: e });
    return false;
  }
}

/** "Connect" after the certificate was uploaded: verify after the ack; the result arrives as a DM. */
export const certificateCompleteSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { setupId = '' } = metadata<{ setupId: string }>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await ack({ response_action: 'update', view: progressView('Verifying', ':hourglass_flowing_sand: Signing in with the certificate and checking permissions. You will get a message with the result.') });
  await reportLink(deps, client, actor, setupId, () => deps.engine.run(completeMicrosoftSetup, actor, { setupId }));
};
