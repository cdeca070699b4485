import type { ToolDef } from '../tool.js';

/** Azure, Microsoft 365 and Entra ID tools. */
export const microsoftTools: ToolDef[] = [];
