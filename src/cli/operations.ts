import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { z } from 'zod';
import { composeEngine } from '../compose.js';
import { closeComposed } from './close.js';
import { requireExistingStore } from './store-exists.js';
import { inFlagWords } from './flag-errors.js';
import type { Config } from '../config.js';
import { ConfigError } from '../config.js';
import type { Engine } from '../engine/engine.js';
import type { Actor } from '../engine/domain/records.js';
import { exposure, type AnyOperation } from '../engine/registry/operation.js';

/**
 * Every operation as a command, derived from its definition: `cloudlink rename-account --account Payer
 * --new-name Billing`. Flags are the input's fields (camelCase as kebab-case); `--input '<json>'` gives
 * the whole input; `--output json` prints the structured result. The operator at the terminal acts as
 * an admin (they hold the store), named after their login unless CLOUDLINK_CLI_ACTOR says otherwise.
 */

const commandName = (op: string) => op.replace(/_/g, '-');
const flagName = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

type FieldKind = 'string' | 'number' | 'boolean' | 'array' | 'object';

/** The kind of value a schema field takes, seen through optional/default/pipe wrappers. */
function kindOf(schema: z.ZodType): FieldKind {
  let s = schema as unknown as { _zod: { def: { type: string; innerType?: unknown; in?: unknown } } };
  for (let i = 0; i < 10; i++) {
    const d = s._zod.def;
    const inner = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
    if (!inner) break;
    s = inner as typeof s;
  }
  const t = s._zod.def.type;
  return t === 'number' || t === 'int' ? 'number' : t === 'boolean' ? 'boolean' : t === 'array' ? 'array' : t === 'object' ? 'object' : 'string';
}

const shapeOf = (def: AnyOperation) => ((def.input as unknown as z.ZodObject).shape ?? {}) as Record<string, z.ZodType>;

export function operationUsage(def: AnyOperation): string {
  const flags = Object.entries(shapeOf(def))
    .filter(([k]) => !def.confirm || (k !== def.confirm.field && k !== def.confirm.idField))
    .map(([k, s]) => `  --${flagName(k)}${kindOf(s) === 'boolean' ? '' : ` <${kindOf(s)}>`}${s.description ? `  ${s.description}` : ''}`);
  return [`cloudlink ${commandName(def.name)}: ${def.title}`, def.description, '', ...flags, ...(def.confirm ? ['  --confirm-name <string>  the name, typed by you; asked for at the terminal when absent'] : []), '  --input <json>  the whole input as JSON', '  --output json  print the structured result'].join('\n');
}

/** Reads `--flag value` pairs into the operation's input. */
export function parseFlags(def: AnyOperation, args: string[]): { input: Record<string, unknown>; output: 'text' | 'json'; confirmName?: string } {
  const shape = shapeOf(def);
  const byFlag = new Map(Object.keys(shape).map((k) => [flagName(k), k]));
  let input: Record<string, unknown> = {};
  let output: 'text' | 'json' = 'text';
  let confirmName: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new ConfigError(`Unexpected argument "${arg}".\n\n${operationUsage(def)}`);
    const flag = m[1]!;
    const next = () => {
      if (m[2] !== undefined) return m[2];
      const v = args[++i];
      if (v === undefined) throw new ConfigError(`--${flag} needs a value.\n\n${operationUsage(def)}`);
      return v;
    };
    if (flag === 'input') {
      try {
        input = { ...input, ...(JSON.parse(next()) as Record<string, unknown>) };
      } catch {
        throw new ConfigError('--input must be a JSON object.');
      }
      continue;
    }
    if (flag === 'output') {
      const v = next();
      if (v !== 'json' && v !== 'text') throw new ConfigError('--output is json or text.');
      output = v;
      continue;
    }
    if (flag === 'confirm-name' && def.confirm) {
      confirmName = next();
      continue;
    }
    const field = byFlag.get(flag);
    if (!field) throw new ConfigError(`Unknown option --${flag}.\n\n${operationUsage(def)}`);
    const kind = kindOf(shape[field]!);
    if (kind === 'boolean') input[field] = m[2] === undefined ? true : m[2] === 'true';
    else if (kind === 'number') {
      const v = next();
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`--${flag} takes a number, not "${v}". Nothing was run.\n\n${operationUsage(def)}`);
      input[field] = n;
    }
    else if (kind === 'array') input[field] = next().split(',').map((s) => s.trim()).filter(Boolean);
    else if (kind === 'object') {
      try {
        input[field] = JSON.parse(next());
      } catch {
        throw new ConfigError(`--${flag} must be JSON.`);
      }
    } else input[field] = next();
  }
  return { input, output, ...(confirmName !== undefined ? { confirmName } : {}) };
}

async function askAtTerminal(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(`${question}\n> `);
  } finally {
    rl.close();
  }
}

export async function runOperation(engine: Engine, actor: Actor, def: AnyOperation, args: string[]): Promise<{ text: string; json: unknown }> {
  const { input, output, confirmName } = parseFlags(def, args);
  let full = input;
  if (def.confirm) {
    const subject = await engine.confirmation(def, actor, input);
    const typed = confirmName ?? (await askAtTerminal(subject.question));
    if (typed === undefined) throw new ConfigError(`${subject.question}\nNothing was changed: run it at a terminal to be asked, or pass --confirm-name with the name typed by you.`);
    full = { ...input, [def.confirm.refField]: subject.id, [def.confirm.field]: typed, [def.confirm.idField]: subject.id };
  }
  const shape = shapeOf(def);
  const out = await engine.run(def, actor, full).catch((e: unknown) => {
    throw inFlagWords(e, (field) => (field in shape ? `--${flagName(field)}` : undefined));
  });
  return { text: output === 'json' ? JSON.stringify(out, null, 2) : asCommandLine(engine, def.summarize(out)), json: out };
}

/** Summaries name operations as tools (`start_aws_setup`); at the terminal they are commands. */
export function asCommandLine(engine: Engine, text: string): string {
  const names = new Set(cliOperations(engine).map((d) => d.name));
  return text
    .replace(/\b([a-z]+(?:_[a-z0-9]+)+)\b(?: \(([a-z][A-Za-z]*) "([^"]+)"\))?/g, (m, name: string, field?: string, value?: string) =>
      names.has(name) ? `\`cloudlink ${commandName(name)}${field ? ` --${flagName(field)} ${value}` : ''}\`` : m,
    )
    .replace(/\banother start_\*_setup tool\b/g, 'another `cloudlink start-…-setup` command');
}

export const cliOperations = (engine: Pick<Engine, 'operations'>) => engine.operations.filter((d) => exposure(d).cli);

/**
 * Runs `cloudlink <operation> …` and closes what it opened before returning (the store's connections,
 * the deliveries its change started), so the process ends once the answer is printed. The operation is
 * found, and `--help` answered, before the store is opened: neither needs it.
 */
export async function runCliCommand(config: Config, name: string, args: string[]): Promise<boolean> {
  const [{ allOperations }, { FAMILIES }] = await Promise.all([import('../engine/operations/index.js'), import('../engine/families/table.js')]);
  const def = cliOperations({ operations: allOperations(FAMILIES) }).find((d) => commandName(d.name) === name || d.name === name);
  if (!def) return false;
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${operationUsage(def)}\n`);
    return true;
  }
  // Bad flags are refused before anything is opened, too.
  parseFlags(def, args);
  // What only reads does not create a store (run from the wrong folder, it would read a new, empty one).
  if (def.nature.readOnly) requireExistingStore(config);
  const composed = await composeEngine(config, { deliver: true });
  try {
    const actor: Actor = { id: config.CLOUDLINK_CLI_ACTOR ?? safeLogin(), via: 'cli', role: 'admin' };
    const { text } = await runOperation(composed.engine, actor, composed.engine.find(def.name) ?? def, args);
    process.stdout.write(`${text}\n`);
    return true;
  } finally {
    await closeComposed(composed);
  }
}

function safeLogin() {
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}
