-- snowflake_nextval() on a server that preloads the library with snowflake.worker_id = 42.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';

-- Ids are positive and carry this server's worker id.
SELECT snowflake_nextval() > 0 AS positive, (snowflake_decode(snowflake_nextval())).worker_id;

-- Every id is greater than the one before, in one statement and across statements, also
-- when a statement asks for far more than the 4096 ids one millisecond holds.
CREATE TEMP TABLE burst AS
SELECT n, snowflake_nextval() AS id FROM generate_series(1, 100000) AS n;
SELECT count(*) AS ids, count(DISTINCT id) AS distinct_ids,
       bool_and(id > previous_id) AS rising
FROM (SELECT id, lag(id) OVER (ORDER BY n) AS previous_id FROM burst) AS ordered
WHERE previous_id IS NOT NULL;
SELECT snowflake_nextval() > max(id) AS next_statement_higher FROM burst;

-- An id's millisecond is the time it was made (a lease or a burst may put it a little ahead).
SELECT snowflake_to_timestamp(id) BETWEEN statement_timestamp() - interval '1 minute'
                                      AND clock_timestamp() + interval '5 seconds' AS current
FROM (SELECT snowflake_nextval() AS id) AS made;

-- As a column default on a primary key.
CREATE TABLE orders (
  id bigint PRIMARY KEY DEFAULT snowflake_nextval(),
  item text NOT NULL
);
INSERT INTO orders (item) SELECT 'item ' || n FROM generate_series(1, 1000) AS n;
INSERT INTO orders (item) VALUES ('one more');
SELECT count(*) AS rows, count(DISTINCT id) AS distinct_ids,
       bool_and((snowflake_decode(id)).worker_id = 42) AS all_worker_42
FROM orders;
-- Insertion order and id order agree.
SELECT bool_and(id > previous_id) AS ids_follow_insertion_order
FROM (SELECT id, lag(id) OVER (ORDER BY ctid) AS previous_id FROM orders) AS o
WHERE previous_id IS NOT NULL;
DROP TABLE orders;

-- Parallel workers share the generator with their leader: the function runs in the workers'
-- scans, two workers run them, and all their ids are distinct.
CREATE TABLE parallel_source AS SELECT n FROM generate_series(1, 200000) AS n;
ANALYZE parallel_source;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF, VERBOSE)
SELECT snowflake_nextval() AS id FROM parallel_source;
-- Read from EXPLAIN's JSON: the text form of row counts and buffers changed in PostgreSQL 18.
CREATE FUNCTION analyzed_plan(query text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  plan jsonb;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query INTO plan;
  RETURN plan -> 0 -> 'Plan';
END $$;
SELECT plan ->> 'Node Type' AS node, plan ->> 'Workers Launched' AS workers,
       (plan ->> 'Actual Rows')::numeric::bigint AS rows,
       plan -> 'Plans' -> 0 ->> 'Node Type' AS worker_node,
       plan -> 'Plans' -> 0 ->> 'Parallel Aware' AS parallel_aware,
       (plan -> 'Plans' -> 0 ->> 'Actual Rows')::numeric::bigint AS rows_per_loop,
       plan -> 'Plans' -> 0 ->> 'Actual Loops' AS loops
FROM analyzed_plan('CREATE TABLE from_workers AS SELECT snowflake_nextval() AS id
                    FROM parallel_source') AS plan;
DROP FUNCTION analyzed_plan(text);
SELECT count(*) AS ids, count(DISTINCT id) AS distinct_ids FROM from_workers;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
DROP TABLE parallel_source, from_workers;
