/**
 * Which functions and operators are folded at plan time, compared with PostgreSQL's catalog: a
 * function PostgreSQL marks STABLE or VOLATILE is evaluated per row, so on an empty table its
 * errors are never raised (fuzz seed 11798: jsonb_build_object folded into an UPDATE's SET
 * raised 22001 on a table with no rows, where PostgreSQL updated 0 rows). Every entry of the
 * registry is looked up in pg_proc by name and argument types.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import '../../src/engine/index.ts';
import { isImmutable, registeredFunctions, type FuncDef } from '../../src/engine/sql/functions.ts';
import { startPgServer, type PgServer } from './pg-server.ts';

let pg: PgServer | undefined;
beforeAll(async () => {
  pg = await startPgServer();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
}, 60_000);

/** Our argument kinds in PostgreSQL's names (pseudo-types as pg_proc declares them). */
const PG_TYPE: Record<string, string> = { anytext: 'anynonarray', anyjson: '"any"' };
const pgType = (t: string) => PG_TYPE[t] ?? t;

/** The function's signature for to_regprocedure / to_regoperator, or undefined without one. */
function signature(d: FuncDef): string {
  const args = d.args.map(pgType);
  if (d.kind === 'func') return `${d.name}(${args.join(',')})`;
  return `${d.name}(${(args.length === 1 ? ['none', ...args] : args).join(',')})`;
}

it('every function folded at plan time is IMMUTABLE in PostgreSQL, and only those', async () => {
  const defs = registeredFunctions();
  const rows: { sig: string; immutable: boolean }[] = defs.map((d) => ({
    sig: signature(d),
    immutable: isImmutable(d),
  }));
  const values = rows.map((r, i) => `(${i}, '${r.sig.replace(/'/g, "''")}')`).join(',');
  // Exact signature first; else every overload of the name with that many arguments (variadic
  // "any" and the like), when they agree.
  const out = await pg!.query(`
    with ours(i, sig) as (values ${values}),
    exact as (
      select i, sig,
        case when sig ~ '^[a-z_0-9]+\\(' then (select provolatile::text from pg_proc where oid = to_regprocedure(sig))
             else (select p.provolatile::text from pg_operator o join pg_proc p on p.oid = o.oprcode
                   where o.oid = to_regoperator(sig)) end as v
      from ours)
    select i, sig, coalesce(v, (
      select case when count(distinct provolatile) = 1 then min(provolatile::text) end
      from pg_proc where proname = split_part(sig, '(', 1))) from exact order by i`);
  if ('error' in out) throw new Error(out.error.message);
  const differ: string[] = [];
  const unknown: string[] = [];
  for (const [i, sig, v] of out.rows) {
    const ours = rows[Number(i)]!;
    if (v === null) unknown.push(sig!);
    else if (ours.immutable !== (v === 'i'))
      differ.push(`${sig}: ours ${ours.immutable ? 'folded' : 'not folded'}, PostgreSQL ${v}`);
  }
  expect(differ).toEqual([]);
  // Functions of Greenplum's or this lab's that PostgreSQL does not have, and SQL-standard
  // forms PostgreSQL parses as keywords (CURRENT_DATE): none of them is folded.
  for (const sig of unknown) expect(rows.find((r) => r.sig === sig)?.immutable, sig).toBe(false);
  expect(defs.length).toBeGreaterThan(300);
});
