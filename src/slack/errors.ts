import { CloudlinkError } from '../engine/errors.js';
import type { Logger } from '../log.js';

/** The text to show a Slack user for any error: the engine's message, or a generic one (logged). */
export function userMessage(e: unknown, log: Logger): string {
  if (e instanceof CloudlinkError) return e.message;
  log.error('Slack handler failed unexpectedly', { error: e });
  return 'Something went wrong inside cloudlink. Nothing was changed; try again, and ask an admin to check the service logs if it keeps happening.';
}

/**
 * Maps an engine error onto a modal's blocks for `response_action: errors`. Fields the modal does not
 * have, and errors without a field, land on `fallbackBlock` so the person always sees why.
 */
export function modalErrors(e: unknown, fieldToBlock: Record<string, string>, fallbackBlock: string, log: Logger): Record<string, string> {
  const errors: Record<string, string> = {};
  if (e instanceof CloudlinkError) {
    for (const [field, msg] of Object.entries(e.fields)) {
      const block = fieldToBlock[field];
      if (block && !errors[block]) errors[block] = msg;
    }
    if (!Object.keys(errors).length) errors[fallbackBlock] = e.message.slice(0, 1900);
    return errors;
  }
  errors[fallbackBlock] = userMessage(e, log);
  return errors;
}
