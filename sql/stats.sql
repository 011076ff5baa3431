-- snowflake_stats() and the view over it: what generating ids must change, and who may read
-- them. Values that depend on the clock are checked by the TAP tests with a controlled clock.
SELECT * FROM snowflake_stats WHERE false;

SELECT borrowed_ms AS borrowed_before, lease_renewals AS renewals_before FROM snowflake_stats
\gset
-- Four million ids in one statement are a second's worth at 4096 per ms: they borrow hundreds
-- of milliseconds ahead of the clock.
CREATE TEMP TABLE burst AS
SELECT max(id) AS id FROM (SELECT snowflake_nextval_batch(4000000) AS id) AS b;
SELECT worker_id,
       lease_end > (SELECT snowflake_to_timestamp(id) FROM burst) AS lease_covers_ids,
       borrowed_ms - :borrowed_before > 100 AS borrowed_many_ms,
       clock_regressions = 0 AND largest_regression_ms = 0 AS no_clock_step,
       waits = 0 AND wait_time_ms = 0 AS no_wait
FROM snowflake_stats;

-- Ids pushed 30 s ahead of the clock: lead_ms says how far ahead the last id is, and a lease
-- was made durable to cover them.
SELECT snowflake_advance_past(snowflake_from_timestamp(now() + interval '30 seconds'));
SELECT snowflake_nextval() IS NOT NULL AS issued;
SELECT lead_ms BETWEEN 20000 AND 30001 AS lead_is_how_far_ahead,
       lease_renewals > :renewals_before AS lease_renewed
FROM snowflake_stats;

-- Anyone may read the statistics, by view and by function; only superusers may move the
-- generator (the operators' functions are not executable by PUBLIC).
CREATE ROLE snowflake_stats_reader;
SET ROLE snowflake_stats_reader;
SELECT worker_id FROM snowflake_stats;
SELECT worker_id FROM snowflake_stats();
SELECT snowflake_advance_past(1);
\echo :LAST_ERROR_SQLSTATE
SELECT snowflake_accept_layout_change();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE snowflake_stats_reader;
