/**
 * The systems a fuzz case runs on: our cluster in a given shape (a fresh one per case), and a
 * PostgreSQL database (emptied per case). Only the PostgreSQL one needs Node.
 */
import { createCluster } from '../../../src/engine/index.ts';
import type { ClusterOptions } from '../../../src/engine/index.ts';
import { fromPg, runOurs, stripGreenplum } from '../compare.ts';
import type { PgConnection } from '../pg-server.ts';
import type { SystemFactory } from './runner.ts';

/** The cluster shapes statements run on: one segment, 2 hosts x 2, 3 hosts x 2 with spread mirrors. */
export const SHAPES: Record<string, ClusterOptions> = {
  '1seg': { hosts: ['sdw1'], segmentsPerHost: 1, mirroring: 'none' },
  '2x2': { hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2, mirroring: 'none' },
  '3x2': { hosts: ['sdw1', 'sdw2', 'sdw3'], segmentsPerHost: 2, mirroring: 'spread' },
};

export function clusterFactory(name: string): SystemFactory {
  const shape = SHAPES[name];
  if (!shape) throw new Error(`unknown shape ${name}; shapes: ${Object.keys(SHAPES).join(', ')}`);
  return {
    name,
    async open() {
      const cluster = await createCluster({ ...shape, runtime: 'inline', storage: 'memory' });
      const session = await cluster.connect().catch(async (e: unknown) => {
        await cluster.close();
        throw e;
      });
      // As the reference's 5 s: a generated join can be enormous (seed 10330: a skewed
      // self-join crossed with a third table). 600 s of cluster time is 20 s at the default 30x.
      await session.query("set statement_timeout = '600s'");
      return {
        run: (sql) => runOurs(session, sql),
        async close() {
          try {
            await session.close();
          } finally {
            await cluster.close();
          }
        },
      };
    },
  };
}

/** A PostgreSQL database, emptied (its public schema recreated, settings reset, temporary tables dropped) for every case. */
export function pgFactory(db: PgConnection): SystemFactory {
  return {
    name: 'postgres',
    async open() {
      // A generated join can be enormous: past 5 s the reference gives up (57014) and the
      // runner skips the statement, rather than let PostgreSQL write tens of gigabytes.
      for (const sql of [
        // A case stopped at a failure may have left a block open (a savepoint statement).
        'ROLLBACK',
        // A case's settings (enable_seqscan) and temporary tables end with it.
        'RESET ALL',
        'DISCARD TEMP',
        'DROP SCHEMA public CASCADE',
        'CREATE SCHEMA public',
        "SET statement_timeout = '5s'",
      ]) {
        const r = await db.query(sql);
        if ('error' in r) throw new Error(`${sql}: ${r.error.message}`);
      }
      return {
        run: async (sql) => fromPg(await db.query(stripGreenplum(sql))),
        close: async () => undefined,
      };
    },
  };
}
