/**
 * The bank as its clients know it: each account's balance after every transfer whose COMMIT
 * they saw succeed. Comparing it with the table finds an acknowledged transfer that was lost
 * (or one that committed although its client was told it failed), which a conserved sum alone
 * cannot: a lost transfer takes its debit and its credit with it.
 *
 * Transfers not settled when the balances are read (still running, or a COMMIT whose outcome
 * the client cannot know) make their two accounts uncheckable; every other account must hold
 * exactly what the acknowledged transfers say.
 */
export interface LedgerTransfer {
  id: number;
  from: number;
  to: number;
  amount: number;
}

export interface LedgerCheck {
  /** Accounts compared. */
  checked: number;
  /** Accounts left out: a transfer on them was unsettled while the balances were read. */
  unsettled: number;
  /** Accounts whose balance is not what the acknowledged transfers say, with both figures. */
  wrong: { id: number; expected: number; actual: number }[];
}

/** Transfers remembered by id, for those that start while the balances are being read. */
const RECENT = 10_000;

export class BankLedger {
  private expected = new Map<number, number>();
  private readonly open = new Map<number, LedgerTransfer>();
  private readonly recent: LedgerTransfer[] = [];
  private next = 0;
  /** Transfers whose COMMIT's outcome the client could not know. */
  doubtful = 0;

  /** The balances when the workload starts (nothing in flight). */
  baseline(rows: readonly (readonly [number, number])[]): void {
    this.expected = new Map(rows.map(([id, balance]) => [id, balance]));
    this.open.clear();
    this.recent.length = 0;
    this.doubtful = 0;
  }

  begin(from: number, to: number, amount: number): LedgerTransfer {
    const t = { id: this.next++, from, to, amount };
    this.open.set(t.id, t);
    this.recent.push(t);
    if (this.recent.length > RECENT) this.recent.splice(0, this.recent.length - RECENT);
    return t;
  }

  /** Its COMMIT succeeded. */
  acknowledged(t: LedgerTransfer): void {
    this.open.delete(t.id);
    this.expected.set(t.from, (this.expected.get(t.from) ?? 0) - t.amount);
    this.expected.set(t.to, (this.expected.get(t.to) ?? 0) + t.amount);
  }

  /** It failed before or at COMMIT with an answer: it did not happen. */
  failed(t: LedgerTransfer): void {
    this.open.delete(t.id);
  }

  /** The connection went during COMMIT: it stays unsettled for good, its accounts uncheckable. */
  unknown(t: LedgerTransfer): void {
    if (this.open.has(t.id)) this.doubtful++;
  }

  /** Reads the balances (`read`) and compares every account no unsettled transfer touched. */
  async verify(read: () => Promise<readonly (readonly [number, number])[]>): Promise<LedgerCheck> {
    const firstDuring = this.next;
    const skip = new Set<number>();
    for (const t of this.open.values()) skip.add(t.from).add(t.to);
    const rows = await read();
    // Transfers that started while the balances were read may or may not be in them.
    for (const t of this.recent) if (t.id >= firstDuring) skip.add(t.from).add(t.to);
    const wrong: LedgerCheck['wrong'] = [];
    let checked = 0;
    for (const [id, actual] of rows) {
      if (skip.has(id)) continue;
      checked++;
      const expected = this.expected.get(id);
      if (expected !== actual) wrong.push({ id, expected: expected ?? Number.NaN, actual });
    }
    return { checked, unsettled: skip.size, wrong };
  }
}
