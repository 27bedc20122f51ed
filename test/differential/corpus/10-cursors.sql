-- Cursors: DECLARE, FETCH and MOVE forward, CLOSE, WITH HOLD across a commit, cursors closed at
-- the end of their transaction, and the errors of each. Backward fetches are Greenplum's own
-- refusal (Postgres scrolls some cursors declared without SCROLL): see cursors.test.ts.
-- setup
-- include _setup.sql

-- queries
BEGIN;
DECLARE c1 CURSOR FOR SELECT a, b, c FROM t1 WHERE a BETWEEN 1 AND 30 ORDER BY a;
-- ordered
FETCH c1;
-- ordered
FETCH 3 FROM c1;
-- ordered
FETCH NEXT IN c1;
MOVE 5 c1;
-- ordered
FETCH FORWARD 2 FROM c1;
-- ordered
FETCH RELATIVE 3 FROM c1;
-- ordered
FETCH ABSOLUTE 20 FROM c1;
-- ordered
FETCH FORWARD ALL FROM c1;
FETCH c1;
FETCH 5 FROM c1;
MOVE ALL IN c1;
FETCH FORWARD 0 FROM c1;
ROLLBACK;
BEGIN;
DECLARE ns NO SCROLL CURSOR FOR SELECT a FROM t1 WHERE a < 20 ORDER BY a;
FETCH RELATIVE 0 FROM ns;
-- ordered
FETCH 2 FROM ns;
-- error 55000
FETCH FORWARD 0 FROM ns;
ROLLBACK;
BEGIN;
DECLARE c2 NO SCROLL CURSOR WITHOUT HOLD FOR SELECT b, count(*) AS n FROM t1 GROUP BY b ORDER BY b NULLS FIRST;
-- ordered
FETCH ALL FROM c2;
DECLARE c3 INSENSITIVE CURSOR FOR SELECT t1.a, t2.d FROM t1 JOIN t2 ON t1.a = t2.a ORDER BY t1.a, t2.d;
-- ordered
FETCH 4 FROM c3;
CLOSE c3;
-- error 34000
FETCH c3;
COMMIT;
-- error 34000
FETCH c2;
-- error 25P01
DECLARE c4 CURSOR FOR SELECT 1;
DECLARE h1 CURSOR WITH HOLD FOR SELECT a, c FROM t1 WHERE a < 10 ORDER BY a;
-- ordered
FETCH 2 FROM h1;
BEGIN;
-- ordered
FETCH 2 FROM h1;
DECLARE h2 CURSOR WITH HOLD FOR VALUES (1, 'x'), (2, 'y');
ROLLBACK;
-- error 34000
FETCH h2;
-- ordered
FETCH 2 FROM h1;
BEGIN;
DECLARE d1 CURSOR FOR SELECT 1 AS one;
-- error 42P03
DECLARE d1 CURSOR FOR SELECT 2;
ROLLBACK;
CLOSE h1;
-- error 34000
CLOSE h1;
BEGIN;
DECLARE x1 CURSOR FOR SELECT id FROM t3 ORDER BY id;
DECLARE x2 CURSOR FOR SELECT code FROM r1 ORDER BY code;
CLOSE ALL;
-- error 34000
FETCH x1;
ROLLBACK;
BEGIN;
INSERT INTO t1 VALUES (500, 5, 'cursor');
DECLARE s1 CURSOR FOR SELECT a, c FROM t1 WHERE a >= 500 ORDER BY a;
INSERT INTO t1 VALUES (501, 5, 'after declare');
-- ordered
FETCH ALL FROM s1;
SELECT a, c FROM t1 WHERE a >= 500 ORDER BY a;
ROLLBACK;
