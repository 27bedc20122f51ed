-- Found by the SQL fuzzer (seed 2356, shape 1seg): an UPDATE that failed part-way on a segment
-- left that segment's transaction open (participants were noted only on success), and the next
-- DELETE of the row failed with 40001.
-- setup
CREATE TABLE t3 (c2 int, c3 double precision, c4 int) DISTRIBUTED BY (c4);
INSERT INTO t3 VALUES (NULL, NULL, NULL), (12, NULL, 2147483647);
-- queries
-- error 22003
UPDATE t3 a0 SET c2 = (a0.c2 + a0.c4), c3 = '10.5'::float8;
SELECT * FROM t3;
DELETE FROM t3 a0;
SELECT * FROM t3;
