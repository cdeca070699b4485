import { exposure, type AnyOperation } from '../engine/registry/operation.js';

/** One line per operation command, for `cloudlink help`: the title in the same column as the usage rows' descriptions. */
export function cliOperationNames(ops: readonly AnyOperation[]): string {
  return ops
    .filter((d) => exposure(d).cli)
    .map((d) => `  ${d.name.replace(/_/g, '-').padEnd(31)} ${d.title}`)
    .join('\n');
}
