-- Time partitions by id (docs/partitions.md): native range partitioning per day with
-- bounds from snowflake_from_timestamp, and the pruning each kind of query gets.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';
SET enable_partitionwise_aggregate = off;

CREATE TABLE events (
  id bigint NOT NULL DEFAULT snowflake_nextval(),
  payload text
) PARTITION BY RANGE (id);

-- A partition per UTC day: bounds are expressions, evaluated once at CREATE TABLE.
CREATE TABLE events_20200101 PARTITION OF events
  FOR VALUES FROM (snowflake_from_timestamp('2020-01-01 00:00:00+00'))
               TO (snowflake_from_timestamp('2020-01-02 00:00:00+00'));
SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'events_20200101';

-- Rolling: the days from 3 days ago to 3 days ahead, each holding the ids of its day.
DO $$
DECLARE
  day timestamptz;
BEGIN
  FOR day IN SELECT generate_series(date_trunc('day', now() - interval '3 days'),
                                    date_trunc('day', now() + interval '3 days'), '1 day')
  LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF events FOR VALUES FROM (%s) TO (%s)',
                   'events_' || to_char(day, 'YYYYMMDD'), snowflake_from_timestamp(day),
                   snowflake_from_timestamp(day + interval '1 day'));
  END LOOP;
END $$;
SELECT count(*) AS partitions FROM pg_inherits WHERE inhparent = 'events'::regclass;

-- Ids made now go to today's partition (or tomorrow's just before midnight, the ids may run
-- ahead of the clock); rows with older ids, e.g. migrated ones, to their day's.
INSERT INTO events (payload) SELECT 'now' FROM generate_series(1, 10);
INSERT INTO events (id, payload)
VALUES (snowflake_from_timestamp(now() - interval '2 days') + 5, 'two days ago');
SELECT tableoid::regclass = ('events_' || to_char(snowflake_to_timestamp(id), 'YYYYMMDD'))::regclass
         AS in_its_day, count(*)
FROM events GROUP BY 1;
-- An id outside every partition is refused.
\set VERBOSITY terse
INSERT INTO events (id) VALUES (snowflake_from_timestamp(now() - interval '30 days'));
\set VERBOSITY default

-- Constant bounds prune at plan time: only the partitions of the range are in the plan. The
-- decoding functions are IMMUTABLE, so snowflake_from_timestamp of a constant is a constant.
-- For the rolling partitions, whose names depend on the day, scanned() counts the scans.
CREATE FUNCTION scanned(query text) RETURNS TABLE (scans bigint, removed text)
LANGUAGE plpgsql AS $$
DECLARE
  plan text;
BEGIN
  scans := 0;
  FOR plan IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
    IF plan ~ 'Scan on events_' THEN scans := scans + 1; END IF;
    IF plan ~ 'Subplans Removed' THEN removed := trim(plan); END IF;
  END LOOP;
  RETURN NEXT;
END $$;

EXPLAIN (COSTS OFF) SELECT * FROM events
WHERE id >= snowflake_from_timestamp('2020-01-01 06:00:00+00')
  AND id < snowflake_from_timestamp('2020-01-01 07:00:00+00');
SELECT snowflake_from_timestamp(date_trunc('day', now())) AS today_start,
       snowflake_from_timestamp(date_trunc('day', now()) + interval '1 day') AS tomorrow_start
\gset
SELECT * FROM scanned(format('SELECT count(*) FROM events WHERE id >= %s AND id < %s',
                             :today_start, :tomorrow_start));

-- Bounds relative to now() are not constants: pruning happens at executor start ("Subplans
-- Removed"), still before any partition is read. The last 24 hours cover today and yesterday.
SELECT * FROM scanned('SELECT count(*) FROM events
                       WHERE id >= snowflake_from_timestamp(now() - interval ''1 day'')');
-- The same with a prepared statement's parameter, as drivers send it (a generic plan).
SET plan_cache_mode = force_generic_plan;
PREPARE since(timestamptz) AS SELECT count(*) FROM events WHERE id >= snowflake_from_timestamp($1);
SELECT * FROM scanned(format('EXECUTE since(%L)', date_trunc('day', now())));
RESET plan_cache_mode;

-- A query on the decoded time instead of the id is not pruned: every partition is scanned.
SELECT * FROM scanned('SELECT count(*) FROM events
                       WHERE snowflake_to_timestamp(id) >= now() - interval ''1 day''');

-- The rows the pruned queries find are those the id range holds.
SELECT count(*) AS last_day FROM events
WHERE id >= snowflake_from_timestamp(now() - interval '1 day');

-- Dropping a day is dropping its partition.
DO $$ BEGIN
  EXECUTE format('DROP TABLE %I', 'events_' || to_char(now() - interval '3 days', 'YYYYMMDD'));
END $$;
SELECT count(*) AS partitions FROM pg_inherits WHERE inhparent = 'events'::regclass;

DEALLOCATE since;
DROP FUNCTION scanned(text);
DROP TABLE events;
