-- Found by the SQL fuzzer (seed 800670, shape 1seg), shrunk: avg(float8) kept only a sum and a
-- count, so ten rows of 1e300 averaged to 1e300 where Postgres' float8_accum overflows the sum
-- of squared deviations it keeps (Youngs-Cramer) and fails with 22003.
-- setup
CREATE TABLE t1 (c0 int) DISTRIBUTED REPLICATED;
INSERT INTO t1 VALUES (NULL), (NULL), (NULL), (NULL), (NULL), (NULL), (NULL), (NULL), (NULL), (NULL);
-- queries
-- error 22003
SELECT avg('1e300'::float8) AS x3 FROM t1 a0;
SELECT avg('1e150'::float8) AS x FROM t1 a0;
