-- Found by the SQL fuzzer (seed 10843, shape 1seg), shrunk: in the branch of a grouping set
-- without it, a grouping expression was an untyped NULL, so the branches' union failed
-- (42804); and a grouping expression that a set has was rewritten in its parts (42803).
-- setup
CREATE TABLE t3 (c0 text, c2 numeric) DISTRIBUTED RANDOMLY;
-- queries
SELECT COALESCE(a0.c2, a1.c2) AS x3 FROM t3 a0 INNER JOIN t3 a1 ON (a0.c0 = a1.c0) GROUP BY CUBE (a0.c2, a1.c2);
SELECT count(*) AS x0, COALESCE(a0.c2, a1.c2) AS x2 FROM t3 a0 INNER JOIN t3 a1 ON (a0.c0 = a1.c0) GROUP BY CUBE (a0.c0, a0.c2, COALESCE(a0.c2, a1.c2));
