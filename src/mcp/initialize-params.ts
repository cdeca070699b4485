/**
 * What an `initialize` request lacks of what the SDK requires (its params: protocolVersion,
 * capabilities, clientInfo with name and version), in words; undefined when it lacks nothing or is
 * not one. The SDK would answer -32603 with zod's raw report (stdio) or the request would pass for
 * something else (HTTP); the client is told what to send. No imports: the stdio opening loads it first.
 */
export function initializeProblem(v: unknown): string | undefined {
  const m = v as { method?: unknown; id?: unknown; params?: Record<string, unknown> } | null;
  if (!m || m.method !== 'initialize' || m.id === undefined) return undefined;
  const p = m.params && typeof m.params === 'object' && !Array.isArray(m.params) ? m.params : undefined;
  const info = p?.clientInfo as { name?: unknown; version?: unknown } | undefined;
  const missing = [
    typeof p?.protocolVersion === 'string' ? '' : 'protocolVersion (a string, such as "2025-11-25")',
    p?.capabilities && typeof p.capabilities === 'object' && !Array.isArray(p.capabilities) ? '' : 'capabilities (an object: {} for none)',
    info && typeof info === 'object' && typeof info.name === 'string' && typeof info.version === 'string' ? '' : 'clientInfo (an object with a name and a version, both strings)',
  ].filter(Boolean);
  return missing.length ? `Invalid params: initialize needs params.${missing.join(', params.')}.` : undefined;
}
