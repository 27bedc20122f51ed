-- Found by the SQL fuzzer (seed 10000, shape 1seg), shrunk: Postgres runs a filter's conjuncts
-- cheapest first (order_qual_clauses), so `c0 <> c0` rejects the row before the cast of c0 to
-- int could overflow; ours ran them as written and failed with 22003.
-- setup
CREATE TABLE t1 (c0 bigint, c4 double precision) DISTRIBUTED RANDOMLY;
INSERT INTO t1 VALUES (4294967296, NULL);
-- queries
SELECT dense_rank() OVER (ORDER BY a0.c0, a0.c4) AS x0 FROM t1 a0 WHERE ((date_part('month', '2024-02-29 23:59:59.5'::timestamp)::int NOT BETWEEN a0.c0::int AND 7) AND (a0.c0 <> a0.c0));
SELECT c0 FROM t1 a0 WHERE (a0.c0::int > 0) AND (a0.c0 IS NULL);
-- Costed after constant folding, as Postgres does: `c0 > 1 + 8589934592` is one operator.
SELECT c0 FROM t1 a0 WHERE 10 / (a0.c0 - a0.c0) > 0 AND a0.c0 > 1 + 8589934592;
-- A list with a column is an OR of = per item, dearer than one with constants only.
-- error 22012
SELECT c0 FROM t1 a0 WHERE (a0.c0 / 0 > 1) AND a0.c0 IN (a0.c0 + 1, a0.c0 + 2);
