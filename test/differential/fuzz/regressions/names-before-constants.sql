-- Found by the SQL fuzzer (seed 810103, shape 1seg), shrunk: a missing FROM-clause entry is a
-- parse-analysis error (42P01) in Postgres, raised before any constant is folded; ours cast
-- '4294967296::bigint::int' while binding, and failed with 22003 first.
-- setup
CREATE TABLE t0 (c0 int, c2 int) DISTRIBUTED BY (c0);
-- queries
-- error 42P01
SELECT a10.x1 FROM (SELECT sum((-2)::bigint) AS x1 FROM t0 a3 INNER JOIN t0 a4 ON (4294967296::bigint::int <> length(''::text))) a5;
-- error 22003
SELECT 4294967296::bigint::int AS x FROM t0;
