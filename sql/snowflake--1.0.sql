-- snowflake 1.0: generate and decode Twitter-Snowflake-style ids.

\echo Use "CREATE EXTENSION snowflake" to load this file. \quit

CREATE FUNCTION snowflake_nextval() RETURNS bigint
AS 'MODULE_PATHNAME', 'snowflake_nextval'
LANGUAGE C VOLATILE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_nextval() IS
'next id of this server: greater than every id it issued before';

CREATE FUNCTION snowflake_decode(id bigint, OUT ts timestamptz, OUT worker_id integer,
                                 OUT seq integer)
RETURNS record
AS 'MODULE_PATHNAME', 'snowflake_decode'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_decode(bigint) IS
'the millisecond, worker id and sequence number of an id';

CREATE FUNCTION snowflake_to_timestamp(id bigint) RETURNS timestamptz
AS 'MODULE_PATHNAME', 'snowflake_to_timestamp'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_to_timestamp(bigint) IS
'the millisecond an id was made in';

CREATE FUNCTION snowflake_from_timestamp(ts timestamptz) RETURNS bigint
AS 'MODULE_PATHNAME', 'snowflake_from_timestamp'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_from_timestamp(timestamptz) IS
'the smallest id of the millisecond containing ts, for id ranges by time';
