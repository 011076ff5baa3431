-- snowflake 1.0: generate and decode Twitter-Snowflake-style ids.

\echo Use "CREATE EXTENSION snowflake" to load this file. \quit

CREATE FUNCTION snowflake_nextval() RETURNS bigint
AS 'MODULE_PATHNAME', 'snowflake_nextval'
LANGUAGE C VOLATILE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_nextval() IS
'next id of this server: greater than every id it issued before';

CREATE FUNCTION snowflake_nextval_batch(n integer) RETURNS SETOF bigint
AS 'MODULE_PATHNAME', 'snowflake_nextval_batch'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_nextval_batch(integer) IS
'n ids, each as unique and ordered as one snowflake_nextval() call''s, claimed in runs';

-- Decoding. Each layout argument is optional; NULL means the server's setting, so that ids
-- made by other systems (Twitter/X, Discord) or with another layout can be read too.
CREATE FUNCTION snowflake_decode(id bigint, epoch timestamptz DEFAULT NULL,
                                 worker_bits integer DEFAULT NULL,
                                 sequence_bits integer DEFAULT NULL,
                                 OUT ts timestamptz, OUT worker_id integer, OUT seq integer)
RETURNS record
AS 'MODULE_PATHNAME', 'snowflake_decode'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_decode(bigint, timestamptz, integer, integer) IS
'the millisecond, worker id and sequence number of an id; NULL layout arguments mean the server''s settings';

CREATE FUNCTION snowflake_to_timestamp(id bigint, epoch timestamptz DEFAULT NULL,
                                       worker_bits integer DEFAULT NULL,
                                       sequence_bits integer DEFAULT NULL)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'snowflake_to_timestamp'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_to_timestamp(bigint, timestamptz, integer, integer) IS
'the millisecond an id was made in; NULL layout arguments mean the server''s settings';

CREATE FUNCTION snowflake_from_timestamp(ts timestamptz, epoch timestamptz DEFAULT NULL,
                                         worker_bits integer DEFAULT NULL,
                                         sequence_bits integer DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'snowflake_from_timestamp'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_from_timestamp(timestamptz, timestamptz, integer, integer) IS
'the smallest id of the millisecond containing ts, for id ranges by time; NULL layout arguments mean the server''s settings';

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

-- Anyone may read the generator's state, by function or view: it holds no secret that the ids
-- themselves do not show.
GRANT SELECT ON snowflake_stats TO PUBLIC;

-- Operators' functions. They move the server-wide generator, so only superusers may run them
-- unless a superuser grants them.
CREATE FUNCTION snowflake_advance_past(id bigint) RETURNS void
AS 'MODULE_PATHNAME', 'snowflake_advance_past'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION snowflake_advance_past(bigint) IS
'every id this server issues from now on, also after a restart, is greater than id';

REVOKE EXECUTE ON FUNCTION snowflake_advance_past(bigint) FROM PUBLIC;

CREATE FUNCTION snowflake_accept_layout_change() RETURNS boolean
AS 'MODULE_PATHNAME', 'snowflake_accept_layout_change'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION snowflake_accept_layout_change() IS
'let this server issue ids under a changed layout or worker id although they may repeat or fall below earlier ones';

REVOKE EXECUTE ON FUNCTION snowflake_accept_layout_change() FROM PUBLIC;
