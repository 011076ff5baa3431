-- A server without shared_preload_libraries = 'snowflake': the extension installs with a
-- warning, decoding works, and generating ids fails with a hint instead of crashing or silently
-- misbehaving.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';
-- CREATE EXTENSION warns at once (newer servers would add where in the script it came from).
\set SHOW_CONTEXT never
CREATE EXTENSION snowflake;
\set SHOW_CONTEXT errors

SELECT snowflake_nextval();
\echo :LAST_ERROR_SQLSTATE

SELECT * FROM snowflake_decode((1::bigint << 22) | (5 << 12) | 7);
SELECT snowflake_to_timestamp(0);
SELECT snowflake_from_timestamp('2010-11-04 01:42:54.658+00');

-- The settings exist, so decoding follows the configuration.
SHOW snowflake.epoch;
SHOW snowflake.worker_id;
