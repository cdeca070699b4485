import type { Confirmations } from './confirm.js';
import type { Opening } from './opening.js';

/** The protocol era a server instance serves: 2025-11-25 and before (`legacy`) or 2026-07-28 (`modern`). */
export type Era = 'legacy' | 'modern';

export type McpOptions = {
  readOnly: boolean;
  /** Refuse destructive tools on clients that cannot ask the human themselves (no fallback at all). */
  requireElicitation: boolean;
  /**
   * Opt-in fallback for clients without elicitation: the typed name comes as a tool argument. It gives
   * up the guarantee that a human confirmed: the model could type the name itself.
   */
  typedConfirmation?: boolean;
  /** Signs and checks confirmation states (one key for every instance); a per-process one by default. */
  confirmations?: Confirmations;
  /** stdio only: the opening exchange was answered already (src/mcp/opening.ts); the SDK reads and writes through these. */
  opening?: Opening;
};
