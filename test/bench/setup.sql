-- What the benchmark needs on its throwaway server; test/bench/run.sh runs this once.

CREATE EXTENSION snowflake;

-- nextval() as bigserial uses it: a plain sequence, CACHE 1.
CREATE SEQUENCE bench_seq;

-- One table per kind of key, filled by pgbench with INSERT ... DEFAULT VALUES.
CREATE TABLE bench_insert_snowflake (id bigint PRIMARY KEY DEFAULT snowflake_nextval());
CREATE TABLE bench_insert_bigserial (id bigserial PRIMARY KEY);
CREATE TABLE bench_insert_uuid (id uuid PRIMARY KEY DEFAULT gen_random_uuid());

-- The latency runs' tables, filled by pgbench one row at a time at sporadic rates.
CREATE TABLE bench_latency_snowflake (id bigint PRIMARY KEY DEFAULT snowflake_nextval(), v int);
CREATE TABLE bench_latency_bigserial (id bigserial PRIMARY KEY, v int);

-- Milliseconds one statement takes, timed inside the server, so that no client round trip or
-- result transfer is counted. EXECUTE plans the statement afresh: microseconds, the same for
-- every variant.
CREATE FUNCTION bench_ms(statement text) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
  started timestamptz;
BEGIN
  started := clock_timestamp();
  EXECUTE statement;
  RETURN extract(epoch FROM clock_timestamp() - started)::double precision * 1000;
END
$$;
