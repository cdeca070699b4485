import type { z } from 'zod';
import type { OpContext } from '../context.js';
import type { Permission } from '../permissions.js';

/** What an operation does to the world, as MCP annotations (and the CLI, and read-only modes) need it. */
export type Nature = { readOnly: boolean; destructive: boolean; idempotent: boolean; openWorld: boolean };

export const READS: Nature = { readOnly: true, destructive: false, idempotent: true, openWorld: false };
export const READS_CLOUD: Nature = { readOnly: true, destructive: false, idempotent: true, openWorld: true };
export const WRITES: Nature = { readOnly: false, destructive: false, idempotent: false, openWorld: false };
export const WRITES_CLOUD: Nature = { readOnly: false, destructive: false, idempotent: false, openWorld: true };
export const REWRITES: Nature = { readOnly: false, destructive: false, idempotent: true, openWorld: false };
export const DESTROYS: Nature = { readOnly: false, destructive: true, idempotent: false, openWorld: false };

/** The thing a person confirms by typing its name, found without changing anything. */
export type ConfirmSubject = { id: string; name: string; question: string };

/**
 * A destructive operation whose input carries a name the human must type. Front ends ask the human
 * (a Slack modal, MCP elicitation, a terminal prompt) and pass what was typed in `field`, with the
 * subject's id in `idField`, so a name that moved to another account in between is refused.
 */
export type Confirmation<I> = {
  field: keyof I & string;
  idField: keyof I & string;
  /** The input field that names the subject: front ends set it to the subject's id once it is confirmed. */
  refField: keyof I & string;
  subject(ctx: OpContext, input: I): Promise<ConfirmSubject>;
};

export type Exposure = { mcp: boolean; cli: boolean; api: boolean };

/**
 * One operation, defined once: the MCP tools, the CLI commands and the audit entries are derived
 * from these; Slack handlers run them by definition. `run` receives parsed input, and only after the
 * engine checked `permission` (or `alsoAllowed`).
 */
export interface OperationDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  /** Written for a model: what it does, when to use it, what comes back. */
  description: string;
  input: I;
  output: O;
  permission: Permission;
  /** People the role check would refuse who may still run it (the invitee who finishes a setup). */
  alsoAllowed?(ctx: OpContext, input: z.infer<I>): Promise<boolean> | boolean;
  nature: Nature;
  confirm?: Confirmation<z.infer<I>>;
  /** Everything checkable without a cloud call or a write; front ends run it before acknowledging a form. */
  precheck?(ctx: OpContext, input: z.infer<I>): Promise<void>;
  /** A short text for people and models that ignore structured results. */
  summarize(output: z.infer<O>): string;
  /**
   * Its result is a function of the stored data, the reader and the input alone: no clock, no cloud
   * call. Front ends may answer a repeat from what they answered for the same store snapshot.
   */
  fromSnapshot?: true;
  /** Where it is offered besides Slack (default: everywhere; the REST API follows the CLI unless told). */
  exposure?: Partial<Exposure>;
  run(ctx: OpContext, input: z.infer<I>): Promise<z.infer<O>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation = OperationDef<any, any>;
export type InputOf<D> = D extends OperationDef<infer I, z.ZodType> ? z.input<I> : never;
export type OutputOf<D> = D extends OperationDef<z.ZodType, infer O> ? z.infer<O> : never;

export const defineOperation = <I extends z.ZodType, O extends z.ZodType>(def: OperationDef<I, O>): OperationDef<I, O> => def;

export const exposure = (def: AnyOperation): Exposure => ({ mcp: def.exposure?.mcp ?? true, cli: def.exposure?.cli ?? true, api: def.exposure?.api ?? def.exposure?.cli ?? true });
