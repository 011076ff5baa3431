-- Every way an application compares a snowflake column with a number, against B-tree, hash and
-- BRIN indexes (issue 18): each operator with a snowflake, bigint, integer or smallint on either
-- side, IN lists, = ANY, > ANY and the rest, <> ALL, BETWEEN, several conditions at once,
-- joins, a lateral join, and prepared statements with array parameters, planned for their
-- values and generically. Each form runs three times, with only index scans allowed, with only
-- bitmap scans, and with only a sequential scan; all three must return the same rows.
CREATE EXTENSION amcheck;

-- Small ids, which integer and smallint values reach, and large ones; every third number, so
-- that a value can also fall between two ids.
CREATE TABLE flakes (id snowflake PRIMARY KEY);
INSERT INTO flakes SELECT g FROM generate_series(0, 3000, 3) AS g;
INSERT INTO flakes SELECT 1541815603606036480 + g FROM generate_series(0, 2997, 3) AS g;
ANALYZE flakes;
-- A descending two-column index, which PostgreSQL 18 and later also skip-scan for conditions on
-- its second column.
CREATE TABLE pairs (id snowflake, n integer);
INSERT INTO pairs SELECT id, id % 7 FROM flakes;
CREATE INDEX pairs_id_n ON pairs (id DESC, n);
ANALYZE pairs;
CREATE TABLE hashed (id snowflake);
INSERT INTO hashed SELECT id FROM flakes;
CREATE INDEX hashed_id ON hashed USING hash (id);
ANALYZE hashed;
CREATE TABLE ranged (id snowflake);
INSERT INTO ranged SELECT id FROM flakes ORDER BY id;
CREATE INDEX ranged_id ON ranged USING brin (id) WITH (pages_per_range = 1);
ANALYZE ranged;
-- The other side of the joins: one column of each type.
CREATE TABLE operands (s snowflake, b bigint, i integer, h smallint);
INSERT INTO operands SELECT v, v, v, v FROM unnest('{0, 3, 1500, 1501, 3000}'::int[]) AS v;
ANALYZE operands;

-- The values compared with the column, per type: below every id (but for snowflake), the
-- smallest id, the id 1500, 1501 between two ids, and the type's largest value or a large id;
-- and an array of them in no order, with a duplicate.
CREATE TABLE operand_values (type text, scalars text[], high text, list text);
INSERT INTO operand_values VALUES
  ('snowflake', '{0, 1500, 1501, 1541815603606036483, 9223372036854775807}',
   '1541815603606036483', '{1501, 1500, 3, 3, 0, 1541815603606036483}'),
  ('bigint', '{-1, 0, 1500, 1501, 1541815603606036483, 9223372036854775807}',
   '1541815603606036483', '{1501, 1500, -1, 3, 3, 1541815603606036483}'),
  ('integer', '{-1, 0, 1500, 1501, 2147483647}', '2147483647',
   '{1501, 1500, -1, 3, 3, 2147483647}'),
  ('smallint', '{-1, 0, 1500, 1501, 32767}', '32767', '{1501, 1500, -1, 3, 3, 32767}');
CREATE TABLE operators (op text);
INSERT INTO operators VALUES ('='), ('<>'), ('<'), ('<='), ('>'), ('>=');
-- The column of operands holding each type.
CREATE TABLE operand_columns (type text, col text);
INSERT INTO operand_columns VALUES ('snowflake', 's'), ('bigint', 'b'), ('integer', 'i'),
                                   ('smallint', 'h');

-- Each form is a query returning a column id; prepared forms also give the PREPARE (of the
-- statement "form") and the plan_cache_mode to run it with. Listed in the order made.
CREATE TABLE forms (position serial, family text, query text, prepare text, plan_mode text);
INSERT INTO forms (family, query)
SELECT 'id op ' || type, format('SELECT id FROM flakes WHERE id %s %L::%s', op, v, type)
FROM operand_values, unnest(scalars) AS v, operators
UNION ALL
SELECT type || ' op id', format('SELECT id FROM flakes WHERE %L::%s %s id', v, type, op)
FROM operand_values, unnest(scalars) AS v, operators
UNION ALL
SELECT 'id op ANY (' || type || '[])',
       format('SELECT id FROM flakes WHERE id %s ANY (%L::%s[])', op, list, type)
FROM operand_values, operators
UNION ALL
SELECT 'id op ALL (' || type || '[])',
       format('SELECT id FROM flakes WHERE id %s ALL (%L::%s[])', op, list, type)
FROM operand_values, operators
UNION ALL
SELECT 'id [NOT] IN (' || type || ', ...)',
       format('SELECT id FROM flakes WHERE id %s IN (%s)', negation,
              (SELECT string_agg(format('%L::%s', v, type), ', ')
               FROM unnest(list::text[]) AS v))
FROM operand_values, unnest('{"", NOT}'::text[]) AS negation
UNION ALL
SELECT 'id [NOT] BETWEEN ' || type,
       format('SELECT id FROM flakes WHERE id %s %L::%s AND %L::%s', kind, lower, type, upper,
              type)
FROM operand_values,
     LATERAL (VALUES ('BETWEEN', '3', high), ('NOT BETWEEN', '3', high),
                     ('BETWEEN SYMMETRIC', high, '3')) AS b(kind, lower, upper)
UNION ALL
SELECT 'literals', 'SELECT id FROM flakes WHERE ' || condition
FROM unnest(ARRAY['id = 1500', 'id = ''1500''', 'id = 1541815603606036483', '1500 < id',
                  'id IN (3, 1500, 1501)', 'id IN (''3'', ''1500'')',
                  'id IN (1541815603606036483, 3)', 'id = ANY (ARRAY[3, 1500])',
                  'id = ANY (''{3, 1500}'')', 'id > ANY (ARRAY[3, 1500])',
                  'id BETWEEN 3 AND 1541815603606036483', 'id NOT IN (3, 1500)']) AS condition
UNION ALL
SELECT 'NULLs and empty arrays', 'SELECT id FROM flakes WHERE ' || condition
FROM unnest(ARRAY['id = ANY (''{1500, NULL}''::bigint[])', 'id = ANY (''{NULL}''::integer[])',
                  'id = ANY (''{}''::smallint[])', 'id > ANY (''{NULL, 1500}''::integer[])',
                  'id <> ALL (''{1500, NULL}''::bigint[])', 'id IN (1500, NULL)',
                  'id = ANY (NULL::bigint[])']) AS condition
UNION ALL
SELECT 'several conditions on id', 'SELECT id FROM flakes WHERE ' || condition
FROM unnest(ARRAY[
  'id = ANY (''{3, 1500, 1501}''::integer[]) AND id = ANY (''{1501, 1500, 9}''::bigint[])',
  'id = ANY (''{3, 1500}''::smallint[]) AND id = ANY (''{1500, 3}''::smallint[])',
  'id = ANY (''{3, 1500, 1501}''::integer[]) AND id > 3::bigint',
  'id = ANY (''{3, 1500, 3000}''::smallint[]) AND id < 3000::integer',
  'id = ANY (''{3, 1500}''::bigint[]) AND id = 1500::smallint',
  'id > ANY (''{3, 1500}''::integer[]) AND id < ANY (''{1500, 3000}''::bigint[])',
  'id >= ANY (''{3, 1500}''::smallint[]) AND id <= 1503',
  'id > 3::integer AND id > 1500::bigint AND id <= 1503::smallint',
  'id IN (3, 1500) AND id = ANY (''{1500}''::bigint[])']) AS condition
UNION ALL
SELECT 'join id ' || op || ' ' || type,
       format('SELECT f.id FROM flakes AS f JOIN operands AS o ON f.id %s o.%s', op, col)
FROM operand_columns, unnest('{=, <}'::text[]) AS op
UNION ALL
SELECT 'join ' || type || ' = id',
       format('SELECT f.id FROM flakes AS f JOIN operands AS o ON o.%s = f.id', col)
FROM operand_columns
UNION ALL
SELECT 'lateral id = ANY (ARRAY[' || type || ', ...])',
       format('SELECT js.id FROM operands AS jb CROSS JOIN LATERAL (SELECT id FROM flakes AS js '
              'WHERE js.id = ANY (ARRAY[jb.%s, jb.%s + 1])) AS js', col, col)
FROM operand_columns
UNION ALL
SELECT 'hash index', 'SELECT id FROM hashed WHERE ' || condition
FROM operand_values,
     unnest(ARRAY[format('id = ANY (%L::%s[])', list, type), format('id = 1500::%s', type),
                  format('id IN (1500::%s, 1501::%s)', type, type)]) AS condition
UNION ALL
SELECT 'BRIN index', 'SELECT id FROM ranged WHERE ' || condition
FROM operand_values,
     unnest(ARRAY[format('id = ANY (%L::%s[])', list, type), format('id > 1500::%s', type),
                  format('id BETWEEN 3::%s AND %L::%s', type, high, type)]) AS condition
UNION ALL
SELECT 'two-column descending index', 'SELECT id FROM pairs WHERE ' || condition
FROM operand_values,
     unnest(ARRAY['n = 3', format('n = 3 AND id > 1500::%s', type),
                  format('n = 3 AND id < %L::%s AND id > 3::smallint', high, type),
                  format('id = ANY (%L::%s[]) AND n = ANY (''{0, 3}'')', list, type),
                  format('id > ANY (%L::%s[]) AND n = 3', list, type),
                  format('id = ANY (%L::%s[])', list, type)]) AS condition;
-- Prepared statements, as drivers send them: arrays and values of each type as parameters.
INSERT INTO forms (family, prepare, query, plan_mode)
SELECT 'prepared ' || statement || ', ' || type || ' parameters',
       format('PREPARE form(%s) AS SELECT id FROM flakes WHERE %s', parameters, condition),
       format('EXECUTE form(%s)', arguments), plan_mode
FROM operand_values,
     LATERAL (VALUES
       ('id = ANY ($1)', type || '[]', 'id = ANY ($1)', quote_literal(list)),
       ('id > ANY ($1)', type || '[]', 'id > ANY ($1)', quote_literal(list)),
       ('id IN ($1, $2)', type || ', ' || type, 'id IN ($1, $2)', '1500, 1501'),
       ('id = $1', type, 'id = $1', '1500'),
       ('$1 < id', type, '$1 < id', quote_literal(high)))
       AS p(statement, parameters, condition, arguments),
     unnest('{force_custom_plan, force_generic_plan}'::text[]) AS plan_mode;

-- Runs a form with only one kind of scan allowed: 'index', 'bitmap' or 'seq'. Returns the ids
-- found, sorted, whether an index scan applies a condition of the form (an Index Cond; with
-- only a sequential scan disabled, an index may still be read whole), and the message of an
-- error, if any.
CREATE FUNCTION run_form(form forms, scan text,
                         OUT ids bigint[], OUT index_applies_condition boolean, OUT error text)
LANGUAGE plpgsql AS $$
DECLARE
  plan jsonb;
BEGIN
  PERFORM set_config('enable_indexscan', (scan = 'index')::text, true),
          set_config('enable_indexonlyscan', (scan = 'index')::text, true),
          set_config('enable_bitmapscan', (scan = 'bitmap')::text, true),
          set_config('enable_seqscan', (scan = 'seq')::text, true),
          set_config('plan_cache_mode', coalesce(form.plan_mode, 'auto'), true);
  IF form.prepare IS NULL THEN
    EXECUTE 'EXPLAIN (FORMAT JSON, COSTS OFF) ' || form.query INTO plan;
    EXECUTE format('SELECT array_agg(id::bigint) FROM (%s) AS found', form.query) INTO ids;
  ELSE
    -- A statement prepared by a run that failed outlives its rolled-back subtransaction.
    IF EXISTS (SELECT FROM pg_prepared_statements WHERE name = 'form') THEN
      DEALLOCATE form;
    END IF;
    -- EXECUTE is no subquery: its rows go through a table.
    EXECUTE form.prepare;
    EXECUTE 'EXPLAIN (FORMAT JSON, COSTS OFF) ' || form.query INTO plan;
    EXECUTE 'CREATE TEMP TABLE found AS ' || form.query;
    SELECT array_agg(id::bigint) INTO ids FROM found;
    DROP TABLE found;
    DEALLOCATE form;
  END IF;
  SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO ids FROM unnest(ids) AS id;
  index_applies_condition := jsonb_path_exists(plan, '$.**."Index Cond"');
EXCEPTION WHEN OTHERS THEN
  error := SQLERRM;
END $$;

-- Runs every form three ways, one transaction per form.
CREATE TABLE results (position integer, family text, query text, seq_ids bigint[],
                      seq_reads_index boolean, differs boolean, index_applies_condition boolean,
                      errors text);
CREATE PROCEDURE compare_scans() LANGUAGE plpgsql AS $$
DECLARE
  f forms;
  seq record;
  by_index record;
  by_bitmap record;
BEGIN
  FOR f IN SELECT * FROM forms LOOP
    seq := run_form(f, 'seq');
    by_index := run_form(f, 'index');
    by_bitmap := run_form(f, 'bitmap');
    INSERT INTO results
    VALUES (f.position, f.family, f.query, seq.ids, seq.index_applies_condition,
            by_index.ids IS DISTINCT FROM seq.ids OR by_bitmap.ids IS DISTINCT FROM seq.ids,
            by_index.index_applies_condition OR by_bitmap.index_applies_condition,
            concat_ws('; ', seq.error, by_index.error, by_bitmap.error));
    COMMIT;
  END LOOP;
END $$;
CALL compare_scans();

-- Per family of forms: how many, how many find rows, how many return other rows from an index
-- than from a sequential scan, how many fail, and how many an index serves (an index or a
-- bitmap scan with the form's condition).
SELECT family, count(*) AS forms, count(*) FILTER (WHERE seq_ids <> '{}') AS finding_rows,
       count(*) FILTER (WHERE differs) AS other_rows,
       count(*) FILTER (WHERE errors <> '') AS failing,
       count(*) FILTER (WHERE index_applies_condition) AS served_by_an_index
FROM results GROUP BY family ORDER BY min(position);
SELECT count(*) AS forms, count(*) FILTER (WHERE seq_reads_index) AS seq_scans_using_an_index
FROM results;
-- The forms that fail or differ, with their errors: none.
SELECT family, query, errors FROM results WHERE differs OR errors <> '' ORDER BY family, query;

-- Each member the 1.1 update adds to the B-tree family (bigint's, integer's and smallint's
-- comparison functions, < and >) is needed: without it (dropped, then rolled back), some form
-- fails.
CREATE TABLE members_needed (member text, needed boolean);
CREATE PROCEDURE check_members_needed() LANGUAGE plpgsql AS $$
DECLARE
  members text[];
  member text;
  needed boolean;
BEGIN
  SELECT array_agg(m ORDER BY m) INTO members
  FROM (SELECT format('OPERATOR %s (%s, %s)', a.amopstrategy, a.amoplefttype::regtype,
                      a.amoprighttype::regtype)
        FROM pg_amop AS a JOIN pg_opfamily AS f ON f.oid = a.amopfamily
        WHERE f.opfname = 'snowflake_ops' AND a.amoplefttype = a.amoprighttype
          AND a.amoplefttype <> 'snowflake'::regtype
        UNION ALL
        SELECT format('FUNCTION %s (%s, %s)', p.amprocnum, p.amproclefttype::regtype,
                      p.amprocrighttype::regtype)
        FROM pg_amproc AS p JOIN pg_opfamily AS f ON f.oid = p.amprocfamily
        WHERE f.opfname = 'snowflake_ops' AND p.amproclefttype = p.amprocrighttype
          AND p.amproclefttype <> 'snowflake'::regtype) AS m(m);
  FOREACH member IN ARRAY members LOOP
    EXECUTE 'ALTER OPERATOR FAMILY snowflake_ops USING btree DROP ' || member;
    SELECT count(*) > 0 INTO needed
    FROM (SELECT FROM forms AS f, run_form(f, 'index') AS r WHERE r.error <> '' LIMIT 1) AS x;
    ROLLBACK;
    INSERT INTO members_needed VALUES (member, needed);
    COMMIT;
  END LOOP;
END $$;
CALL check_members_needed();
SELECT * FROM members_needed ORDER BY member;

-- The indexes are well formed, and hold every row of their tables.
SELECT c.relname AS index, bt_index_check(c.oid, heapallindexed => true) IS NOT NULL AS checked,
       bt_index_parent_check(c.oid, heapallindexed => true) IS NOT NULL AS parent_checked
FROM pg_class AS c WHERE c.relname IN ('flakes_pkey', 'pairs_id_n') ORDER BY 1;

DROP PROCEDURE compare_scans(), check_members_needed();
DROP FUNCTION run_form(forms, text);
DROP TABLE flakes, pairs, hashed, ranged, operands, operand_values, operators, operand_columns,
           forms, results, members_needed;
DROP EXTENSION amcheck;
