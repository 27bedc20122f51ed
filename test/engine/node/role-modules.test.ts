import { describe, expect, it } from 'vitest';
import { ModuleLoader } from '../../../src/engine/node/role-modules.ts';

/** How call sites use a loader: wait only when it is pending, then take the module. */
async function loadedModule<T>(m: ModuleLoader<T>): Promise<T> {
  await m.pending();
  return m.now();
}

describe('ModuleLoader', () => {
  it('hands a linked-in module over at once, with no promise to wait on', () => {
    let loads = 0;
    const m = new ModuleLoader(() => {
      loads++;
      return { value: 1 };
    });
    expect(m.pending()).toBeUndefined();
    expect(m.now()).toEqual({ value: 1 });
    expect(m.pending()).toBeUndefined();
    expect(loads).toBe(1);
  });

  it('loads a lazy module once, however many wait for it', async () => {
    let loads = 0;
    const m = new ModuleLoader(async () => {
      loads++;
      return { value: 2 };
    });
    expect(() => m.now()).toThrow(/before it loaded/);
    const [a, b] = await Promise.all([m.pending(), loadedModule(m)]);
    expect(a).toEqual({ value: 2 });
    expect(b).toBe(a);
    expect(m.pending()).toBeUndefined();
    expect(m.now()).toBe(a);
    expect(loads).toBe(1);
  });

  it('a failed load rejects its waiters and is tried again by the next need', async () => {
    let loads = 0;
    const m = new ModuleLoader(async () => {
      if (++loads === 1) throw new Error('chunk unreachable');
      return { value: 3 };
    });
    m.prefetch(); // a failed prefetch is nobody's error
    await expect(loadedModule(m)).rejects.toThrow('chunk unreachable');
    await expect(loadedModule(m)).resolves.toEqual({ value: 3 });
    expect(loads).toBe(2);
  });
});
