/**
 * Waits for every segment's part of a statement before the statement fails, as Greenplum's
 * dispatcher does (it cancels the other QEs and waits for their answers before it aborts).
 * Failing on the first error would let the abort overtake a write still running on another
 * segment, which would then finish under a transaction nobody ends, and hold its locks and
 * unique keys for ever.
 */
export async function settleAll<T>(parts: Promise<T>[]): Promise<T[]> {
  let first: { error: unknown } | undefined;
  const results = await Promise.allSettled(
    parts.map((p) =>
      p.catch((error: unknown) => {
        // The first error to arrive is the one reported.
        first ??= { error };
        throw error;
      }),
    ),
  );
  if (first) throw first.error;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
