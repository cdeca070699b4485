import { expect } from 'vitest';
import { CloudlinkError } from '../../src/engine/errors.js';

/** Awaits `p`, which must fail with a CloudlinkError of this code; returns the error for more checks. */
export async function rejects(p: Promise<unknown>, code: string): Promise<CloudlinkError> {
  const e = await p.then(
    () => {
      throw new Error(`expected ${code}, but it succeeded`);
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CloudlinkError);
  expect((e as CloudlinkError).code).toBe(code);
  return e as CloudlinkError;
}
