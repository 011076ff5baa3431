-- snowflake is a trusted extension: a role that owns its database (as Django, Rails or Flyway
-- run) installs it without a superuser. The operators' functions stay out of its reach.
SELECT current_database() AS test_database \gset
CREATE ROLE snowflake_app;
CREATE ROLE snowflake_untrusted;
CREATE DATABASE snowflake_app_db OWNER snowflake_app;
\c snowflake_app_db
SET ROLE snowflake_app;
CREATE EXTENSION snowflake;
SELECT extowner::regrole AS extension_owner FROM pg_extension WHERE extname = 'snowflake';
CREATE TABLE app_orders (id bigint PRIMARY KEY DEFAULT snowflake_nextval(), item text);
INSERT INTO app_orders (item) VALUES ('coffee');
SELECT (snowflake_decode(id)).worker_id FROM app_orders;
SELECT snowflake_advance_past(1);
\echo :LAST_ERROR_SQLSTATE
SELECT snowflake_accept_layout_change();
\echo :LAST_ERROR_SQLSTATE
-- Where untrusted roles connect, the role that installed it keeps them from running ids ahead in
-- bulk: snowflake_nextval_batch is its own to restrict (the rest belongs to the superuser).
REVOKE EXECUTE ON FUNCTION snowflake_nextval_batch(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION snowflake_nextval_batch(integer) TO snowflake_app;
SELECT count(*) AS installer_batch FROM snowflake_nextval_batch(3);
RESET ROLE;
SET ROLE snowflake_untrusted;
SELECT count(*) FROM snowflake_nextval_batch(3);
\echo :LAST_ERROR_SQLSTATE
SELECT snowflake_nextval() IS NOT NULL AS untrusted_nextval;
RESET ROLE;
SET ROLE snowflake_app;
-- Nothing in it runs with elevated privileges.
SELECT count(*) AS security_definer_functions
FROM pg_proc AS p
JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension AS e ON d.refobjid = e.oid AND e.extname = 'snowflake'
WHERE p.prosecdef;
RESET ROLE;
\c :test_database
DROP DATABASE snowflake_app_db;
DROP ROLE snowflake_untrusted;
DROP ROLE snowflake_app;
