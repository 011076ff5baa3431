-- Plans on plain integer columns stay as PostgreSQL makes them without the extension. The 1.1
-- update puts bigint's, integer's and smallint's own < and > into the snowflake B-tree family
-- (sql/snowflake--1.0--1.1.sql says why): a sort, an equivalence class or a merge join on plain
-- integers must still find them in the built-in integer_ops, and only there for equality.
CREATE TABLE plain_a (x bigint, y integer, z smallint);
INSERT INTO plain_a SELECT g, g, g % 30000 FROM generate_series(1, 20000) AS g;
CREATE TABLE plain_b AS SELECT * FROM plain_a;
CREATE INDEX plain_a_x ON plain_a (x);
CREATE INDEX plain_a_y ON plain_a (y);
CREATE INDEX plain_a_z ON plain_a (z);
CREATE INDEX plain_b_x ON plain_b (x);
CREATE INDEX plain_b_y ON plain_b (y);
CREATE INDEX plain_b_z ON plain_b (z);
ANALYZE plain_a, plain_b;

-- The B-tree families of the comparison operators between integer types: equality operators
-- in integer_ops alone, < and > of two operands of one type also in snowflake_ops. The planner
-- takes a sort order from the family of smallest OID that holds the operator.
SELECT families, count(*) AS operators,
       string_agg(operator::text, ' ' ORDER BY operator::text)
         FILTER (WHERE families <> 'integer_ops') AS which
FROM (SELECT o.oid::regoperator AS operator, string_agg(f.opfname, ', ' ORDER BY f.oid) AS families
      FROM pg_operator AS o
      JOIN pg_amop AS a ON a.amopopr = o.oid
      JOIN pg_opfamily AS f ON f.oid = a.amopfamily
      JOIN pg_am AS m ON m.oid = f.opfmethod AND m.amname = 'btree'
      WHERE o.oprleft IN ('bigint'::regtype, 'integer'::regtype, 'smallint'::regtype)
        AND o.oprright IN ('bigint'::regtype, 'integer'::regtype, 'smallint'::regtype)
      GROUP BY o.oid) AS operators
GROUP BY families ORDER BY families;

-- The plan of a query as JSON, where versions differ less than in text.
CREATE FUNCTION json_plan(query text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  plan jsonb;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON, COSTS OFF) ' || query INTO plan;
  RETURN plan;
END $$;

-- ORDER BY ... LIMIT and min/max read an index of each type in order, with no sort.
SELECT query, jsonb_path_exists(plan, '$.**."Index Name"') AS reads_an_index,
       jsonb_path_exists(plan, '$.** ? (@."Node Type" == "Sort")') AS sorts
FROM unnest(ARRAY['SELECT * FROM plain_a ORDER BY x LIMIT 1',
                  'SELECT * FROM plain_a ORDER BY y DESC LIMIT 1',
                  'SELECT * FROM plain_a ORDER BY z LIMIT 1',
                  'SELECT max(x), min(y), max(z) FROM plain_a']) AS query,
     json_plan(query) AS plan;

-- From a join condition and a constant, the planner deduces the constant for the other table
-- (an equivalence class), so plain_b is scanned with that constant, not once per row of plain_a.
SELECT query,
       jsonb_path_exists(plan, '$.** ? (@."Relation Name" == "plain_b"
                                       && @."Index Cond" like_regex "5")') AS plain_b_scanned_for_5
FROM unnest(ARRAY['SELECT * FROM plain_a AS a JOIN plain_b AS b ON a.x = b.x WHERE a.x = 5',
                  'SELECT * FROM plain_a AS a JOIN plain_b AS b ON a.x = b.y WHERE a.x = 5::bigint',
                  'SELECT * FROM plain_a AS a JOIN plain_b AS b ON a.y = b.x WHERE a.y = 5',
                  'SELECT * FROM plain_a AS a JOIN plain_b AS b ON a.z = b.x '
                  'WHERE a.z = 5::smallint']) AS query,
     json_plan(query) AS plan;

-- Merge joins of integer columns, each side read in order from its index.
SET enable_hashjoin = off;
SET enable_nestloop = off;
SELECT query, jsonb_path_exists(plan, '$.** ? (@."Node Type" == "Merge Join")') AS merge_join,
       jsonb_path_exists(plan, '$.** ? (@."Node Type" == "Sort")') AS sorts
FROM unnest(ARRAY['SELECT * FROM plain_a AS a JOIN plain_b AS b ON a.x = b.x',
                  'SELECT * FROM plain_a AS a JOIN plain_b AS b ON a.x = b.y',
                  'SELECT * FROM plain_a AS a JOIN plain_b AS b ON a.z = b.y']) AS query,
     json_plan(query) AS plan;
RESET enable_hashjoin;
RESET enable_nestloop;

DROP FUNCTION json_plan(text);
DROP TABLE plain_a, plain_b;
