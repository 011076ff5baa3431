-- What test/demo.sh shows: ids as a primary key default, decoded.
\pset footer off
SET TimeZone = 'UTC';
CREATE EXTENSION snowflake;

CREATE TABLE orders (
  id bigint PRIMARY KEY DEFAULT snowflake_nextval(),
  item text NOT NULL
);
INSERT INTO orders (item) VALUES ('coffee'), ('bagel'), ('orange juice');

\echo 'Three orders, keyed by snowflake ids:'
SELECT o.id, o.item, d.ts AS made_at, d.worker_id, d.seq
FROM orders AS o, snowflake_decode(o.id) AS d
ORDER BY o.id;

\echo 'In words:'
SELECT format('order %s (%s) was made at %s by worker %s, number %s in its millisecond',
              o.id, o.item, to_char(d.ts, 'YYYY-MM-DD HH24:MI:SS.MS TZ'), d.worker_id,
              d.seq + 1) AS story
FROM orders AS o, snowflake_decode(o.id) AS d
ORDER BY o.id;

\echo 'Ids sort by time, so a time range is an id range:'
SELECT count(*) AS orders_in_the_last_minute
FROM orders
WHERE id >= snowflake_from_timestamp(now() - interval '1 minute');

\echo 'Speed: one million ids in one statement:'
\timing on
SELECT count(snowflake_nextval()) FROM generate_series(1, 1000000);
\timing off
