import type { View } from '@slack/types';
import { PROVIDER_LABELS } from '../../engine/domain/records.js';
import type { AccountView } from '../../engine/views.js';
import type { ConfirmSubject } from '../../engine/registry/operation.js';
import { clip, esc } from '../text.js';
import { context, md, modal, textInput } from './blocks.js';

export const renameModal = (a: AccountView): View =>
  modal({
    callbackId: 'rename_submit',
    title: 'Rename account',
    submit: 'Rename',
    metadata: { accountId: a.id },
    blocks: [md(`Renaming *${esc(a.name)}* (${PROVIDER_LABELS[a.provider]}). Its link and history stay as they are.`), textInput({ blockId: 'new_name', label: 'New name', initial: a.name, maxLength: 64 })],
  });

/** The typed-name confirmation: the engine's question, the name to type, and the id it was asked for. */
export const deleteModal = (subject: ConfirmSubject): View =>
  modal({
    callbackId: 'delete_submit',
    title: 'Delete account',
    submit: 'Delete',
    metadata: { accountId: subject.id },
    blocks: [
      md(`:warning: ${esc(subject.question)}`),
      textInput({ blockId: 'confirm_name', label: clip(`Type "${subject.name}" to confirm`, 75), placeholder: subject.name, maxLength: 200 }),
      context('Afterwards you will be told how to remove the access on the cloud side.'),
    ],
  });

export const deletedView = (name: string, revoke: string[]): View =>
  modal({ title: 'Account deleted', close: 'Done', blocks: [md(`:wastebasket: *${esc(name)}* was deleted from cloudlink.`), md(revoke.map(esc).join('\n'))] });
