-- Found by the SQL fuzzer (seed 20020, shape 3x2), shrunk: the UPDATE fails on the segment
-- holding the bigint minimum (abs overflows) while the other segments' slices still write; the
-- dispatcher cancels and waits for them before the abort, so no local transaction stays open
-- (the DELETE got 40001 "could not serialize access due to concurrent update").
-- setup
CREATE TABLE t4 (c0 bigint, c1 boolean, c2 bigint) DISTRIBUTED RANDOMLY;
INSERT INTO t4 VALUES (NULL, NULL, NULL), (NULL, NULL, NULL), (NULL, NULL, NULL), (NULL, NULL, NULL), (NULL, NULL, NULL), (NULL, NULL, NULL), ((-9223372036854775808), NULL, 1);
-- queries
-- error 22003
UPDATE t4 a0 SET c1 = (abs(a0.c0) = 12::bigint);
SELECT * FROM t4;
DELETE FROM t4 a0;
SELECT * FROM t4;
