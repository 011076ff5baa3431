-- Every upgrade path: install 1.0, then ALTER EXTENSION UPDATE to each later version, in a
-- database of its own.
SELECT current_database() AS test_database \gset
CREATE DATABASE snowflake_upgrade;
\c snowflake_upgrade
CREATE EXTENSION snowflake VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'snowflake';
CREATE TABLE ids_before AS SELECT snowflake_nextval() AS id FROM generate_series(1, 10);

-- A view over a function the update replaces blocks the update, which then changes nothing.
CREATE VIEW id_times AS SELECT id, snowflake_to_timestamp(id) AS ts FROM ids_before;
ALTER EXTENSION snowflake UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'snowflake';
DROP VIEW id_times;

ALTER EXTENSION snowflake UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'snowflake';

-- The update leaves the same functions as a fresh 1.1 install (see install.out), and calls
-- written for 1.0 work unchanged.
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS arguments
FROM pg_proc AS p
JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
JOIN pg_extension AS e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = 'snowflake'
ORDER BY p.proname, arguments;
SELECT bool_and((snowflake_decode(id)).worker_id = 42) AS decode_as_before,
       bool_and(snowflake_from_timestamp(snowflake_to_timestamp(id)) <= id) AS bounds_as_before,
       min(snowflake_nextval()) > max(id) AS generation_continues
FROM ids_before;
\c :test_database
DROP DATABASE snowflake_upgrade;
