-- snowflake_advance_past(id): every id issued afterwards is above id; the generator never
-- moves back; ids too far ahead of the clock, or past the layout's range, are refused.
-- (That it holds across a restart is tested in test/t/002_restart.pl.)
SET TimeZone = 'UTC';
-- Where the generator is now (ids may already run ahead of the clock).
SELECT snowflake_to_timestamp(snowflake_nextval()) AS generator_time \gset

-- An id 10 s ahead, made by a higher worker id than this server's (42): new ids skip the rest
-- of its millisecond and go on from the next one.
SELECT (snowflake_from_timestamp(:'generator_time'::timestamptz + interval '10 seconds')
        | (1000 << 12) | 4095) AS ahead
\gset
SELECT snowflake_advance_past(:ahead);
SELECT snowflake_nextval() > :ahead AS above_advanced_id,
       snowflake_to_timestamp(snowflake_nextval()) = snowflake_to_timestamp(:ahead)
         + interval '1 ms' AS next_millisecond;

-- An id of a lower worker id: new ids may share its millisecond, all above it.
SELECT (snowflake_from_timestamp(:'generator_time'::timestamptz + interval '20 seconds')
        | (7 << 12)) AS lower_worker
\gset
SELECT snowflake_advance_past(:lower_worker);
SELECT snowflake_nextval() - :lower_worker AS distance;

-- Never back: an old id changes nothing.
SELECT snowflake_nextval() AS before_old \gset
SELECT snowflake_advance_past(snowflake_from_timestamp(now() - interval '1 day'));
SELECT snowflake_nextval() - :before_old AS step_after_old_id;

-- NULL does nothing; bad ids are refused with the reason, and change nothing.
SELECT snowflake_advance_past(NULL);
SELECT snowflake_nextval() AS before_refusals \gset
SELECT snowflake_advance_past(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT snowflake_advance_past(9223372036854775807);
\echo :LAST_ERROR_SQLSTATE
DO $$
BEGIN
  PERFORM snowflake_advance_past(snowflake_from_timestamp(now() + interval '2 minutes'));
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE '%', regexp_replace(SQLERRM, '\d+', 'N', 'g');
END $$;
SELECT snowflake_nextval() - :before_refusals AS step_after_refusals;
