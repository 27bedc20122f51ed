-- Joins (co-located and redistributed, replicated, 3-way), subqueries and set operations.
-- setup
-- include _setup.sql

-- queries
-- inner joins on the distribution key
SELECT t1.a, t1.b, t2.d FROM t1 JOIN t2 ON t1.a = t2.a;
SELECT t1.a, t2.d, t2.e FROM t1 INNER JOIN t2 ON t1.a = t2.a WHERE t2.d > 0;
SELECT * FROM t1 JOIN t2 USING (a) WHERE a < 30;
SELECT t1.a, t2.a FROM t1, t2 WHERE t1.a = t2.a AND t1.b = 3;
SELECT a, c, d FROM t1 NATURAL JOIN t2 WHERE d IS NOT NULL;
-- joins on non-distribution keys
SELECT t1.a, t3.id, t3.v FROM t1 JOIN t3 ON t1.b = t3.k WHERE t1.a < 10;
SELECT t1.c, t3.v FROM t1 JOIN t3 ON t1.c = 'v' || t3.k WHERE t3.id < 15;
SELECT t2.a, t3.id FROM t2 JOIN t3 ON t2.a = t3.id;
SELECT x.a, y.a FROM t1 x JOIN t1 y ON x.b = y.a WHERE x.a < 20;
SELECT count(*) FROM t1 x JOIN t1 y ON x.b = y.b;
SELECT t3.id, a.id FROM t3 JOIN ao1 a ON a.grp = t3.k WHERE t3.id < 6 AND a.id < 12;
-- joins with a replicated table
SELECT t1.a, r1.name FROM t1 JOIN r1 ON t1.b = r1.code WHERE t1.a < 25;
SELECT r1.name, count(*) FROM t1 JOIN r1 ON t1.b = r1.code GROUP BY r1.name;
SELECT r1.name, t3.id FROM r1 JOIN t3 ON r1.code = t3.k WHERE r1.active;
SELECT r.code, s.code FROM r1 r JOIN r1 s ON r.code = s.code + 1;
-- left joins
SELECT t1.a, t2.d FROM t1 LEFT JOIN t2 ON t1.a = t2.a WHERE t1.a < 30;
SELECT t1.a, t2.d FROM t1 LEFT JOIN t2 ON t1.a = t2.a WHERE t2.a IS NULL;
SELECT t2.a, t1.c FROM t2 LEFT OUTER JOIN t1 ON t2.a = t1.a;
SELECT t1.a, r1.name FROM t1 LEFT JOIN r1 ON t1.b = r1.code WHERE t1.a < 30;
SELECT r1.code, t1.a FROM r1 LEFT JOIN t1 ON r1.code = t1.b AND t1.a < 20;
SELECT t3.id, t1.a FROM t3 LEFT JOIN t1 ON t3.k = t1.a WHERE t3.id < 25;
SELECT t1.a, t2.d FROM t1 LEFT JOIN t2 ON t1.a = t2.a AND t2.d > 10 WHERE t1.a < 40;
SELECT count(*), count(t2.a) FROM t1 LEFT JOIN t2 ON t1.a = t2.a;
SELECT e1.a, t1.a FROM empty1 e1 LEFT JOIN t1 ON e1.a = t1.a;
SELECT t1.a, e1.b FROM t1 LEFT JOIN empty1 e1 ON e1.a = t1.a WHERE t1.a < 5;
SELECT t1.a, COALESCE(t2.d, 0) FROM t1 LEFT JOIN t2 ON t1.a = t2.a WHERE t1.a BETWEEN 8 AND 14;
-- 3-way joins
SELECT t1.a, t2.d, t3.v FROM t1 JOIN t2 ON t1.a = t2.a JOIN t3 ON t3.id = t1.a;
SELECT t1.a, t2.d, r1.name FROM t1 JOIN t2 ON t1.a = t2.a JOIN r1 ON r1.code = t1.b;
SELECT t1.a, t2.d, r1.name FROM t1 LEFT JOIN t2 ON t1.a = t2.a LEFT JOIN r1 ON r1.code = t1.b WHERE t1.a < 20;
SELECT count(*) FROM t1, t2, t3 WHERE t1.a = t2.a AND t2.a = t3.id;
-- join + group by
SELECT t1.b, count(*), sum(t2.d) FROM t1 JOIN t2 ON t1.a = t2.a GROUP BY t1.b;
SELECT t3.k, count(t1.a), max(t1.c) FROM t3 LEFT JOIN t1 ON t3.id = t1.a GROUP BY t3.k;
SELECT r1.active, sum(t1.a) FROM t1 JOIN r1 ON t1.b = r1.code GROUP BY r1.active;
SELECT t2.e, count(*) FROM t1 JOIN t2 ON t1.a = t2.a GROUP BY t2.e HAVING count(*) > 1;
SELECT t1.b, avg(t3.f) FROM t1 JOIN t3 ON t1.a = t3.k GROUP BY t1.b ORDER BY t1.b;
-- cross join
SELECT count(*) FROM t1 CROSS JOIN r1;
SELECT r.code, s.name FROM r1 r CROSS JOIN (SELECT name FROM r1 WHERE code < 2) s;
-- subqueries in FROM
SELECT s.b, s.n FROM (SELECT b, count(*) AS n FROM t1 GROUP BY b) s WHERE s.n > 12;
SELECT max(n) FROM (SELECT b, count(*) AS n FROM t1 GROUP BY b) AS s;
SELECT s.a, t2.d FROM (SELECT a FROM t1 WHERE b = 1) s JOIN t2 ON s.a = t2.a;
SELECT * FROM (SELECT a, b FROM t1 ORDER BY a LIMIT 5) s ORDER BY b, a;
SELECT x FROM (SELECT a * 2 AS x FROM t1) s WHERE x > 190;
SELECT avg(cnt) FROM (SELECT k, count(*) AS cnt FROM t3 GROUP BY k) q;
-- scalar subqueries
SELECT (SELECT max(a) FROM t1), (SELECT min(d) FROM t2);
SELECT a, (SELECT name FROM r1 WHERE r1.code = t1.b) FROM t1 WHERE a < 12;
SELECT a FROM t1 WHERE a > (SELECT avg(a) FROM t1) AND a < 60;
SELECT a, b FROM t1 WHERE b = (SELECT max(code) FROM r1 WHERE code < 7);
SELECT (SELECT count(*) FROM empty1), (SELECT sum(a) FROM empty1);
-- error 21000
SELECT (SELECT a FROM t1 WHERE a < 3);
-- IN / EXISTS subqueries
SELECT a FROM t1 WHERE a IN (SELECT a FROM t2 WHERE d > 20);
SELECT a FROM t1 WHERE a NOT IN (SELECT a FROM t2 WHERE a IS NOT NULL) AND a < 20;
SELECT a FROM t1 WHERE a NOT IN (SELECT a FROM t2) AND a < 20;
SELECT a FROM t1 WHERE b IN (SELECT code FROM r1 WHERE active);
SELECT a FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.a AND t2.d < 0);
SELECT a FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.a) AND a < 25;
SELECT name FROM r1 WHERE EXISTS (SELECT 1 FROM t3 WHERE t3.k = r1.code AND t3.f > 1);
SELECT count(*) FROM t3 WHERE k IN (SELECT b FROM t1 WHERE a < 5);
-- set operations
SELECT a FROM t1 WHERE a < 5 UNION SELECT a FROM t2 WHERE a < 10;
SELECT a FROM t1 WHERE a < 5 UNION ALL SELECT a FROM t2 WHERE a < 10;
SELECT b FROM t1 UNION SELECT k FROM t3;
SELECT a FROM t1 INTERSECT SELECT a FROM t2;
SELECT a FROM t2 EXCEPT SELECT a FROM t1;
SELECT b FROM t1 EXCEPT SELECT code FROM r1;
SELECT a, c FROM t1 WHERE a < 3 UNION ALL SELECT code, name FROM r1 ORDER BY 1, 2;
SELECT a FROM t1 WHERE a < 4 UNION SELECT a FROM t1 WHERE a < 6 ORDER BY a DESC;
SELECT b FROM t1 INTERSECT ALL SELECT k FROM t3;
SELECT count(*) FROM (SELECT a FROM t1 UNION SELECT a FROM t2) u;
-- error 42601
SELECT a, b FROM t1 UNION SELECT a FROM t2;
-- error 42804
SELECT a FROM t1 UNION SELECT e FROM t2;
