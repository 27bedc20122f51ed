-- Issue 18's two wrong answers: GROUP BY after a join whose output the planner believed hashed on
-- the grouping column (the right input's locus used unshifted): after tags moved by emp_id, and
-- with a replicated inner side. One-phase aggregation gave one partial group per segment.
-- setup
CREATE TABLE tags (tag text, emp_id int) DISTRIBUTED BY (tag);
CREATE TABLE emp (id int, dept int, active boolean) DISTRIBUTED BY (id);
CREATE TABLE small (a int) DISTRIBUTED REPLICATED;
INSERT INTO emp SELECT g, g % 6, true FROM generate_series(1, 100) g;
INSERT INTO tags SELECT 'tag' || (g % 13), g FROM generate_series(1, 100) g;
INSERT INTO small SELECT g FROM generate_series(0, 5) g;
-- queries
SELECT t.tag, count(*) FROM tags t JOIN emp e ON e.id = t.emp_id GROUP BY t.tag;
SELECT s.a, count(e.id) FROM small s JOIN emp e ON e.dept = s.a GROUP BY s.a;
SELECT e.id, count(*) FROM tags t JOIN emp e ON e.id = t.emp_id GROUP BY e.id HAVING count(*) > 0;
SELECT t.emp_id, count(*) FROM tags t LEFT JOIN emp e ON e.id = t.emp_id GROUP BY t.emp_id;
SELECT e.dept, count(*) FROM small s RIGHT JOIN emp e ON e.dept = s.a GROUP BY e.dept;
SELECT DISTINCT s.a FROM small s JOIN tags t ON t.emp_id = s.a;
