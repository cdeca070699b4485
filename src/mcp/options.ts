export type McpOptions = { readOnly: boolean; requireElicitation: boolean };
