/**
 * A segment's side of btree indexes: building one over a table's rows (CREATE INDEX, REINDEX)
 * and adding the entries of every row an INSERT, COPY or UPDATE writes, with the unique check
 * that enforces PRIMARY KEY and UNIQUE. Greenplum requires such a key to contain the table's
 * distribution key, so equal keys always land on one segment and the check is local.
 *
 * The unique check is Postgres': an equal key on a live row fails with 23505; one on a row that
 * another transaction is inserting or deleting right now waits for that transaction to end,
 * then looks again (the second of two concurrent inserts of a key fails once the first commits,
 * and goes on if it aborts). A wait that closes a cycle fails with 40P01.
 */
import { sqlError } from '../errors.ts';
import type { Row } from '../exec/context.ts';
import type { Interrupts } from '../exec/interrupts.ts';
import type { Instance } from '../instance/instance.ts';
import type { IndexInfo, TableInfo } from '../plan/plan.ts';
import { rowCodec } from '../sql/tuple-codec.ts';
import { compareValues, formatValue, type Value } from '../sql/types.ts';
import type { BtreeIndex, IndexEntry, UniqueVerdict } from '../access/btree.ts';
import type { Tid } from '../storage/page.ts';
import type { Transaction } from '../txn/xact.ts';

export function indexOf(inst: Instance, table: TableInfo, ix: IndexInfo): BtreeIndex {
  return inst.btree(
    ix.relfilenode,
    ix.name,
    ix.columns.map((c) => table.columns[c]!.type),
    compareValues,
  );
}

/** Builds `ix` (its storage already created in `tx`) over the table's rows on this segment. */
export async function buildIndex(
  inst: Instance,
  tx: Transaction,
  table: TableInfo,
  ix: IndexInfo,
  interrupts?: Interrupts,
): Promise<void> {
  const xid = tx.assignXid();
  const codec = rowCodec(table.columns.map((c) => c.type));
  const entries: IndexEntry[] = [];
  for await (const page of inst.heap(table.relfilenode).scanNotDead(xid)) {
    await interrupts?.check();
    for (const r of page) {
      const row = codec.decode(r.data);
      entries.push({ key: ix.columns.map((c) => row[c]!), tid: r.tid });
    }
  }
  const bt = indexOf(inst, table, ix);
  if (ix.unique) {
    const types = ix.columns.map((c) => table.columns[c]!.type);
    const cmp = (a: Value[], b: Value[]): number => {
      for (let i = 0; i < a.length; i++) {
        const x = a[i]!;
        const y = b[i]!;
        if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
        const c = compareValues(x, y, types[i]!);
        if (c) return c;
      }
      return 0;
    };
    const keyed = entries.filter((e) => e.key.every((v) => v !== null)).sort((a, b) => cmp(a.key, b.key));
    for (let i = 1; i < keyed.length; i++)
      if (cmp(keyed[i - 1]!.key, keyed[i]!.key) === 0)
        throw sqlError('unique_violation', `could not create unique index "${ix.name}"`, {
          detail: `Key ${describeKey(table, ix, keyed[i]!.key)} is duplicated.`,
        });
  }
  await bt.build(tx, entries);
}

/** Adds the entries of `rows` (just written at `tids`) to every index of the table. */
export async function insertIndexEntries(
  inst: Instance,
  tx: Transaction,
  table: TableInfo,
  rows: readonly Row[],
  tids: readonly Tid[],
  interrupts: Interrupts,
): Promise<void> {
  for (const ix of table.indexes ?? []) {
    const bt = indexOf(inst, table, ix);
    const heap = inst.heap(table.relfilenode);
    for (let i = 0; i < rows.length; i++) {
      if (i % 256 === 255) await interrupts.check();
      const key = ix.columns.map((c) => rows[i]![c]!);
      const tid = tids[i]!;
      const unique = ix.unique
        ? async (equal: Tid[]): Promise<UniqueVerdict> => {
            for (const e of equal) {
              if (e.block === tid.block && e.offset === tid.offset) continue;
              const l = await heap.liveness(e, tx.xid);
              if (l === 'live') return { conflict: e };
              if (l !== 'dead') return l;
            }
            return 'ok';
          }
        : undefined;
      for (;;) {
        const v = await bt.insert(tx, key, tid, unique);
        if (v === 'ok') break;
        if ('conflict' in v)
          throw sqlError('unique_violation', `duplicate key value violates unique constraint "${ix.name}"`, {
            detail: `Key ${describeKey(table, ix, key)} already exists.`,
          });
        await inst.xact.waitForEnd(tx.xid, v.wait, (l) => interrupts.onCancel(l));
      }
    }
  }
}

/** `(a, b)=(1, x)`, as Postgres' error details name a key. */
function describeKey(table: TableInfo, ix: IndexInfo, key: Value[]): string {
  const names = ix.columns.map((c) => table.columns[c]!.name).join(', ');
  const values = key.map((v, i) =>
    v === null ? 'null' : formatValue(v, table.columns[ix.columns[i]!]!.type),
  );
  return `(${names})=(${values.join(', ')})`;
}
