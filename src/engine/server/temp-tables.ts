/**
 * Temporary tables: a session's own, in no catalog another session reads (Postgres' pg_temp
 * schema, searched first, so one hides a table of the same name). Their files are on every
 * segment like any table's. They go with the session, and with its gang: after a failover
 * took one of the session's segment connections, Greenplum's next statement fails with "gang
 * was lost due to cluster reconfiguration" and the session's temporary tables are gone.
 * Creating, dropping and truncating one are transactional, as in Postgres.
 */
import type { TableInfo } from '../plan/plan.ts';
import { gangLost } from './gang-errors.ts';

export class TempTables {
  private readonly tables = new Map<string, TableInfo>();
  /** This transaction's changes, undone if it aborts. */
  private readonly undo: (() => void)[] = [];

  get(name: string): TableInfo | undefined {
    return this.tables.get(name);
  }

  get size(): number {
    return this.tables.size;
  }

  names(): string[] {
    return [...this.tables.keys()];
  }

  all(): TableInfo[] {
    return [...this.tables.values()];
  }

  add(t: TableInfo): void {
    this.tables.set(t.name, t);
    this.undo.push(() => this.tables.delete(t.name));
  }

  drop(t: TableInfo): void {
    this.tables.delete(t.name);
    this.undo.push(() => this.tables.set(t.name, t));
  }

  /** CREATE INDEX, DROP INDEX, REINDEX on a temp table: its index list replaced. */
  setIndexes(t: TableInfo, indexes: TableInfo['indexes']): void {
    const old = t.indexes;
    t.indexes = indexes;
    this.undo.push(() => (t.indexes = old));
  }

  /** TRUNCATE: a new, empty file. */
  retarget(t: TableInfo, relfilenode: number): void {
    const old = t.relfilenode;
    t.relfilenode = relfilenode;
    this.undo.push(() => (t.relfilenode = old));
  }

  endTransaction(commit: boolean): void {
    if (!commit) for (const u of this.undo.splice(0).reverse()) u();
    this.undo.length = 0;
  }

  /** The gang went: the tables with it (their files stay behind on the segments, unused). */
  reset(): void {
    this.tables.clear();
    this.undo.length = 0;
  }
}

/**
 * Before a statement of a session holding temporary tables: if FTS moved one of its contents to
 * another instance since its gang was made, the gang is lost and so are the tables.
 */
export function checkGang(
  temp: TempTables,
  gangs: Map<number, number>,
  current: (content: number) => number | undefined,
): void {
  if (!temp.size) return;
  const lost = [...gangs].filter(([content, dbid]) => current(content) !== dbid);
  if (!lost.length) return;
  const names = temp.names();
  temp.reset();
  gangs.clear();
  throw gangLost(
    `Segment ${lost.map(([c]) => `seg${c}`).join(', ')} failed over since this session connected to it; its temporary tables (${names.join(', ')}) went with its connections.`,
    'Run the statement again; create the temporary tables again first.',
  );
}
