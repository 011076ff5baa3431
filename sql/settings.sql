-- The settings: what they show, and how bad values are refused without changing anything.
SHOW snowflake.worker_id;
SHOW snowflake.epoch;
SHOW snowflake.worker_bits;
SHOW snowflake.sequence_bits;
SHOW snowflake.max_clock_lead;
SHOW snowflake.clock_wait_timeout;

-- Settings fixed at server start cannot change in a session.
SET snowflake.worker_id = 7;
\echo :LAST_ERROR_SQLSTATE
SET snowflake.epoch = '2024-01-01 00:00:00+00';
SET snowflake.worker_bits = 5;
SET snowflake.sequence_bits = 8;
-- The lead bound is server-wide (postgresql.conf and reload); the wait is per session.
SET snowflake.max_clock_lead = '1s';
SET snowflake.clock_wait_timeout = '2s';
SHOW snowflake.clock_wait_timeout;
RESET snowflake.clock_wait_timeout;
-- From PostgreSQL 17 on, the range error of a setting with a unit shows the unit: only the
-- SQLSTATE is shown here (install.sql shows the bounds).
\set VERBOSITY sqlstate
SET snowflake.clock_wait_timeout = -1;
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
-- The snowflake. prefix is reserved: a typo is an error, not a silent placeholder.
SET snowflake.workerid = 7;
\echo :LAST_ERROR_SQLSTATE

-- ALTER SYSTEM validates before writing anything.
ALTER SYSTEM SET snowflake.epoch = 'garbage';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET snowflake.epoch = 'now';
ALTER SYSTEM SET snowflake.epoch = '2024-01-01 00:00:00';
ALTER SYSTEM SET snowflake.epoch = '2024-01-01 00:00:00.0001+00';
ALTER SYSTEM SET snowflake.epoch = '2024-02-30 00:00:00+00';
ALTER SYSTEM SET snowflake.epoch = '1969-12-31 23:59:59.999+00';
ALTER SYSTEM SET snowflake.worker_id = 4194304;
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET snowflake.worker_id = -2;
ALTER SYSTEM SET snowflake.worker_id = 'seven';
ALTER SYSTEM SET snowflake.worker_bits = 23;
ALTER SYSTEM SET snowflake.sequence_bits = -1;
\set VERBOSITY sqlstate
ALTER SYSTEM SET snowflake.max_clock_lead = -1;
\set VERBOSITY default
ALTER SYSTEM SET snowflake.clock_wait_timeout = '1 fortnight';
SELECT count(*) AS written FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf';

-- Valid values are accepted (and removed again). Each value is checked on its own: whether a
-- worker id fits the worker bits is checked at server start, which refuses to start if not,
-- and so is the clock against the epoch (a warning only, so that a machine whose clock is not
-- yet set still starts).
ALTER SYSTEM SET snowflake.epoch = '2024-01-01T00:00:00Z';
ALTER SYSTEM SET snowflake.worker_id = 1023;
ALTER SYSTEM SET snowflake.max_clock_lead = '3650d';
SELECT name, setting FROM pg_file_settings
WHERE sourcefile LIKE '%postgresql.auto.conf' ORDER BY name;
ALTER SYSTEM SET snowflake.epoch = '2999-01-01 00:00:00+00';
ALTER SYSTEM SET snowflake.worker_id = 4194303;
SELECT name, setting FROM pg_file_settings
WHERE sourcefile LIKE '%postgresql.auto.conf' ORDER BY name;
ALTER SYSTEM RESET ALL;
SELECT count(*) AS written FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf';
