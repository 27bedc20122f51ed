-- Found by the SQL fuzzer (seed 11798, shape 1seg), shrunk: jsonb_build_object is STABLE in
-- PostgreSQL, so it is evaluated per row and an UPDATE of an empty table raises nothing; ours
-- folded it at plan time and the assignment to varchar(12) failed (22001) with no row to update.
-- setup
CREATE TABLE t1 (c0 numeric, c1 varchar(12)) DISTRIBUTED BY (c0);
-- queries
UPDATE t1 a0 SET c1 = (jsonb_build_object('k', '-1e-300'::float8) ->> 'k');
UPDATE t1 SET c1 = concat('x', repeat('y', 20));
SELECT * FROM t1 WHERE c1 = to_json(repeat('z', 20))::text::varchar(12);
SELECT * FROM t1;
