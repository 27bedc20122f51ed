/**
 * A primary's executor, started on the first call that needs it: calls that come while its
 * code loads run after the load, in the order they came (a cancel included); the calls about
 * state only an executor holds need no load when none started; a failed load fails its call
 * with the gang error and the next call loads again.
 */
import { describe, expect, it } from 'vitest';
import { LazySegmentExecutor } from '../../../src/engine/node/lazy-executor.ts';
import { ModuleLoader, type SegmentModule } from '../../../src/engine/node/role-modules.ts';
import type { SegmentAdmin } from '../../../src/engine/server/segment-admin.ts';
import type { SegmentExecutor } from '../../../src/engine/server/segment.ts';

/** A fake executor that records each call; a fake admin that answers for the instance. */
function setup(options: { failLoads?: number } = {}) {
  const calls: string[] = [];
  let loads = 0;
  let failLoads = options.failLoads ?? 0;
  let open!: () => void;
  let gate = new Promise<void>((r) => (open = r));
  const record =
    (name: string) =>
    async (...args: unknown[]) => {
      calls.push(`${name}(${args.map((a) => JSON.stringify(a)).join(',')})`);
      return name === 'resolveOnePhase' ? 'committed' : name === 'rollbackToSavepoint' ? true : undefined;
    };
  // (Not a thenable: a promise resolving to it must not call a recorded `then`.)
  const executor = new Proxy({}, { get: (_t, p) => (p === 'then' ? undefined : record(String(p))) });
  const code = new ModuleLoader<SegmentModule>(async () => {
    loads++;
    await gate;
    if (failLoads-- > 0) {
      gate = new Promise<void>((r) => (open = r));
      throw new Error('the chunk could not be fetched');
    }
    return { SegmentExecutor: class {} } as unknown as SegmentModule;
  });
  const admin = {
    content: 3,
    onePhaseOutcome: async () => 'aborted',
    rollbackToSavepointNotHere: async () => false,
  } as unknown as SegmentAdmin;
  const lazy = new LazySegmentExecutor(admin, code, () => executor as SegmentExecutor);
  return { lazy, calls, loads: () => loads, open: () => open() };
}

describe('LazySegmentExecutor', () => {
  it('calls before any statement need no executor code', async () => {
    const { lazy, calls, loads } = setup();
    await lazy.cancelQuery('q1', '57014', 'canceling statement due to user request');
    await lazy.endQuery('q1');
    await lazy.abortDtx(7);
    expect(await lazy.resolveOnePhase(7)).toBe('aborted');
    expect(await lazy.rollbackToSavepoint(7, 1, 2, false)).toBe(false);
    expect(loads()).toBe(0);
    expect(calls).toEqual([]);
    expect(lazy.started).toBeUndefined();
  });

  it('calls that come while the code loads run once it has, in the order they came', async () => {
    const { lazy, calls, loads, open } = setup();
    const slice = lazy.insertRows({ queryId: 'q1' } as never);
    const cancel = lazy.cancelQuery('q1', '57014', 'canceling statement due to statement timeout');
    const outcome = lazy.resolveOnePhase(9);
    const end = lazy.endQuery('q1');
    expect(calls).toEqual([]);
    open();
    await Promise.all([slice, cancel, end]);
    expect(await outcome).toBe('committed');
    expect(calls).toEqual([
      'insertRows({"queryId":"q1"})',
      'cancelQuery("q1","57014","canceling statement due to statement timeout")',
      'resolveOnePhase(9)',
      'endQuery("q1")',
    ]);
    expect(loads()).toBe(1);
    expect(lazy.started).toBeDefined();
  });

  it('a failed load fails the calls waiting for it with the gang error; the next call loads again', async () => {
    const { lazy, calls, loads, open } = setup({ failLoads: 1 });
    const slice = lazy.execSlice({ queryId: 'q1' } as never);
    const cancel = lazy.cancelQuery('q1', '57014', 'x');
    open();
    await expect(slice).rejects.toMatchObject({
      code: '58M01',
      message: 'failed to acquire resources on one or more segments',
      detail: 'could not start a QE process on segment 3: the chunk could not be fetched',
    });
    await expect(cancel).resolves.toBeUndefined();
    const again = lazy.execSlice({ queryId: 'q2' } as never);
    open();
    await again;
    expect(loads()).toBe(2);
    expect(calls).toEqual(['execSlice({"queryId":"q2"})']);
  });
});
