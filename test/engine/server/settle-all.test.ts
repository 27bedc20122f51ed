import { describe, expect, it } from 'vitest';
import { settleAll } from '../../../src/engine/server/settle-all.ts';

const later = <T>(ms: number, f: () => T) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(f());
      } catch (e) {
        reject(e);
      }
    }, ms),
  );

describe('settleAll', () => {
  it('gives every value in order when every part succeeds', async () => {
    expect(await settleAll([later(5, () => 'a'), Promise.resolve('b')])).toEqual(['a', 'b']);
  });

  it('fails only once every part has settled, with the first error to arrive', async () => {
    let slowDone = false;
    const slow = later(30, () => {
      slowDone = true;
      return 'slow';
    });
    const fast = later(1, () => {
      throw new Error('duplicate key');
    });
    const late = later(10, () => {
      throw new Error('second error');
    });
    await expect(settleAll([slow, late, fast])).rejects.toThrow('duplicate key');
    expect(slowDone).toBe(true);
  });
});
