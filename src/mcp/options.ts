export type McpOptions = {
  readOnly: boolean;
  /** Refuse destructive tools on clients that cannot ask the human themselves (no fallback at all). */
  requireElicitation: boolean;
  /**
   * Opt-in fallback for clients without elicitation: the typed name comes as a tool argument. It gives
   * up the guarantee that a human confirmed: the model could type the name itself.
   */
  typedConfirmation?: boolean;
};
