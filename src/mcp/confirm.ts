import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CloudlinkError } from '../engine/errors.js';
import type { ConfirmSubject } from '../engine/registry/operation.js';
import type { McpOptions } from './options.js';

/** Whether this server takes the typed name as a tool argument from clients without elicitation. */
export const typedFallback = (options: McpOptions) => Boolean(options.typedConfirmation) && !options.requireElicitation;

/**
 * Gets the name typed by the human. The server asks the person directly (elicitation), so the model
 * cannot confirm on its own. A client that cannot ask is refused, with where the person can confirm
 * instead; only when the operator opted in (CLOUDLINK_MCP_TYPED_CONFIRMATION) does a typed argument do.
 */
export async function confirmWithHuman(server: McpServer, options: McpOptions, subject: ConfirmSubject, argument: string | undefined): Promise<string> {
  const canElicit = Boolean(server.server.getClientCapabilities()?.elicitation);
  if (!canElicit) {
    if (!typedFallback(options)) {
      throw new CloudlinkError(
        'CONFIRMATION_REQUIRED',
        'Nothing was deleted: this needs the person to confirm it themselves, and this assistant cannot ask them (its MCP client does not support elicitation). Confirm it in Slack (/cloud delete, where you type the name), or use an MCP client that supports elicitation.',
      );
    }
    if (argument === undefined) {
      throw new CloudlinkError('CONFIRMATION_REQUIRED', 'Nothing was deleted. Ask the user to type the account name exactly as they see it, then call again with their text as confirm_account_name.', { confirm_account_name: 'Required: the name typed by the user.' });
    }
    return argument;
  }
  const answer = await server.server.elicitInput({
    message: subject.question,
    requestedSchema: {
      type: 'object',
      properties: { confirmName: { type: 'string', title: 'Account name', description: `Type ${subject.name} to confirm`, maxLength: 200 } },
      required: ['confirmName'],
    },
  });
  if (answer.action !== 'accept') {
    throw new CloudlinkError('CONFIRMATION_MISMATCH', `Deletion ${answer.action === 'decline' ? 'declined' : 'cancelled'} by the user. Nothing was deleted.`);
  }
  const typed = answer.content?.confirmName;
  if (typeof typed !== 'string') throw new CloudlinkError('CONFIRMATION_MISMATCH', 'No account name was typed. Nothing was deleted.');
  return typed;
}
