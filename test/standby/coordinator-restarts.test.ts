/**
 * The coordinator's distributed-transaction state survives repeated crashes: every checkpoint,
 * the one that ends crash recovery included, carries the next distributed xid.
 */
import { describe, expect, it } from 'vitest';
import { createCluster } from '../../src/engine/index.ts';

describe('coordinator crash recovery', () => {
  it('after two crash recoveries in a row every committed row is still visible, and new commits land after them', async () => {
    const c = await createCluster({ mirroring: 'none', timeScale: 200 });
    try {
      await c.query('create table t (a int) distributed by (a)');
      await c.query('insert into t select generate_series(1, 10)');
      // Two crash recoveries in a row, with no transaction between them: the second starts from
      // the checkpoint that ended the first.
      await c.faults.crash(1);
      await c.faults.restart(1);
      await c.faults.crash(1);
      await c.faults.restart(1);
      expect((await c.query('select count(*) from t')).rows).toEqual([[10]]);
      await c.query('insert into t values (100)');
      expect((await c.query('select count(*), max(a) from t')).rows).toEqual([[11, 100]]);
    } finally {
      await c.close();
    }
  });
});
