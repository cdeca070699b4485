import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  createRequestStateCodec,
  inputRequired,
  inputResponse,
  type InputRequiredResult,
  type McpServer,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { CloudlinkError } from '../engine/errors.js';
import type { ConfirmSubject } from '../engine/registry/operation.js';
import type { Era, McpOptions } from './options.js';

/** Whether this server takes the typed name as a tool argument from clients without elicitation. */
export const typedFallback = (options: McpOptions) => Boolean(options.typedConfirmation) && !options.requireElicitation;

/**
 * What a confirmation's requestState carries (signed, not encrypted: nothing secret). It is bound to
 * the tool, a digest of its arguments, the subject's id (the account or organization the person was
 * asked about), the person asking, a nonce and (in the codec's envelope) an expiry.
 */
type ConfirmState = { v: 1; tool: string; args: string; subject: string; actor: string; nonce: string };

const REFUSED = 'Nothing was deleted.';

/** Why a client that cannot ask its human is refused, and where the person can confirm instead. */
export const CANNOT_ASK =
  'Nothing was deleted: this needs the person to confirm it themselves, and this assistant cannot ask them (its MCP client does not support elicitation). Confirm it in Slack (/cloud delete, where you type the name), or use an MCP client that supports elicitation.';

/** Canonical JSON (sorted keys) of the arguments, hashed: the state names these arguments and no others. */
function digest(args: Record<string, unknown>): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canon(args))).digest('base64url');
}

/**
 * Human confirmation of destructive tools, for both protocol eras, written once in the 2026-07-28
 * style: the first call answers `input_required` (an elicitation asking the person to type the name)
 * with a signed requestState; the retry carries the typed name and the state. On a 2025-11-25
 * connection the SDK's legacy shim turns that into a real `elicitation/create` and re-enters the same
 * code, so both eras take the same checks.
 *
 * The key comes from configuration (CLOUDLINK_MCP_STATE_KEY) so that every instance behind a load
 * balancer verifies what any other minted; without it each process makes its own.
 */
export class Confirmations {
  private readonly codec: RequestStateCodec<ConfirmState>;
  /** Nonces already used, until they expire: a state confirms once. */
  private readonly used = new Map<string, number>();

  constructor(
    key: string | Uint8Array = randomBytes(32),
    readonly ttlSeconds = 600,
  ) {
    this.codec = createRequestStateCodec<ConfirmState>({ key, ttlSeconds });
  }

  async mint(tool: string, args: Record<string, unknown>, subject: ConfirmSubject, actor: string): Promise<string> {
    return this.codec.mint({ v: 1, tool, args: digest(args), subject: subject.id, actor, nonce: randomUUID() });
  }

  /** The state's claims, once its signature, expiry and bindings hold; a CloudlinkError saying why not otherwise. */
  async open(raw: string, ctx: ServerContext, tool: string, args: Record<string, unknown>, actor: string): Promise<ConfirmState> {
    let state: ConfirmState;
    try {
      state = await this.codec.verify(raw, ctx);
    } catch (e) {
      const reason = e instanceof Error ? e.message : '';
      if (reason === 'expired') {
        throw new CloudlinkError('CONFIRMATION_REQUIRED', `${REFUSED} The confirmation expired (it is valid for ${Math.round(this.ttlSeconds / 60)} minutes): call the tool again and the person will be asked again.`, {}, { reason: 'expired' });
      }
      throw new CloudlinkError('CONFIRMATION_MISMATCH', `${REFUSED} The confirmation state was not issued by this cloudlink server (its signature does not match). Call the tool again without it.`, {}, { reason: 'forged' });
    }
    if (state?.v !== 1 || typeof state.nonce !== 'string') throw new CloudlinkError('CONFIRMATION_MISMATCH', `${REFUSED} The confirmation state is not one cloudlink understands. Call the tool again without it.`, {}, { reason: 'forged' });
    if (state.tool !== tool || state.args !== digest(args)) {
      throw new CloudlinkError('CONFIRMATION_MISMATCH', `${REFUSED} That confirmation was given for ${state.tool === tool ? 'other arguments' : `another tool (${state.tool})`}, not for this call. Call the tool again and the person will be asked about this one.`, {}, { reason: 'retargeted' });
    }
    if (state.actor !== actor) throw new CloudlinkError('CONFIRMATION_MISMATCH', `${REFUSED} That confirmation was given to someone else.`, {}, { reason: 'retargeted' });
    this.prune();
    if (this.used.has(state.nonce)) {
      throw new CloudlinkError('CONFIRMATION_MISMATCH', `${REFUSED} That confirmation was already used: each one confirms a single call. Call the tool again and the person will be asked again.`, {}, { reason: 'replayed' });
    }
    this.used.set(state.nonce, Date.now() + this.ttlSeconds * 1000);
    return state;
  }

  private prune() {
    if (this.used.size < 1000) return;
    const now = Date.now();
    for (const [k, until] of this.used) if (until < now) this.used.delete(k);
  }
}

let shared: Confirmations | undefined;
/** One per process unless configured: every server this process builds verifies what the others minted. */
export const processConfirmations = () => (shared ??= new Confirmations());

const CONFIRM_KEY = 'confirm';
const confirmSchema = (subject: ConfirmSubject) => ({
  type: 'object' as const,
  properties: { confirmName: { type: 'string' as const, title: 'Account name', description: `Type ${subject.name} to confirm`, maxLength: 200 } },
  required: ['confirmName'],
});

/** Whether the client on this request can ask its human (elicitation), per era. */
export function clientCanAsk(server: McpServer, era: Era, ctx: ServerContext): boolean {
  if (era === 'modern') {
    const caps = (ctx.mcpReq.envelope as Record<string, { elicitation?: unknown } | undefined> | undefined)?.[CLIENT_CAPABILITIES_META_KEY];
    return Boolean(caps?.elicitation);
  }
  return Boolean(server.server.getClientCapabilities()?.elicitation);
}

export type Confirmed = { typed: string; subjectId: string };

/**
 * The name typed by the human, or the `input_required` that asks them. The model never confirms on
 * its own: a client that cannot ask is refused, with where the person can confirm instead; only when
 * the operator opted in (CLOUDLINK_MCP_TYPED_CONFIRMATION) does a typed argument do.
 */
export async function confirmWithHuman(input: {
  server: McpServer;
  era: Era;
  ctx: ServerContext;
  options: McpOptions;
  tool: string;
  args: Record<string, unknown>;
  actor: string;
  subject: () => Promise<ConfirmSubject>;
  typedArgument: string | undefined;
}): Promise<Confirmed | InputRequiredResult> {
  const { ctx, options } = input;
  const confirmations = options.confirmations ?? processConfirmations();
  const raw = ctx.mcpReq.requestState<unknown>();
  if (raw !== undefined) {
    if (typeof raw !== 'string') throw new CloudlinkError('CONFIRMATION_MISMATCH', `${REFUSED} The confirmation state is not one cloudlink understands.`, {}, { reason: 'forged' });
    const state = await confirmations.open(raw, ctx, input.tool, input.args, input.actor);
    const answer = inputResponse(ctx.mcpReq.inputResponses, CONFIRM_KEY);
    if (answer.kind !== 'elicit') throw new CloudlinkError('CONFIRMATION_MISMATCH', `${REFUSED} The retry carried no answer from the person. Call the tool again and the person will be asked again.`);
    // A person saying no is not an error in the request: its own code, so a program does not retry it as a typo.
    if (answer.action !== 'accept') {
      throw new CloudlinkError('CONFIRMATION_DECLINED', `Deletion ${answer.action === 'decline' ? 'declined' : 'cancelled'} by the user. ${REFUSED} Do not call it again unless they ask you to.`, {}, { action: answer.action });
    }
    const typed = answer.content?.confirmName;
    if (typeof typed !== 'string' || typed.length > 200) throw new CloudlinkError('CONFIRMATION_MISMATCH', `No account name was typed. ${REFUSED}`);
    // The name must still point at what the person was asked about (no account swapped in between).
    const now = await input.subject();
    if (now.id !== state.subject) {
      throw new CloudlinkError('CONFIRMATION_MISMATCH', `${REFUSED} The name now belongs to a different account than the one the person confirmed. Look it up again.`, {}, { reason: 'retargeted' });
    }
    return { typed, subjectId: state.subject };
  }

  const subject = await input.subject();
  if (!clientCanAsk(input.server, input.era, ctx)) {
    if (!typedFallback(options)) {
      // 2026-07-28: a request that needs a capability the client did not declare MUST be answered
      // -32021 (MissingRequiredClientCapabilityError, HTTP 400). The server turns this ask into that.
      if (input.era === 'modern') return inputRequired({ inputRequests: { [CONFIRM_KEY]: inputRequired.elicit({ message: subject.question, requestedSchema: confirmSchema(subject) }) } });
      throw new CloudlinkError('CONFIRMATION_REQUIRED', CANNOT_ASK);
    }
    if (input.typedArgument === undefined) {
      throw new CloudlinkError('CONFIRMATION_REQUIRED', 'Nothing was deleted. Ask the user to type the account name exactly as they see it, then call again with their text as confirm_account_name.', { confirm_account_name: 'Required: the name typed by the user.' });
    }
    return { typed: input.typedArgument, subjectId: subject.id };
  }
  return inputRequired({
    inputRequests: { [CONFIRM_KEY]: inputRequired.elicit({ message: subject.question, requestedSchema: confirmSchema(subject) }) },
    requestState: await confirmations.mint(input.tool, input.args, subject, input.actor),
  });
}
