import { CloudlinkError } from '../engine/errors.js';

/**
 * An engine's input error, in the words of the command line: "Invalid input: durationSeconds: …" names
 * the input's field, which a person at the terminal never typed; this names the flag they did
 * (`--duration`). Only the engine's own sentence (built from the fields, see fromZodError) is reworded;
 * any other message is left as it is.
 */
export function inFlagWords(e: unknown, flagOf: (field: string) => string | undefined): unknown {
  if (!(e instanceof CloudlinkError) || e.code !== 'INVALID_INPUT') return e;
  const entries = Object.entries(e.fields);
  if (!entries.length) return e;
  const sentence = (name: (k: string) => string) => entries.map(([k, v]) => (k === '_' ? v : `${name(k)}: ${v}`)).join('; ');
  const prefix = /^Invalid ([^:]+): /.exec(e.message)?.[1];
  if (!prefix || e.message !== `Invalid ${prefix}: ${sentence((k) => k)}. Correct it and try again.`) return e;
  const flag = (k: string) => {
    const [top, ...rest] = k.split('.');
    const f = flagOf(top!);
    return f ? `${f}${rest.length ? ` (${rest.join('.')})` : ''}` : k;
  };
  const fields = Object.fromEntries(entries.map(([k, v]) => [k === '_' ? k : flag(k), v]));
  return new CloudlinkError('INVALID_INPUT', `Invalid ${prefix}: ${sentence(flag)}. Correct it and try again.`, fields, e.details);
}
