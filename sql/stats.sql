-- snowflake_stats() and the view over it. Values that depend on timing are checked by the
-- TAP tests with a controlled clock; here, the shape and what generating ids must change.
SELECT * FROM snowflake_stats WHERE false;

CREATE TEMP TABLE recent AS SELECT snowflake_nextval() AS id FROM generate_series(1, 1000);
SELECT worker_id, lead_ms >= 0 AS lead_not_negative,
       lease_end > (SELECT snowflake_to_timestamp(max(id)) FROM recent) AS lease_covers_ids,
       lease_renewals >= 1 AS lease_renewed,
       clock_regressions >= 0 AND largest_regression_ms >= 0 AND borrowed_ms >= 0
         AND waits >= 0 AND wait_time_ms >= 0 AS counters_not_negative
FROM snowflake_stats;

-- The view and the function agree on the worker id.
SELECT (SELECT worker_id FROM snowflake_stats()) = (SELECT worker_id FROM snowflake_stats)
  AS view_matches_function;
