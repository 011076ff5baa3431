-- Decoding with a layout given per call: ids made by other systems, and by servers configured
-- with another layout. Each layout argument is optional and named; NULL means the setting.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';

-- Twitter/X: Twitter's epoch and layout are the defaults. The API documentation's example
-- Tweet 1050118621198921728 was created at "Wed Oct 10 20:19:24 +0000 2018"; the v2 example
-- payload's Tweet 1307025659294674945 at "2020-09-18T18:36:15.000Z".
SELECT id, d.*, date_trunc('second', d.ts) AS created_at
FROM (VALUES (1050118621198921728), (1307025659294674945)) AS tweets(id),
     snowflake_decode(id, epoch => '2010-11-04 01:42:54.657+00') AS d;

-- Discord: epoch 2015-01-01, then 5 bits of worker and 5 of process (reported together as
-- the 10-bit worker id: worker << 5 | process) and a 12-bit increment. Discord's reference
-- example 175928847299117063 is 2016-04-30 11:18:25.796 UTC, worker 1, process 0,
-- increment 7: worker id 32.
SELECT * FROM snowflake_decode(175928847299117063, epoch => '2015-01-01 00:00:00+00');
SELECT d.worker_id >> 5 AS discord_worker, d.worker_id & 31 AS discord_process,
       d.seq AS discord_increment
FROM snowflake_decode(175928847299117063, epoch => '2015-01-01 00:00:00+00') AS d;
SELECT snowflake_to_timestamp(175928847299117063, epoch => '2015-01-01 00:00:00+00');
-- The first possible id of that millisecond, and ids by time in Discord's layout.
SELECT snowflake_from_timestamp('2016-04-30 11:18:25.796+00',
                                epoch => '2015-01-01 00:00:00+00') AS first_id_of_ms,
       175928847299117063 >> 22 << 22 AS same_by_bits;

-- A server configured with worker_bits 5, sequence_bits 8 and epoch 2024-01-01 makes ids with
-- 50 timestamp bits: they last until the year 37702.
SELECT snowflake_to_timestamp(9223372036854775807, epoch => '2024-01-01 00:00:00+00',
                              worker_bits => 5, sequence_bits => 8) AS last_ms;
SELECT * FROM snowflake_decode((1234567::bigint << 13) | (31 << 8) | 255,
                               epoch => '2024-01-01 00:00:00+00',
                               worker_bits => 5, sequence_bits => 8);
SELECT snowflake_from_timestamp('2024-01-01 00:20:34.567+00', '2024-01-01 00:00:00+00', 5, 8)
       = 1234567::bigint << 13 AS positional_arguments;

-- Arguments left out or NULL follow the settings.
SELECT snowflake_decode(4214791) = snowflake_decode(4214791, NULL, NULL, NULL) AS null_means_setting,
       snowflake_decode(4214791) = snowflake_decode(4214791, worker_bits => 10) AS same_layout;

-- Bad layouts are refused with the reason.
SELECT * FROM snowflake_decode(1, worker_bits => 23);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM snowflake_decode(1, sequence_bits => -1);
SELECT * FROM snowflake_decode(1, worker_bits => 20, sequence_bits => 20);
SELECT snowflake_to_timestamp(1, epoch => 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT snowflake_from_timestamp(now(), epoch => '-infinity');
SELECT snowflake_from_timestamp(now(), epoch => '2015-01-01 00:00:00.0005+00');
SELECT * FROM snowflake_decode(1, worker_bits => 2147483647);
SELECT * FROM snowflake_decode(1, sequence_bits => -2147483648);
SELECT * FROM snowflake_decode(1, worker_bits => 0, sequence_bits => 0);
-- The last millisecond of a 62-bit layout is past the end of PostgreSQL's timestamps.
SELECT snowflake_to_timestamp(9223372036854775807, worker_bits => 1, sequence_bits => 0);
\echo :LAST_ERROR_SQLSTATE

-- Which workers made the ids in a table: the query the deployment guide gives for spotting
-- ids from an unexpected worker (two servers configured alike is the classic failure).
CREATE TEMP TABLE events (id bigint PRIMARY KEY DEFAULT snowflake_nextval());
INSERT INTO events SELECT FROM generate_series(1, 100);
INSERT INTO events VALUES ((snowflake_nextval() >> 22 << 22) | (7 << 12));
SELECT (snowflake_decode(id)).worker_id, count(*) AS ids,
       min(snowflake_to_timestamp(id)) IS NOT NULL AS has_first_seen
FROM events
GROUP BY 1 ORDER BY 1;
