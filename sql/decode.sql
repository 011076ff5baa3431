-- Decoding ids and ids from timestamps, with the default layout: 41 bits of milliseconds since
-- 2010-11-04 01:42:54.657+00, 10 bits of worker id, 12 bits of sequence.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';

-- Raw bits: millisecond 1, worker 5, sequence 7.
SELECT (1::bigint << 22) | (5 << 12) | 7 AS id;
SELECT * FROM snowflake_decode((1::bigint << 22) | (5 << 12) | 7);
SELECT * FROM snowflake_decode(0);
-- The largest id: the last millisecond of the 41-bit range, worker 1023, sequence 4095.
SELECT * FROM snowflake_decode(9223372036854775807);
SELECT snowflake_to_timestamp(9223372036854775807);
SELECT snowflake_to_timestamp((1::bigint << 22) | (5 << 12) | 7);

-- The smallest id of a millisecond is worker 0, sequence 0; finer time is truncated.
SELECT snowflake_from_timestamp('2010-11-04 01:42:54.657+00') AS at_epoch,
       snowflake_from_timestamp('2010-11-04 01:42:54.6589+00') AS one_ms_later,
       snowflake_from_timestamp('2080-07-10 17:30:30.208+00') AS last_ms;

-- Round trips: timestamp -> id -> timestamp gives the millisecond; every id lies in
-- [from_timestamp(its ms), from_timestamp(its ms + 1 ms)).
SELECT ts, snowflake_to_timestamp(snowflake_from_timestamp(ts)) = date_trunc('milliseconds', ts)
         AS round_trip
FROM (VALUES (timestamptz '2010-11-04 01:42:54.657+00'), ('2015-01-01 00:00:00.0005+00'),
             ('2024-02-29 23:59:59.999999+00'), ('2080-07-10 17:30:30.208+00')) AS t(ts);
SELECT bool_and(snowflake_from_timestamp(snowflake_to_timestamp(id)) <= id
                AND id < snowflake_from_timestamp(snowflake_to_timestamp(id) + interval '1 ms'))
         AS ids_within_their_millisecond
FROM (SELECT (random() * 9223372036854775807)::bigint AS id FROM generate_series(1, 10000)) AS r;

-- Ids made in [a, b) (at millisecond precision) are exactly those between the bounds
-- from_timestamp gives.
CREATE TEMP TABLE made AS SELECT snowflake_nextval() AS id FROM generate_series(1, 20000);
CREATE TEMP TABLE bounds AS
SELECT date_trunc('milliseconds', first_ms + (last_ms - first_ms) / 3) AS a,
       date_trunc('milliseconds', last_ms - (last_ms - first_ms) / 3) AS b
FROM (SELECT snowflake_to_timestamp(min(id)) AS first_ms,
             snowflake_to_timestamp(max(id)) AS last_ms FROM made) AS span;
SELECT count(*) FILTER (WHERE in_range) > 0 AS some_in_range,
       count(*) FILTER (WHERE in_range <> in_bounds) AS disagreements
FROM (SELECT snowflake_to_timestamp(id) >= a AND snowflake_to_timestamp(id) < b AS in_range,
             id >= snowflake_from_timestamp(a) AND id < snowflake_from_timestamp(b) AS in_bounds
      FROM made, bounds) AS checked;

-- The decoding functions are IMMUTABLE: a generated column and an expression index can use
-- them, and a range of times finds its rows through the index.
CREATE TEMP TABLE events (
  id bigint PRIMARY KEY DEFAULT snowflake_nextval(),
  made_at timestamptz GENERATED ALWAYS AS (snowflake_to_timestamp(id)) STORED
);
CREATE INDEX events_made_at ON events (snowflake_to_timestamp(id));
INSERT INTO events SELECT FROM generate_series(1, 1000);
ANALYZE events;
SELECT count(*) FILTER (WHERE made_at = snowflake_to_timestamp(id)) AS generated_right
FROM events;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM events WHERE snowflake_to_timestamp(id) >= '2020-01-01 00:00:00+00';
RESET enable_seqscan;
SELECT count(*) AS found_by_time
FROM events WHERE snowflake_to_timestamp(id) >= (SELECT min(made_at) FROM events);

-- NULL in, NULL out.
SELECT snowflake_decode(NULL) IS NULL AS decode_null,
       snowflake_to_timestamp(NULL) IS NULL AS to_timestamp_null,
       snowflake_from_timestamp(NULL) IS NULL AS from_timestamp_null;

-- Bad input: a clear error with an SQLSTATE.
SELECT * FROM snowflake_decode(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM snowflake_decode(-9223372036854775808);
\echo :LAST_ERROR_SQLSTATE
SELECT snowflake_to_timestamp(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT snowflake_to_timestamp(-9223372036854775808);
SELECT snowflake_from_timestamp('infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT snowflake_from_timestamp('-infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT snowflake_from_timestamp('2010-11-04 01:42:54.656999+00');
\echo :LAST_ERROR_SQLSTATE
SELECT snowflake_from_timestamp('2080-07-10 17:30:30.209+00');
\echo :LAST_ERROR_SQLSTATE
