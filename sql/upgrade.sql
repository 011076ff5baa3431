-- Every update path leaves exactly the objects a fresh install of the default version makes.
-- For each older version: install it, ALTER EXTENSION UPDATE, and compare the extension's
-- members, each with its full definition, privileges and comment, against a fresh install. A
-- change an upgrade script forgets shows up as a line here. Then a 1.0 installation with data
-- is updated and answers what 1.0 could not.

-- One line per member object: what \dx+ lists, plus what defines it (for an aggregate, which
-- pg_get_functiondef refuses, its functions and sort operator).
\set members 'SELECT pg_describe_object(d.classid, d.objid, d.objsubid) || '' :: '' || coalesce(CASE d.classid WHEN ''pg_proc''::regclass THEN (SELECT CASE p.prokind WHEN ''a'' THEN (SELECT concat_ws('' '', a.aggtransfn, a.aggcombinefn, a.aggsortop::regoperator, a.aggtranstype::regtype) FROM pg_aggregate AS a WHERE a.aggfnoid = p.oid) ELSE pg_get_functiondef(p.oid) END || coalesce(p.proacl::text, '''') FROM pg_proc AS p WHERE p.oid = d.objid) WHEN ''pg_class''::regclass THEN (SELECT c.relkind::text || coalesce(pg_get_viewdef(c.oid), '''') || coalesce(c.relacl::text, '''') FROM pg_class AS c WHERE c.oid = d.objid) WHEN ''pg_type''::regclass THEN (SELECT concat_ws('' '', t.typlen, t.typbyval, t.typalign, t.typinput, t.typoutput, t.typreceive, t.typsend, t.typcategory, t.typacl) FROM pg_type AS t WHERE t.oid = d.objid) WHEN ''pg_cast''::regclass THEN (SELECT concat_ws('' '', c.castfunc::regprocedure, c.castcontext, c.castmethod) FROM pg_cast AS c WHERE c.oid = d.objid) WHEN ''pg_operator''::regclass THEN (SELECT concat_ws('' '', o.oprcode, o.oprcom::regoperator, o.oprnegate::regoperator, o.oprrest, o.oprjoin, o.oprcanmerge, o.oprcanhash) FROM pg_operator AS o WHERE o.oid = d.objid) WHEN ''pg_opfamily''::regclass THEN (SELECT string_agg(m, '', '' ORDER BY m) FROM (SELECT format(''op %s %s'', a.amopstrategy, a.amopopr::regoperator) AS m FROM pg_amop AS a WHERE a.amopfamily = d.objid UNION ALL SELECT format(''proc %s %s %s %s'', a.amprocnum, a.amproclefttype::regtype, a.amprocrighttype::regtype, a.amproc::regprocedure) FROM pg_amproc AS a WHERE a.amprocfamily = d.objid) AS f) END, '''') || '' :: '' || coalesce(obj_description(d.objid, d.classid::regclass::name), '''') AS member FROM pg_depend AS d JOIN pg_extension AS e ON d.refclassid = ''pg_extension''::regclass AND d.refobjid = e.oid WHERE e.extname = ''snowflake'' AND d.deptype = ''e'''

SELECT current_database() AS test_database \gset
CREATE DATABASE snowflake_upgrade;
\c snowflake_upgrade
CREATE EXTENSION snowflake;
CREATE TEMP TABLE fresh AS :members;
SELECT count(*) > 0 AS fresh_install_has_members FROM fresh;
DROP EXTENSION snowflake;

-- The versions to update from: every available one but the default.
CREATE TEMP TABLE old_versions AS
SELECT version FROM pg_available_extension_versions
WHERE name = 'snowflake'
  AND version <> (SELECT default_version FROM pg_available_extensions WHERE name = 'snowflake');
SELECT count(*) AS versions_to_update_from FROM old_versions;

CREATE TEMP TABLE updated (from_version text, member text);
\set ECHO none
SELECT format('CREATE EXTENSION snowflake VERSION %L', version),
       'ALTER EXTENSION snowflake UPDATE',
       format('INSERT INTO updated SELECT %L, member FROM (%s) AS m', version, :'members'),
       'DROP EXTENSION snowflake'
FROM old_versions ORDER BY string_to_array(version, '.')::int[] \gexec
\set ECHO all

-- Members that differ between a fresh install and an updated one: none.
SELECT v.version AS from_version, diff.*
FROM old_versions AS v,
     LATERAL ((SELECT 'missing after update' AS problem, member FROM fresh
               EXCEPT SELECT 'missing after update', member FROM updated WHERE from_version = v.version)
              UNION ALL
              (SELECT 'only after update', member FROM updated WHERE from_version = v.version
               EXCEPT SELECT 'only after update', member FROM fresh)) AS diff
ORDER BY 1, 2, 3;

-- 1.0 with a snowflake-keyed table: = ANY with an array of bigints on its B-tree index fails
-- (an internal error, XX000: 1.0's operator family lacks what PostgreSQL sorts arrays with).
CREATE EXTENSION snowflake VERSION '1.0';
CREATE EXTENSION amcheck;
CREATE TABLE orders (id snowflake PRIMARY KEY, item text);
INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 10000) AS g;
ANALYZE orders;
SET enable_seqscan = off;
\set VERBOSITY sqlstate
SELECT count(*) FROM orders WHERE id = ANY ('{3, 1, 2}'::bigint[]);
\set VERBOSITY default
-- The library fills only the snowflake_stats columns 1.0 declares.
SELECT worker_id IS NOT NULL AS has_worker_id, lease_renewals >= 0 AS counts_renewals
FROM snowflake_stats;
-- Updated, the same table and index answer every array form through the index.
ALTER EXTENSION snowflake UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'snowflake';
CREATE FUNCTION rows_where(condition text, OUT rows bigint, OUT by_index boolean)
LANGUAGE plpgsql AS $$
DECLARE
  plan jsonb;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON, COSTS OFF) SELECT * FROM orders WHERE ' || condition INTO plan;
  by_index := jsonb_path_exists(plan, '$.**."Index Cond"');
  EXECUTE 'SELECT count(*) FROM orders WHERE ' || condition INTO rows;
END $$;
SELECT condition, r.*
FROM unnest(ARRAY['id = ANY (''{3, 1, 2, 20000}''::bigint[])', 'id = ANY (ARRAY[3, 1, 2, 3])',
                  'id = ANY (''{3, 1}''::smallint[])', 'id IN (1, 2, 20000)',
                  'id > ANY (''{9990, 9995}''::bigint[])', 'id <= ANY (''{5, 2}''::integer[])'])
       AS condition,
     rows_where(condition) AS r;
PREPARE by_ids(bigint[]) AS SELECT count(*) FROM orders WHERE id = ANY ($1);
EXECUTE by_ids('{3, 1, 2}');
SET plan_cache_mode = force_generic_plan;
EXECUTE by_ids('{3, 1, 2}');
RESET plan_cache_mode;
RESET enable_seqscan;
-- The index, kept through the update, is well formed and holds every row.
SELECT bt_index_check('orders_pkey', heapallindexed => true) IS NOT NULL AS index_checked;

\c :test_database
DROP DATABASE snowflake_upgrade;
