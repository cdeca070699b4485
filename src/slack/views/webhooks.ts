import type { KnownBlock, View } from '@slack/types';
import type { ConfirmSubject } from '../../engine/registry/operation.js';
import type { DeliveryView, WebhookView } from '../../engine/webhooks/schema.js';
import { clip, esc } from '../text.js';
import { context, divider, md, modal, textInput } from './blocks.js';

/** A modal holds 100 blocks: this many subscribers are shown, the rest counted. */
export const WEBHOOKS_SHOWN = 20;

const STATUS: Record<DeliveryView['status'], string> = { delivered: ':large_green_circle: delivered', pending: ':hourglass_flowing_sand: pending', failed: ':red_circle: failed' };

function lastLine(d: DeliveryView | undefined): string {
  if (!d) return 'No deliveries yet.';
  const when = (d.deliveredAt ?? d.createdAt).replace('T', ' ').slice(0, 16);
  const retry = d.status === 'pending' && d.nextAttemptAt ? `, next try ${d.nextAttemptAt.replace('T', ' ').slice(11, 16)} UTC` : '';
  return `Last: \`${esc(d.type)}\` ${STATUS[d.status]} ${when} UTC (${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${retry})${d.lastError ? ` — ${esc(d.lastError)}` : ''}`;
}

function subscriberBlocks(w: WebhookView): KnownBlock[] {
  const events = w.events.length ? w.events.map((e) => `\`${e.replace(/^cloudlink\./, '')}\``).join(', ') : 'every event';
  return [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*${esc(w.name)}* → ${esc(w.url)}\n${events}\n${w.deliveries.delivered} delivered · ${w.deliveries.pending} pending · ${w.deliveries.failed} failed`, 3000) },
      accessory: { type: 'button', action_id: 'webhook_delete', value: w.id, style: 'danger', text: { type: 'plain_text', text: 'Delete' } },
    },
    context(lastLine(w.lastDelivery)),
  ];
}

/** The subscribers with their last deliveries; Delete asks for the typed name. */
export function webhooksModal(list: WebhookView[]): View {
  const shown = list.slice(0, WEBHOOKS_SHOWN);
  const blocks: KnownBlock[] = list.length
    ? [md(`*${list.length} webhook subscriber${list.length === 1 ? '' : 's'}*: each hears account and organization events as signed CloudEvents.`), ...shown.flatMap((w) => [divider, ...subscriberBlocks(w)])]
    : [md('No webhook subscribers yet.')];
  if (list.length > shown.length) blocks.push(context(`…and ${list.length - shown.length} more: \`cloudlink list-webhooks\` or GET /v1/list-webhooks lists them all.`));
  blocks.push(context('Register one with `cloudlink create-webhook --name … --url https://…` or POST /v1/create-webhook: its signing secret is shown once, there. Delivery logs: `cloudlink list-webhook-deliveries --webhook <name>`.'));
  return modal({ title: 'Webhooks', close: 'Close', blocks });
}

/** The typed-name confirmation, as for deleting an account: the engine's question, and the id it was asked for. */
export const webhookDeleteModal = (subject: ConfirmSubject): View =>
  modal({
    callbackId: 'webhook_delete_submit',
    title: 'Delete webhook',
    submit: 'Delete',
    metadata: { webhookId: subject.id },
    blocks: [md(`:warning: ${esc(subject.question)}`), textInput({ blockId: 'confirm_name', label: clip(`Type "${subject.name}" to confirm`, 75), placeholder: subject.name, maxLength: 200 })],
  });

export const webhookDeletedView = (name: string, dropped: number): View =>
  modal({ title: 'Webhook deleted', close: 'Done', blocks: [md(`:wastebasket: The webhook subscriber *${esc(name)}* was deleted${dropped ? `; ${dropped} pending deliver${dropped === 1 ? 'y was' : 'ies were'} dropped` : ''}.`)] });
