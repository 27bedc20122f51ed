import { it } from 'vitest';
import { parse, parseExpression } from '../../../src/engine/sql/parser.ts';
const out: string[] = [];
const show = (s: string) => { try { out.push(s + '\n  ' + JSON.stringify(parse(s))); } catch (e: any) { out.push(s + '\n  ERR ' + e.code + ' ' + e.message + ' @' + e.position + (e instanceof Error && !e.code ? e.stack : '')); } };
const ex = (s: string) => { try { out.push(s + '\n  ' + JSON.stringify(parseExpression(s))); } catch (e: any) { out.push(s + '\n  ERR ' + e.code + ' ' + e.message + ' @' + e.position+ (e instanceof Error && !e.code ? e.stack : '')); } };
it('scratch', () => {
ex('1 + 2 * 3'); ex('-2 ^ 2'); ex('NOT a = b AND c'); ex("date '2024-01-01'"); ex('a < b < c');
show('SELEC 1'); show('SELECT 1 +'); show("SELECT 'abc");
show("SELECT a, t.b AS x, count(*) FROM t JOIN u ON t.a = u.a LEFT JOIN v USING (a) WHERE x BETWEEN 1 AND 2 GROUP BY 1 ORDER BY 2 DESC NULLS LAST LIMIT 5");
show("CREATE TABLE t (a int PRIMARY KEY, b varchar(10) NOT NULL DEFAULT 'x', c numeric(10,2), d double precision, e timestamp with time zone) WITH (appendoptimized=true, orientation=row) DISTRIBUTED BY (a)");
show("select ((select 1) + 1), (select 2), x in ((select 1), 2), exists (select 1) from generate_series(1,10) as g(i), generate_series(1,3) h");
show("select * from (select 1) s union all select 2 order by 1 limit all offset 2");
show("insert into t (a, b) values (1, default), (2, 'x') returning *; update t x set a = a + 1 from u where x.a = u.a; delete from t using u where t.a=u.a");
console.log(out.join('\n'));
});
