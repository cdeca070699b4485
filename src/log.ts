/**
 * A tiny structured logger that writes to stderr only (stdout belongs to the MCP protocol in stdio
 * mode) and scrubs anything shaped like a secret before it is written.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Logger = Record<Level, (msg: string, fields?: Record<string, unknown>) => void>;

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const SECRET_PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\bxox[abposr]-[A-Za-z0-9-]+/g,
  /\bxapp-[A-Za-z0-9-]+/g,
  /\b(ASIA|AKIA)[A-Z0-9]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g,
  /(Bearer\s+)[A-Za-z0-9._~+/-]+=*/gi,
  // Anything that looks like key material (AWS secret keys, session tokens, base64 blobs): an
  // unexpected error may quote one, and a log line is not worth the risk.
  /[A-Za-z0-9+/_-]{32,}={0,2}/g,
];
const SECRET_KEYS = /secret|password|token|privatekey|private_key|sessiontoken|authorization|encryptionkey|signingsecret/i;

/** Record ids (accounts, setups, deliveries) are UUIDs: long enough to look like key material, but needed to follow a log. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return SECRET_PATTERNS.reduce((s, re) => s.replace(re, (m, p1) => (typeof p1 === 'string' && /bearer/i.test(p1) ? `${p1}[redacted]` : UUID.test(m) ? m : '[redacted]')), value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function createLogger(opts: { level?: Level; write?: (line: string) => void } = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const make = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const safe = fields ? (redact(fields) as Record<string, unknown>) : undefined;
    write(JSON.stringify({ t: new Date().toISOString(), level, msg: redact(msg), ...safe }));
  };
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
