-- snowflake 1.0 -> 1.1: batch generation, generator statistics, and decoding with a layout
-- given per call (to read ids made by other systems, such as Twitter/X or Discord).

\echo Use "ALTER EXTENSION snowflake UPDATE TO '1.1'" to load this file. \quit

CREATE FUNCTION snowflake_nextval_batch(n integer) RETURNS SETOF bigint
AS 'MODULE_PATHNAME', 'snowflake_nextval_batch'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_nextval_batch(integer) IS
'n ids, each as unique and ordered as one snowflake_nextval() call''s, claimed in runs';

CREATE FUNCTION snowflake_stats(
  OUT worker_id integer,
  OUT lead_ms bigint,
  OUT lease_end timestamptz,
  OUT clock_regressions bigint,
  OUT largest_regression_ms bigint,
  OUT borrowed_ms bigint,
  OUT waits bigint,
  OUT wait_time_ms double precision,
  OUT lease_renewals bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'snowflake_stats'
LANGUAGE C VOLATILE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_stats() IS
'generator state and counters since the server started';

CREATE VIEW snowflake_stats AS SELECT * FROM snowflake_stats();

-- The decoding functions gain optional layout arguments. A function's argument list cannot
-- change in place, and a one-argument overload beside a version with defaults would make
-- one-argument calls ambiguous, so each is replaced. Calls written for 1.0 keep working.
DROP FUNCTION snowflake_decode(bigint);

CREATE FUNCTION snowflake_decode(id bigint, epoch timestamptz DEFAULT NULL,
                                 worker_bits integer DEFAULT NULL,
                                 sequence_bits integer DEFAULT NULL,
                                 OUT ts timestamptz, OUT worker_id integer, OUT seq integer)
RETURNS record
AS 'MODULE_PATHNAME', 'snowflake_decode'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_decode(bigint, timestamptz, integer, integer) IS
'the millisecond, worker id and sequence number of an id; NULL layout arguments mean the server''s settings';

DROP FUNCTION snowflake_to_timestamp(bigint);

CREATE FUNCTION snowflake_to_timestamp(id bigint, epoch timestamptz DEFAULT NULL,
                                       worker_bits integer DEFAULT NULL,
                                       sequence_bits integer DEFAULT NULL)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'snowflake_to_timestamp'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_to_timestamp(bigint, timestamptz, integer, integer) IS
'the millisecond an id was made in; NULL layout arguments mean the server''s settings';

DROP FUNCTION snowflake_from_timestamp(timestamptz);

CREATE FUNCTION snowflake_from_timestamp(ts timestamptz, epoch timestamptz DEFAULT NULL,
                                         worker_bits integer DEFAULT NULL,
                                         sequence_bits integer DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'snowflake_from_timestamp'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_from_timestamp(timestamptz, timestamptz, integer, integer) IS
'the smallest id of the millisecond containing ts, for id ranges by time; NULL layout arguments mean the server''s settings';
