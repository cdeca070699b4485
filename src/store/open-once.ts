/**
 * `open`, run once however many callers ask, and shared while it runs; one that failed may be asked
 * again (a store that could not be reached at start is tried anew by the next caller).
 */
export function openOnce(open: () => Promise<void>): () => Promise<void> {
  let opened: Promise<void> | undefined;
  return () =>
    (opened ??= open().catch((e: unknown) => {
      opened = undefined;
      throw e;
    }));
}
