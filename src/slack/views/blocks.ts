import type { KnownBlock, View } from '@slack/types';
import { clip, esc } from '../text.js';

export const md = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } });
export const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, 3000) }] });
export const divider: KnownBlock = { type: 'divider' };
export const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text: clip(text, 150) } });
export const plain = (text: string) => ({ type: 'plain_text' as const, text: clip(text, 75) });

export function modal(opts: { callbackId?: string; title: string; blocks: KnownBlock[]; submit?: string; close?: string; metadata?: Record<string, unknown> }): View {
  return {
    type: 'modal',
    ...(opts.callbackId ? { callback_id: opts.callbackId } : {}),
    title: { type: 'plain_text', text: clip(opts.title, 24) },
    ...(opts.submit ? { submit: { type: 'plain_text', text: clip(opts.submit, 24) } } : {}),
    close: { type: 'plain_text', text: clip(opts.close ?? 'Cancel', 24) },
    ...(opts.metadata ? { private_metadata: JSON.stringify(opts.metadata) } : {}),
    blocks: opts.blocks,
  };
}

export function textInput(opts: { blockId: string; label: string; placeholder?: string; initial?: string; optional?: boolean; hint?: string; maxLength?: number; multiline?: boolean }): KnownBlock {
  return {
    type: 'input',
    block_id: opts.blockId,
    optional: opts.optional ?? false,
    label: plain(opts.label),
    ...(opts.hint ? { hint: { type: 'plain_text', text: clip(opts.hint, 2000) } } : {}),
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      ...(opts.placeholder ? { placeholder: { type: 'plain_text', text: clip(opts.placeholder, 150) } } : {}),
      ...(opts.initial ? { initial_value: opts.initial } : {}),
      ...(opts.maxLength ? { max_length: opts.maxLength } : {}),
      ...(opts.multiline ? { multiline: true } : {}),
    },
  };
}

/** A message that explains an error in a modal (when it does not belong to one field). */
export const errorView = (title: string, message: string): View => modal({ title, close: 'Close', blocks: [md(`:warning: ${esc(message)}`)] });
