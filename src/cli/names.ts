import { exposure, type AnyOperation } from '../engine/registry/operation.js';

/** One line per operation command, for `cloudlink help`. */
export function cliOperationNames(ops: readonly AnyOperation[]): string {
  return ops
    .filter((d) => exposure(d).cli)
    .map((d) => `  ${d.name.replace(/_/g, '-').padEnd(28)} ${d.title}`)
    .join('\n');
}
