-- Found by the SQL fuzzer (seed 15984, shape 1seg), shrunk: PostgreSQL folds a WHERE whole, in
-- the order written, before splitting it into quals; an AND stops at its first constant FALSE, so
-- the overflowing cast after it (BETWEEN's upper bound) is never computed.
-- setup
CREATE TABLE t4 (c0 int, c1 timestamp) DISTRIBUTED BY (c0);
INSERT INTO t4 VALUES (1, '2024-01-01');
-- queries
UPDATE t4 a0 SET c1 = '2024-02-29 23:59:59.5'::timestamp WHERE (0 BETWEEN 5::bigint::int AND (-4294967296)::bigint::int);
SELECT * FROM t4;
SELECT c0 FROM t4 WHERE 0 BETWEEN 5 AND (-4294967296)::bigint::int;
SELECT c0 FROM t4 WHERE false AND c0 = (-4294967296)::bigint::int;
-- error 22003
SELECT c0 FROM t4 WHERE c0 = (-4294967296)::bigint::int AND false;
DELETE FROM t4 WHERE 1 > 2 AND c0 > (-4294967296)::bigint::int;
SELECT * FROM t4;
