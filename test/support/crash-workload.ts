/**
 * A randomised workload against one instance and a model of what must survive a crash.
 *
 * Rows are `key=value` strings in one heap relation, plus append-only rows in one AO relation.
 * The model holds the committed state; a commit counts only once `commit()` resolved
 * (acknowledged). A commit still in flight at the crash is "in doubt": after recovery the data
 * must equal the model with or without that transaction's effects, nothing else.
 */
import type { Instance } from '../../src/engine/instance/instance.ts';
import type { Transaction } from '../../src/engine/txn/xact.ts';
import type { Tid } from '../../src/engine/storage/page.ts';

export const HEAP_REL = 16384;
export const AO_REL = 16390;

export type Op =
  | { op: 'begin' }
  | { op: 'insert'; tx: number; key: number; value: number }
  | { op: 'bulkInsert'; tx: number; key: number; count: number; value: number }
  | { op: 'update'; tx: number; key: number; value: number }
  | { op: 'delete'; tx: number; key: number }
  | { op: 'aoInsert'; tx: number; value: number }
  | { op: 'commit'; tx: number }
  | { op: 'abort'; tx: number }
  | { op: 'checkpoint' };

const enc = new TextEncoder();
const dec = new TextDecoder();

interface OpenTx {
  tx: Transaction;
  /** Its own changes: key → new value, or undefined when it deleted the key. */
  own: Map<number, number | undefined>;
  ao: number[];
}

/** Committed state of the model. */
export interface ModelState {
  heap: Map<number, number>;
  ao: number[];
}

export class CrashWorkload {
  readonly committed: ModelState = { heap: new Map(), ao: [] };
  /** Effects of a commit that was in flight when the crash came. */
  inDoubt: ModelState | undefined;
  private open: OpenTx[] = [];
  private inst: Instance;
  acked = 0;

  constructor(inst: Instance) {
    this.inst = inst;
  }

  async setup(): Promise<void> {
    const tx = this.inst.xact.begin();
    this.inst.createStorage(tx, HEAP_REL);
    this.inst.createStorage(tx, AO_REL);
    await this.inst.xact.commit(tx);
  }

  /** Applies one op; ops that do not fit the current state are skipped. */
  async apply(o: Op): Promise<void> {
    const inst = this.inst;
    if (o.op === 'begin') {
      if (this.open.length >= 3) return;
      this.open.push({ tx: inst.xact.begin(), own: new Map(), ao: [] });
      return;
    }
    if (o.op === 'checkpoint') {
      await inst.checkpoint();
      return;
    }
    const t = this.open[o.tx % Math.max(1, this.open.length)];
    if (!t) return;
    // Greenplum locks a table for UPDATE/DELETE; here a key changed by another open
    // transaction is simply left alone.
    const lockedByOther = (key: number) => this.open.some((x) => x !== t && x.own.has(key));
    // Read committed: each statement sees what is committed now, plus its own changes.
    const sees = (key: number) =>
      t.own.has(key) ? t.own.get(key) !== undefined : this.committed.heap.has(key);
    switch (o.op) {
      case 'insert': {
        if (sees(o.key) || lockedByOther(o.key)) return;
        t.tx.nextCommand();
        await inst.heap(HEAP_REL).insert(t.tx, enc.encode(`${o.key}=${o.value}`));
        t.own.set(o.key, o.value);
        return;
      }
      case 'bulkInsert': {
        // Keys key, key+1, ... that this transaction may insert now (heap multi-insert).
        const keys: number[] = [];
        for (let k = o.key; k < o.key + o.count; k++) if (!sees(k) && !lockedByOther(k)) keys.push(k);
        if (!keys.length) return;
        t.tx.nextCommand();
        await inst.heap(HEAP_REL).insertMany(
          t.tx,
          keys.map((k) => enc.encode(`${k}=${o.value}`)),
        );
        for (const k of keys) t.own.set(k, o.value);
        return;
      }
      case 'update':
      case 'delete': {
        if (!sees(o.key) || lockedByOther(o.key)) return;
        t.tx.nextCommand();
        const snap = t.tx.commandSnapshot();
        const tid = await this.find(t.tx, o.key);
        if (!tid) throw new Error(`key ${o.key} not visible to its transaction`);
        const r =
          o.op === 'delete'
            ? await inst.heap(HEAP_REL).delete(t.tx, tid, snap)
            : await inst.heap(HEAP_REL).update(t.tx, tid, enc.encode(`${o.key}=${o.value}`), snap);
        if (r === 'invisible') throw new Error(`unexpected ${r} on key ${o.key}`);
        t.own.set(o.key, o.op === 'delete' ? undefined : o.value);
        return;
      }
      case 'aoInsert':
        inst.appendOptimized(AO_REL).insert(t.tx, enc.encode(`ao${o.value}`));
        t.ao.push(o.value);
        return;
      case 'commit': {
        this.open.splice(this.open.indexOf(t), 1);
        const after = this.merge(t);
        this.inDoubt = after;
        await inst.xact.commit(t.tx);
        this.inDoubt = undefined;
        this.committed.heap = after.heap;
        this.committed.ao = after.ao;
        this.acked++;
        return;
      }
      case 'abort':
        this.open.splice(this.open.indexOf(t), 1);
        inst.xact.abort(t.tx);
        return;
    }
  }

  /** The committed state if transaction slot `tx` committed now; undefined when there is none. */
  preview(tx: number): ModelState | undefined {
    const t = this.open[tx % Math.max(1, this.open.length)];
    return t ? this.merge(t) : undefined;
  }

  /** Starts a commit without waiting for it: the crash will find it in flight. */
  commitInFlight(): Promise<void> | undefined {
    const t = this.open[0];
    if (!t) return undefined;
    this.open.splice(0, 1);
    this.inDoubt = this.merge(t);
    return this.inst.xact.commit(t.tx);
  }

  /** Applies a committing transaction's changes to the committed state (keys it touched). */
  private merge(t: OpenTx): ModelState {
    const heap = new Map(this.committed.heap);
    for (const [k, v] of t.own) {
      if (v !== undefined) heap.set(k, v);
      else heap.delete(k);
    }
    return { heap, ao: [...this.committed.ao, ...t.ao] };
  }

  private async find(tx: Transaction, key: number): Promise<Tid | undefined> {
    for await (const page of this.inst.heap(HEAP_REL).scan(tx.commandSnapshot()))
      for (const r of page) if (dec.decode(r.data).startsWith(`${key}=`)) return r.tid;
    return undefined;
  }
}

/** Reads the recovered state of an instance. */
export async function readState(inst: Instance): Promise<{ heap: string[]; ao: string[] }> {
  const tx = inst.xact.begin();
  const snap = tx.commandSnapshot();
  const heap: string[] = [];
  for await (const page of inst.heap(HEAP_REL).scan(snap))
    for (const r of page) heap.push(dec.decode(r.data));
  const ao: string[] = [];
  for await (const blk of inst.appendOptimized(AO_REL).scan(snap))
    for (const r of blk) ao.push(dec.decode(r));
  return { heap: heap.sort(), ao: ao.sort() };
}

export function expected(m: ModelState): { heap: string[]; ao: string[] } {
  return {
    heap: [...m.heap].map(([k, v]) => `${k}=${v}`).sort(),
    ao: m.ao.map((v) => `ao${v}`).sort(),
  };
}

/** True when the recovered state is the model, or the model plus the in-doubt commit. */
export function matches(got: { heap: string[]; ao: string[] }, w: CrashWorkload): boolean {
  const same = (a: { heap: string[]; ao: string[] }) =>
    JSON.stringify(a.heap) === JSON.stringify(got.heap) && JSON.stringify(a.ao) === JSON.stringify(got.ao);
  return same(expected(w.committed)) || (w.inDoubt !== undefined && same(expected(w.inDoubt)));
}
