import { CloudlinkError } from '../engine/errors.js';
import type { ConfirmSubject } from '../engine/registry/operation.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { McpOptions } from './options.js';

/**
 * Gets the name typed by the human. With elicitation the server asks the person directly, so the
 * model cannot confirm on its own; without it, the typed name must come as an argument, and a
 * configuration switch can refuse such clients altogether. The engine then compares the name.
 */
export async function confirmWithHuman(server: McpServer, options: McpOptions, subject: ConfirmSubject, argument: string | undefined): Promise<string> {
  const canElicit = Boolean(server.server.getClientCapabilities()?.elicitation);
  if (!canElicit) {
    if (options.requireElicitation) {
      throw new CloudlinkError('CONFIRMATION_MISMATCH', 'This cloudlink server only deletes after asking the human directly (elicitation), and this client does not support it. Nothing was deleted: delete from Slack, or use an MCP client that supports elicitation.');
    }
    if (argument === undefined) {
      throw new CloudlinkError('CONFIRMATION_MISMATCH', `Nothing was deleted. Ask the user to type the account name "${subject.name}" exactly, then call again with their text as confirm_account_name.`, { confirm_account_name: 'Required: the name typed by the user.' });
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
