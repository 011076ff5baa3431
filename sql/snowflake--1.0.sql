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
-- made by other systems (Twitter/X, Discord) or with another layout can be read too. IMMUTABLE,
-- so that generated columns and expression indexes can use them: the server's layout is fixed
-- for the life of its ids (a change under issued ids is refused, see the README).
CREATE FUNCTION snowflake_decode(id bigint, epoch timestamptz DEFAULT NULL,
                                 worker_bits integer DEFAULT NULL,
                                 sequence_bits integer DEFAULT NULL,
                                 OUT ts timestamptz, OUT worker_id integer, OUT seq integer)
RETURNS record
AS 'MODULE_PATHNAME', 'snowflake_decode'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_decode(bigint, timestamptz, integer, integer) IS
'the millisecond, worker id and sequence number of an id; NULL layout arguments mean the server''s settings';

CREATE FUNCTION snowflake_to_timestamp(id bigint, epoch timestamptz DEFAULT NULL,
                                       worker_bits integer DEFAULT NULL,
                                       sequence_bits integer DEFAULT NULL)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'snowflake_to_timestamp'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_to_timestamp(bigint, timestamptz, integer, integer) IS
'the millisecond an id was made in; NULL layout arguments mean the server''s settings';

CREATE FUNCTION snowflake_from_timestamp(ts timestamptz, epoch timestamptz DEFAULT NULL,
                                         worker_bits integer DEFAULT NULL,
                                         sequence_bits integer DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'snowflake_from_timestamp'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

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

-- The snowflake column type: a bigint that JSON writes as a string.
--
-- Every id is above 2^53, so a JSON number holding one is rounded by JavaScript's JSON.parse.
-- to_json and to_jsonb write a base type that is not built in, and has no cast to json, as its
-- text in quotes; a domain over bigint would still be written as a number. So this is a real
-- base type with int8's storage, binary form, comparison and hash functions (most of them
-- int8's own built-in functions, by LANGUAGE internal), and text input that refuses negatives.
--
-- Casts: snowflake -> bigint is implicit and binary (every snowflake is a bigint), so bigint
-- functions, arithmetic and the decoding functions take a snowflake as they are. bigint,
-- integer and smallint -> snowflake are assignment casts (they fail on a negative value, and an
-- implicit cast should not fail), enough for INSERT, UPDATE and DEFAULT snowflake_nextval().
-- Comparisons: with the implicit cast alone, `id = 5` would be ambiguous between
-- snowflake = bigint and bigint = integer, so each comparison operator exists for snowflake
-- against snowflake, bigint, integer and smallint, both ways round, and every one of them is in
-- the btree family, so the index on a snowflake column serves them all. Category N (numeric)
-- makes IN lists, UNION and COALESCE of snowflakes and bigints resolve to bigint.
--
-- Every name below is resolved once, when this script runs (with pg_catalog searched first):
-- nothing is looked up on a caller's search_path, and there are no SQL-language bodies.

CREATE TYPE snowflake;

CREATE FUNCTION snowflake_in(cstring) RETURNS snowflake
AS 'MODULE_PATHNAME', 'snowflake_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION snowflake_out(snowflake) RETURNS cstring
AS 'int8out'
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION snowflake_recv(internal) RETURNS snowflake
AS 'MODULE_PATHNAME', 'snowflake_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION snowflake_send(snowflake) RETURNS bytea
AS 'int8send'
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE snowflake (
  INPUT = snowflake_in,
  OUTPUT = snowflake_out,
  RECEIVE = snowflake_recv,
  SEND = snowflake_send,
  LIKE = pg_catalog.int8,
  CATEGORY = 'N'
);

COMMENT ON TYPE snowflake IS
'a snowflake id: a non-negative bigint that to_json and to_jsonb write as a string';

CREATE FUNCTION snowflake(bigint) RETURNS snowflake
AS 'MODULE_PATHNAME', 'snowflake_from_bigint'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION snowflake(integer) RETURNS snowflake
AS 'MODULE_PATHNAME', 'snowflake_from_integer'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION snowflake(smallint) RETURNS snowflake
AS 'MODULE_PATHNAME', 'snowflake_from_smallint'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (snowflake AS bigint) WITHOUT FUNCTION AS IMPLICIT;
CREATE CAST (bigint AS snowflake) WITH FUNCTION snowflake(bigint) AS ASSIGNMENT;
CREATE CAST (integer AS snowflake) WITH FUNCTION snowflake(integer) AS ASSIGNMENT;
CREATE CAST (smallint AS snowflake) WITH FUNCTION snowflake(smallint) AS ASSIGNMENT;

-- Comparison functions: int8's built-in ones, declared for the snowflake argument types.
CREATE FUNCTION snowflake_eq(snowflake, snowflake) RETURNS boolean AS 'int8eq'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ne(snowflake, snowflake) RETURNS boolean AS 'int8ne'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_lt(snowflake, snowflake) RETURNS boolean AS 'int8lt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_le(snowflake, snowflake) RETURNS boolean AS 'int8le'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_gt(snowflake, snowflake) RETURNS boolean AS 'int8gt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ge(snowflake, snowflake) RETURNS boolean AS 'int8ge'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

CREATE FUNCTION snowflake_eq(snowflake, bigint) RETURNS boolean AS 'int8eq'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ne(snowflake, bigint) RETURNS boolean AS 'int8ne'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_lt(snowflake, bigint) RETURNS boolean AS 'int8lt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_le(snowflake, bigint) RETURNS boolean AS 'int8le'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_gt(snowflake, bigint) RETURNS boolean AS 'int8gt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ge(snowflake, bigint) RETURNS boolean AS 'int8ge'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

CREATE FUNCTION snowflake_eq(bigint, snowflake) RETURNS boolean AS 'int8eq'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ne(bigint, snowflake) RETURNS boolean AS 'int8ne'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_lt(bigint, snowflake) RETURNS boolean AS 'int8lt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_le(bigint, snowflake) RETURNS boolean AS 'int8le'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_gt(bigint, snowflake) RETURNS boolean AS 'int8gt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ge(bigint, snowflake) RETURNS boolean AS 'int8ge'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

CREATE FUNCTION snowflake_eq(snowflake, integer) RETURNS boolean AS 'int84eq'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ne(snowflake, integer) RETURNS boolean AS 'int84ne'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_lt(snowflake, integer) RETURNS boolean AS 'int84lt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_le(snowflake, integer) RETURNS boolean AS 'int84le'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_gt(snowflake, integer) RETURNS boolean AS 'int84gt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ge(snowflake, integer) RETURNS boolean AS 'int84ge'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

CREATE FUNCTION snowflake_eq(integer, snowflake) RETURNS boolean AS 'int48eq'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ne(integer, snowflake) RETURNS boolean AS 'int48ne'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_lt(integer, snowflake) RETURNS boolean AS 'int48lt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_le(integer, snowflake) RETURNS boolean AS 'int48le'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_gt(integer, snowflake) RETURNS boolean AS 'int48gt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ge(integer, snowflake) RETURNS boolean AS 'int48ge'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

CREATE FUNCTION snowflake_eq(snowflake, smallint) RETURNS boolean AS 'int82eq'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ne(snowflake, smallint) RETURNS boolean AS 'int82ne'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_lt(snowflake, smallint) RETURNS boolean AS 'int82lt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_le(snowflake, smallint) RETURNS boolean AS 'int82le'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_gt(snowflake, smallint) RETURNS boolean AS 'int82gt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ge(snowflake, smallint) RETURNS boolean AS 'int82ge'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

CREATE FUNCTION snowflake_eq(smallint, snowflake) RETURNS boolean AS 'int28eq'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ne(smallint, snowflake) RETURNS boolean AS 'int28ne'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_lt(smallint, snowflake) RETURNS boolean AS 'int28lt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_le(smallint, snowflake) RETURNS boolean AS 'int28le'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_gt(smallint, snowflake) RETURNS boolean AS 'int28gt'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_ge(smallint, snowflake) RETURNS boolean AS 'int28ge'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

-- Operators. Only snowflake = snowflake MERGES: a merge join sorts each side with its own
-- type's operators from the family, and bigint's are not in it (see the btree family below).
CREATE OPERATOR = (LEFTARG = snowflake, RIGHTARG = snowflake, FUNCTION = snowflake_eq,
  COMMUTATOR = =, NEGATOR = <>,
  RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = snowflake, RIGHTARG = snowflake, FUNCTION = snowflake_ne,
  COMMUTATOR = <>, NEGATOR = =,
  RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR < (LEFTARG = snowflake, RIGHTARG = snowflake, FUNCTION = snowflake_lt,
  COMMUTATOR = >, NEGATOR = >=,
  RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = snowflake, RIGHTARG = snowflake, FUNCTION = snowflake_le,
  COMMUTATOR = >=, NEGATOR = >,
  RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = snowflake, RIGHTARG = snowflake, FUNCTION = snowflake_gt,
  COMMUTATOR = <, NEGATOR = <=,
  RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = snowflake, RIGHTARG = snowflake, FUNCTION = snowflake_ge,
  COMMUTATOR = <=, NEGATOR = <,
  RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel);

CREATE OPERATOR = (LEFTARG = snowflake, RIGHTARG = bigint, FUNCTION = snowflake_eq,
  COMMUTATOR = =, NEGATOR = <>,
  RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR <> (LEFTARG = snowflake, RIGHTARG = bigint, FUNCTION = snowflake_ne,
  COMMUTATOR = <>, NEGATOR = =,
  RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR < (LEFTARG = snowflake, RIGHTARG = bigint, FUNCTION = snowflake_lt,
  COMMUTATOR = >, NEGATOR = >=,
  RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = snowflake, RIGHTARG = bigint, FUNCTION = snowflake_le,
  COMMUTATOR = >=, NEGATOR = >,
  RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = snowflake, RIGHTARG = bigint, FUNCTION = snowflake_gt,
  COMMUTATOR = <, NEGATOR = <=,
  RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = snowflake, RIGHTARG = bigint, FUNCTION = snowflake_ge,
  COMMUTATOR = <=, NEGATOR = <,
  RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel);

CREATE OPERATOR = (LEFTARG = bigint, RIGHTARG = snowflake, FUNCTION = snowflake_eq,
  COMMUTATOR = =, NEGATOR = <>,
  RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR <> (LEFTARG = bigint, RIGHTARG = snowflake, FUNCTION = snowflake_ne,
  COMMUTATOR = <>, NEGATOR = =,
  RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR < (LEFTARG = bigint, RIGHTARG = snowflake, FUNCTION = snowflake_lt,
  COMMUTATOR = >, NEGATOR = >=,
  RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = bigint, RIGHTARG = snowflake, FUNCTION = snowflake_le,
  COMMUTATOR = >=, NEGATOR = >,
  RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = bigint, RIGHTARG = snowflake, FUNCTION = snowflake_gt,
  COMMUTATOR = <, NEGATOR = <=,
  RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = bigint, RIGHTARG = snowflake, FUNCTION = snowflake_ge,
  COMMUTATOR = <=, NEGATOR = <,
  RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel);

CREATE OPERATOR = (LEFTARG = snowflake, RIGHTARG = integer, FUNCTION = snowflake_eq,
  COMMUTATOR = =, NEGATOR = <>,
  RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR <> (LEFTARG = snowflake, RIGHTARG = integer, FUNCTION = snowflake_ne,
  COMMUTATOR = <>, NEGATOR = =,
  RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR < (LEFTARG = snowflake, RIGHTARG = integer, FUNCTION = snowflake_lt,
  COMMUTATOR = >, NEGATOR = >=,
  RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = snowflake, RIGHTARG = integer, FUNCTION = snowflake_le,
  COMMUTATOR = >=, NEGATOR = >,
  RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = snowflake, RIGHTARG = integer, FUNCTION = snowflake_gt,
  COMMUTATOR = <, NEGATOR = <=,
  RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = snowflake, RIGHTARG = integer, FUNCTION = snowflake_ge,
  COMMUTATOR = <=, NEGATOR = <,
  RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel);

CREATE OPERATOR = (LEFTARG = integer, RIGHTARG = snowflake, FUNCTION = snowflake_eq,
  COMMUTATOR = =, NEGATOR = <>,
  RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR <> (LEFTARG = integer, RIGHTARG = snowflake, FUNCTION = snowflake_ne,
  COMMUTATOR = <>, NEGATOR = =,
  RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR < (LEFTARG = integer, RIGHTARG = snowflake, FUNCTION = snowflake_lt,
  COMMUTATOR = >, NEGATOR = >=,
  RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = integer, RIGHTARG = snowflake, FUNCTION = snowflake_le,
  COMMUTATOR = >=, NEGATOR = >,
  RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = integer, RIGHTARG = snowflake, FUNCTION = snowflake_gt,
  COMMUTATOR = <, NEGATOR = <=,
  RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = integer, RIGHTARG = snowflake, FUNCTION = snowflake_ge,
  COMMUTATOR = <=, NEGATOR = <,
  RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel);

CREATE OPERATOR = (LEFTARG = snowflake, RIGHTARG = smallint, FUNCTION = snowflake_eq,
  COMMUTATOR = =, NEGATOR = <>,
  RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR <> (LEFTARG = snowflake, RIGHTARG = smallint, FUNCTION = snowflake_ne,
  COMMUTATOR = <>, NEGATOR = =,
  RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR < (LEFTARG = snowflake, RIGHTARG = smallint, FUNCTION = snowflake_lt,
  COMMUTATOR = >, NEGATOR = >=,
  RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = snowflake, RIGHTARG = smallint, FUNCTION = snowflake_le,
  COMMUTATOR = >=, NEGATOR = >,
  RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = snowflake, RIGHTARG = smallint, FUNCTION = snowflake_gt,
  COMMUTATOR = <, NEGATOR = <=,
  RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = snowflake, RIGHTARG = smallint, FUNCTION = snowflake_ge,
  COMMUTATOR = <=, NEGATOR = <,
  RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel);

CREATE OPERATOR = (LEFTARG = smallint, RIGHTARG = snowflake, FUNCTION = snowflake_eq,
  COMMUTATOR = =, NEGATOR = <>,
  RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES);
CREATE OPERATOR <> (LEFTARG = smallint, RIGHTARG = snowflake, FUNCTION = snowflake_ne,
  COMMUTATOR = <>, NEGATOR = =,
  RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel);
CREATE OPERATOR < (LEFTARG = smallint, RIGHTARG = snowflake, FUNCTION = snowflake_lt,
  COMMUTATOR = >, NEGATOR = >=,
  RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = smallint, RIGHTARG = snowflake, FUNCTION = snowflake_le,
  COMMUTATOR = >=, NEGATOR = >,
  RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = smallint, RIGHTARG = snowflake, FUNCTION = snowflake_gt,
  COMMUTATOR = <, NEGATOR = <=,
  RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = smallint, RIGHTARG = snowflake, FUNCTION = snowflake_ge,
  COMMUTATOR = <=, NEGATOR = <,
  RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel);

-- Btree: int8's comparison for every pair of argument types the operators take.
CREATE FUNCTION snowflake_cmp(snowflake, snowflake) RETURNS integer AS 'btint8cmp'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_cmp(snowflake, bigint) RETURNS integer AS 'btint8cmp'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_cmp(bigint, snowflake) RETURNS integer AS 'btint8cmp'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_cmp(snowflake, integer) RETURNS integer AS 'btint84cmp'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_cmp(integer, snowflake) RETURNS integer AS 'btint48cmp'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_cmp(snowflake, smallint) RETURNS integer AS 'btint82cmp'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION snowflake_cmp(smallint, snowflake) RETURNS integer AS 'btint28cmp'
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

-- One btree family for every comparison with a snowflake, so an index on a snowflake column
-- serves `id = 5`, `5 = id`, `id = a_bigint` and `id BETWEEN ...` alike. bigint's own operators
-- stay out of it: an operator in two families would split the planner's equivalence classes for
-- plain bigint queries. So amvalidate() calls the family incomplete, and only
-- snowflake = snowflake merge-joins.
CREATE OPERATOR CLASS snowflake_ops DEFAULT FOR TYPE snowflake USING btree AS
  OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
  FUNCTION 1 snowflake_cmp(snowflake, snowflake),
  FUNCTION 2 (snowflake, snowflake) pg_catalog.btint8sortsupport(internal),
  FUNCTION 4 (snowflake, snowflake) pg_catalog.btequalimage(oid);

ALTER OPERATOR FAMILY snowflake_ops USING btree ADD
  OPERATOR 1 < (snowflake, bigint),
  OPERATOR 2 <= (snowflake, bigint),
  OPERATOR 3 = (snowflake, bigint),
  OPERATOR 4 >= (snowflake, bigint),
  OPERATOR 5 > (snowflake, bigint),
  FUNCTION 1 snowflake_cmp(snowflake, bigint),
  OPERATOR 1 < (bigint, snowflake),
  OPERATOR 2 <= (bigint, snowflake),
  OPERATOR 3 = (bigint, snowflake),
  OPERATOR 4 >= (bigint, snowflake),
  OPERATOR 5 > (bigint, snowflake),
  FUNCTION 1 snowflake_cmp(bigint, snowflake),
  OPERATOR 1 < (snowflake, integer),
  OPERATOR 2 <= (snowflake, integer),
  OPERATOR 3 = (snowflake, integer),
  OPERATOR 4 >= (snowflake, integer),
  OPERATOR 5 > (snowflake, integer),
  FUNCTION 1 snowflake_cmp(snowflake, integer),
  OPERATOR 1 < (integer, snowflake),
  OPERATOR 2 <= (integer, snowflake),
  OPERATOR 3 = (integer, snowflake),
  OPERATOR 4 >= (integer, snowflake),
  OPERATOR 5 > (integer, snowflake),
  FUNCTION 1 snowflake_cmp(integer, snowflake),
  OPERATOR 1 < (snowflake, smallint),
  OPERATOR 2 <= (snowflake, smallint),
  OPERATOR 3 = (snowflake, smallint),
  OPERATOR 4 >= (snowflake, smallint),
  OPERATOR 5 > (snowflake, smallint),
  FUNCTION 1 snowflake_cmp(snowflake, smallint),
  OPERATOR 1 < (smallint, snowflake),
  OPERATOR 2 <= (smallint, snowflake),
  OPERATOR 3 = (smallint, snowflake),
  OPERATOR 4 >= (smallint, snowflake),
  OPERATOR 5 > (smallint, snowflake),
  FUNCTION 1 snowflake_cmp(smallint, snowflake);

-- Hash: int8's hash functions, which hash an integer of any width that holds the same value
-- alike; the cross-type = operators hash-join because the family has one for each type.
CREATE FUNCTION snowflake_hash(snowflake) RETURNS integer AS 'hashint8'
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION snowflake_hash_extended(snowflake, bigint) RETURNS bigint AS 'hashint8extended'
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR CLASS snowflake_hash_ops DEFAULT FOR TYPE snowflake USING hash AS
  OPERATOR 1 =,
  FUNCTION 1 snowflake_hash(snowflake),
  FUNCTION 2 snowflake_hash_extended(snowflake, bigint);

ALTER OPERATOR FAMILY snowflake_hash_ops USING hash ADD
  OPERATOR 1 = (snowflake, bigint),
  OPERATOR 1 = (bigint, snowflake),
  OPERATOR 1 = (snowflake, integer),
  OPERATOR 1 = (integer, snowflake),
  OPERATOR 1 = (snowflake, smallint),
  OPERATOR 1 = (smallint, snowflake),
  FUNCTION 1 (bigint, bigint) pg_catalog.hashint8(bigint),
  FUNCTION 2 (bigint, bigint) pg_catalog.hashint8extended(bigint, bigint),
  FUNCTION 1 (integer, integer) pg_catalog.hashint4(integer),
  FUNCTION 2 (integer, integer) pg_catalog.hashint4extended(integer, bigint),
  FUNCTION 1 (smallint, smallint) pg_catalog.hashint2(smallint),
  FUNCTION 2 (smallint, smallint) pg_catalog.hashint2extended(smallint, bigint);

-- BRIN minmax, for big append-only tables: ids rise with time, so block ranges hardly overlap.
CREATE OPERATOR CLASS snowflake_minmax_ops DEFAULT FOR TYPE snowflake USING brin AS
  OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
  FUNCTION 1 pg_catalog.brin_minmax_opcinfo(internal),
  FUNCTION 2 pg_catalog.brin_minmax_add_value(internal, internal, internal, internal),
  FUNCTION 3 pg_catalog.brin_minmax_consistent(internal, internal, internal),
  FUNCTION 4 pg_catalog.brin_minmax_union(internal, internal, internal);

ALTER OPERATOR FAMILY snowflake_minmax_ops USING brin ADD
  OPERATOR 1 < (snowflake, bigint),
  OPERATOR 2 <= (snowflake, bigint),
  OPERATOR 3 = (snowflake, bigint),
  OPERATOR 4 >= (snowflake, bigint),
  OPERATOR 5 > (snowflake, bigint),
  OPERATOR 1 < (snowflake, integer),
  OPERATOR 2 <= (snowflake, integer),
  OPERATOR 3 = (snowflake, integer),
  OPERATOR 4 >= (snowflake, integer),
  OPERATOR 5 > (snowflake, integer),
  OPERATOR 1 < (snowflake, smallint),
  OPERATOR 2 <= (snowflake, smallint),
  OPERATOR 3 = (snowflake, smallint),
  OPERATOR 4 >= (snowflake, smallint),
  OPERATOR 5 > (snowflake, smallint);

-- min and max of snowflakes are snowflakes (still JSON strings), and read one end of an index.
CREATE FUNCTION snowflake_larger(snowflake, snowflake) RETURNS snowflake AS 'int8larger'
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION snowflake_smaller(snowflake, snowflake) RETURNS snowflake AS 'int8smaller'
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE max(snowflake) (
  SFUNC = snowflake_larger, STYPE = snowflake, COMBINEFUNC = snowflake_larger,
  SORTOP = >, PARALLEL = SAFE
);
CREATE AGGREGATE min(snowflake) (
  SFUNC = snowflake_smaller, STYPE = snowflake, COMBINEFUNC = snowflake_smaller,
  SORTOP = <, PARALLEL = SAFE
);

-- Says at install time (so also during a restore) what the first insert would otherwise be
-- the first to say: the library is not preloaded, or there is no worker id.
CREATE FUNCTION snowflake_warn_if_not_ready() RETURNS void
AS 'MODULE_PATHNAME', 'snowflake_warn_if_not_ready'
LANGUAGE C;
SELECT snowflake_warn_if_not_ready();
DROP FUNCTION snowflake_warn_if_not_ready();
