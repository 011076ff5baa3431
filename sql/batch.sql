-- snowflake_nextval_batch(n): n ids as valid, unique and ordered as single calls' ids.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';

CREATE TEMP TABLE batched AS
SELECT row_number() OVER () AS n, id FROM snowflake_nextval_batch(50000) AS id;
SELECT count(*) AS ids, count(DISTINCT id) AS distinct_ids,
       bool_and((snowflake_decode(id)).worker_id = 42) AS all_worker_42
FROM batched;
SELECT bool_and(id > previous_id) AS rising
FROM (SELECT id, lag(id) OVER (ORDER BY n) AS previous_id FROM batched) AS ordered
WHERE previous_id IS NOT NULL;

-- Batches and single calls interleave without a repeat, each statement above the last.
CREATE TEMP TABLE mixed AS
SELECT 1 AS statement, snowflake_nextval_batch(5000) AS id
UNION ALL SELECT 2, snowflake_nextval() FROM generate_series(1, 5000)
UNION ALL SELECT 3, snowflake_nextval_batch(5000);
SELECT count(*) AS ids, count(DISTINCT id) AS distinct_ids FROM mixed;
SELECT statement, min(id) > (SELECT max(id) FROM batched) AS above_earlier_batch
FROM mixed GROUP BY statement ORDER BY statement;

-- In the select list; no rows for 0 or NULL.
SELECT count(*) AS ids FROM (SELECT snowflake_nextval_batch(10000)) AS s;
SELECT count(*) AS ids FROM snowflake_nextval_batch(0);
SELECT count(*) AS ids FROM snowflake_nextval_batch(NULL);

-- The size is bounded.
SELECT count(*) FROM snowflake_nextval_batch(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM snowflake_nextval_batch(10000001);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM snowflake_nextval_batch(2147483647);
SELECT count(*) FROM snowflake_nextval_batch(-2147483648);

-- Installed by a superuser, the superuser restricts it the same way where untrusted roles
-- connect (sql/trusted.sql does it as the database owner who installed it).
CREATE ROLE snowflake_batch_untrusted;
REVOKE EXECUTE ON FUNCTION snowflake_nextval_batch(integer) FROM PUBLIC;
SET ROLE snowflake_batch_untrusted;
SELECT count(*) FROM snowflake_nextval_batch(3);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT EXECUTE ON FUNCTION snowflake_nextval_batch(integer) TO PUBLIC;
DROP ROLE snowflake_batch_untrusted;
