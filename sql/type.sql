-- The snowflake column type: a bigint that JSON writes as a string, so JavaScript's 53-bit
-- numbers cannot round it (issue 12). Stored, sorted and indexed like bigint.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';

-- Stored like bigint: eight bytes, passed by value, a numeric type.
SELECT t.oid::regtype, typlen, typbyval, typalign, typstorage, typcategory, typispreferred
FROM pg_type AS t WHERE t.oid IN ('snowflake'::regtype, 'bigint'::regtype) ORDER BY 1;

-- A primary key filled by snowflake_nextval(): every id above 2^53, unique, decodable.
CREATE TABLE posts (id snowflake PRIMARY KEY DEFAULT snowflake_nextval(), title text);
INSERT INTO posts (title) SELECT 'post ' || g FROM generate_series(1, 300) AS g;
ANALYZE posts;
SELECT count(*) AS ids, count(DISTINCT id) AS distinct_ids,
       bool_and(id > 9007199254740992) AS all_above_2_53,
       bool_and((snowflake_decode(id)).worker_id = 42) AS all_from_worker_42,
       bool_and(snowflake_to_timestamp(id) > now() - interval '1 hour') AS all_made_now
FROM posts;

-- JSON writes a snowflake as a string and a bigint as a number, in every function.
CREATE TABLE tweets (id snowflake, reply_to bigint);
INSERT INTO tweets VALUES (1541815603606036480, 1541815603606036481);
SELECT to_json(t) AS to_json, to_jsonb(t) AS to_jsonb FROM tweets AS t;
SELECT json_agg(t) AS json_agg, jsonb_agg(t) AS jsonb_agg FROM tweets AS t;
SELECT row_to_json(t) AS row_to_json FROM tweets AS t;
SELECT json_build_object('id', id) AS json_build_object,
       jsonb_build_object('id', id, 'reply_to', reply_to) AS jsonb_build_object,
       to_json(id) AS scalar, to_jsonb(ARRAY[id, id]) AS array
FROM tweets;
-- Why a type and not a domain: JSON sees through a domain to bigint and writes a number.
CREATE DOMAIN bigint_domain AS bigint;
SELECT to_json(1541815603606036480::bigint_domain) AS domain_over_bigint;

-- Every id of json_agg is a JSON string, and reads back, by ->> and by populate_record, as
-- the row it came from.
SELECT count(*) AS rows, bool_and(json_typeof(e -> 'id') = 'string') AS all_strings,
       count(p.id) AS found_by_id
FROM json_array_elements((SELECT json_agg(p) FROM posts AS p)) AS e
LEFT JOIN posts AS p ON p.id = (e ->> 'id')::snowflake AND p.title = e ->> 'title';
SELECT count(*) AS rows_read_back
FROM jsonb_populate_recordset(NULL::posts, (SELECT jsonb_agg(p) FROM posts AS p)) AS r
JOIN posts AS p ON (p.id, p.title) = (r.id, r.title);
SELECT * FROM jsonb_populate_record(NULL::tweets, '{"id": "1541815603606036480"}');
-- A JSON number reads too, for documents written before the column was a snowflake.
SELECT * FROM json_populate_record(NULL::tweets, '{"id": 1541815603606036480}');

-- Casts: snowflake to bigint implicitly and for free, bigint, integer and smallint to
-- snowflake on assignment; text both ways explicitly.
SELECT castsource::regtype, casttarget::regtype, castcontext, castmethod, castfunc::regprocedure
FROM pg_cast WHERE 'snowflake'::regtype IN (castsource, casttarget) ORDER BY 1, 2;
SELECT 1541815603606036480::bigint::snowflake AS from_bigint, 42::snowflake AS from_integer,
       42::smallint::snowflake AS from_smallint, '1541815603606036480'::snowflake::bigint AS to_bigint,
       pg_typeof(id::bigint) AS cast_type, id::text AS to_text, '00042'::text::snowflake AS from_text
FROM tweets;
-- Bigint functions, arithmetic and the decoding functions take a snowflake as it is.
SELECT id >> 22 AS ms, id & 4095 AS seq, pg_typeof(id >> 22) AS shift_type,
       pg_typeof(sum(id)) AS sum_type, (snowflake_decode(id)).*, snowflake_to_timestamp(id)
FROM tweets GROUP BY id;
-- Assignment from every integer type and from text; min and max stay snowflakes.
CREATE TABLE assigned (id snowflake);
INSERT INTO assigned VALUES (1), (2::smallint), (3::bigint), ('4'), (' +5 '), ('-0');
UPDATE assigned SET id = id::bigint * 10 WHERE id = 1;
SELECT id, pg_typeof(id) FROM assigned ORDER BY id;
SELECT min(id), max(id), pg_typeof(max(id)) FROM assigned;

-- Comparisons with snowflakes, bigints, integers, smallints and text literals, either side,
-- resolve without ambiguity and use the primary key's btree index.
-- Plans as text, less what PostgreSQL versions print differently around the same plan: the
-- InitPlan's "(returns $0)" (15), a NOT NULL index condition on a key (15, 16), "Disabled"
-- markers on nodes that enable_* settings discourage (18), min/max InitPlans named minmax_N
-- under a "Replaces" line (19).
CREATE FUNCTION plan_of(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
    CONTINUE WHEN line ~ '^\s*(Disabled: true|Replaces: .*|Index Cond: \(\w+ IS NOT NULL\))$';
    RETURN NEXT regexp_replace(regexp_replace(line, ' \(returns \$\d+(,\$\d+)*\)', ''),
                               'InitPlan minmax_', 'InitPlan ');
  END LOOP;
END $$;

SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT plan_of($q$SELECT * FROM posts WHERE id = 5$q$);
SELECT plan_of($q$SELECT * FROM posts WHERE 5 = id$q$);
SELECT plan_of($q$SELECT * FROM posts WHERE id = 1541815603606036480$q$);
SELECT plan_of($q$SELECT * FROM posts WHERE 1541815603606036480 < id$q$);
SELECT plan_of($q$SELECT * FROM posts WHERE id = '1541815603606036480'$q$);
SELECT plan_of($q$SELECT * FROM posts WHERE id >= 5::smallint$q$);
SELECT plan_of($q$SELECT * FROM posts WHERE 5::smallint >= id$q$);
-- Parameters as drivers type them: bigint, or smallint for a small number (psycopg).
PREPARE by_bigint(bigint) AS SELECT * FROM posts WHERE id = $1;
SELECT plan_of($q$EXECUTE by_bigint(1541815603606036480)$q$);
PREPARE by_smallint(smallint) AS SELECT * FROM posts WHERE id = $1;
SELECT plan_of($q$EXECUTE by_smallint(5)$q$);
SELECT plan_of($q$SELECT * FROM posts WHERE id BETWEEN 1 AND 1541815603606036480$q$);
SELECT plan_of($q$SELECT * FROM posts WHERE id IN (1541815603606036480, 1541815603606036481)$q$);
SELECT plan_of($q$SELECT * FROM posts WHERE id IN ('1541815603606036480', '1541815603606036481')$q$);
SELECT plan_of($q$SELECT * FROM posts WHERE id = ANY (ARRAY[1, 2])$q$);
SELECT plan_of($q$SELECT * FROM posts ORDER BY id DESC LIMIT 1$q$);
SELECT plan_of($q$SELECT max(id), min(id) FROM posts$q$);
-- A list of integer literals (integer to snowflake is no implicit cast) still goes through the
-- index: as OR-ed conditions up to PostgreSQL 17, as = ANY from 18.
RESET enable_bitmapscan;
SELECT bool_or(line ~ 'Index Scan on posts_pkey') AS uses_the_index
FROM plan_of('SELECT * FROM posts WHERE id IN (1, 2)') AS line;
-- A join on a bigint column probes the index for each outer row.
CREATE TABLE mentions (post_id bigint);
INSERT INTO mentions SELECT id FROM posts ORDER BY id LIMIT 3;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT plan_of($q$SELECT * FROM mentions AS m JOIN posts AS p ON p.id = m.post_id$q$);
SELECT count(*) AS joined FROM mentions AS m JOIN posts AS p ON p.id = m.post_id;
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_seqscan;

-- The same answers as bigint gives, for every operator and pair of types.
SELECT id = 1541815603606036480 AS eq_bigint, id <> 1541815603606036480::bigint AS ne_bigint,
       id > 1541815603606036479 AS gt_bigint, 1541815603606036481 > id AS bigint_gt,
       id > 5 AS gt_integer, 5 < id AS integer_lt, id >= 5::smallint AS ge_smallint,
       5::smallint <= id AS smallint_le, id <= id AS le_self,
       id < '1541815603606036481' AS lt_text, NOT (id = 5) AS ne_integer
FROM tweets;
-- Every operator on a snowflake is in the btree family, with a support function for its
-- argument types, and so are bigint's, integer's and smallint's own < and >, which arrays of
-- them need (comparison_forms.sql); the equality operators are also in the hash family.
SELECT o.oprleft::regtype, o.oprright::regtype, string_agg(o.oprname, ' ' ORDER BY a.amopstrategy)
       AS btree_operators,
       bool_and(o.oprcode IN (SELECT oid FROM pg_proc WHERE proleakproof AND provolatile = 'i'))
       AS immutable_leakproof
FROM pg_operator AS o
JOIN pg_amop AS a ON a.amopopr = o.oid
JOIN pg_opfamily AS f ON f.oid = a.amopfamily AND f.opfname = 'snowflake_ops'
JOIN pg_am ON pg_am.oid = f.opfmethod AND pg_am.amname = 'btree'
GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS snowflake_operators,
       count(*) FILTER (WHERE o.oid IN (SELECT amopopr FROM pg_amop AS a
                                        JOIN pg_opfamily AS f ON f.oid = a.amopfamily
                                        WHERE f.opfname = 'snowflake_ops')) AS in_btree_family,
       count(*) FILTER (WHERE o.oid IN (SELECT amopopr FROM pg_amop AS a
                                        JOIN pg_opfamily AS f ON f.oid = a.amopfamily
                                        WHERE f.opfname = 'snowflake_hash_ops')) AS in_hash_family,
       count(*) FILTER (WHERE o.oprcanhash) AS hashes, count(*) FILTER (WHERE o.oprcanmerge) AS merges
FROM pg_operator AS o WHERE 'snowflake'::regtype IN (o.oprleft, o.oprright);

-- Hash: a hash index, and hash joins with snowflakes and with bigints.
CREATE TABLE hashed (id snowflake);
INSERT INTO hashed SELECT id FROM posts;
CREATE INDEX hashed_id ON hashed USING hash (id);
ANALYZE hashed;
SET enable_seqscan = off;
SELECT plan_of($q$SELECT * FROM hashed WHERE id = 1541815603606036480$q$);
SELECT count(*) AS found FROM hashed WHERE id = (SELECT max(id) FROM posts);
-- An integer or smallint hashes as the bigint of the same value does, so the index finds it.
CREATE INDEX assigned_id ON assigned USING hash (id);
SELECT plan_of($q$SELECT * FROM assigned WHERE id = 4::smallint$q$);
SELECT (SELECT count(*) FROM assigned WHERE id = 4) AS by_integer,
       (SELECT count(*) FROM assigned WHERE id = 4::smallint) AS by_smallint,
       (SELECT count(*) FROM assigned WHERE id = 4::bigint) AS by_bigint;
RESET enable_seqscan;
SET enable_mergejoin = off;
SET enable_nestloop = off;
SELECT plan_of($q$SELECT count(*) FROM hashed AS h JOIN posts AS p ON p.id = h.id$q$);
SELECT count(*) AS joined FROM hashed AS h JOIN posts AS p ON p.id = h.id;
SELECT plan_of($q$SELECT count(*) FROM hashed AS h JOIN mentions AS m ON h.id = m.post_id$q$);
SELECT count(*) AS joined FROM hashed AS h JOIN mentions AS m ON h.id = m.post_id;
-- Merge joins: snowflake with snowflake; snowflake with bigint falls back without an error.
RESET enable_mergejoin;
SET enable_hashjoin = off;
SELECT plan_of($q$SELECT count(*) FROM hashed AS h JOIN posts AS p ON p.id = h.id$q$);
SELECT plan_of($q$SELECT count(*) FROM hashed AS h JOIN mentions AS m ON h.id = m.post_id$q$);
SELECT count(*) AS joined FROM hashed AS h JOIN mentions AS m ON h.id = m.post_id;
RESET enable_hashjoin;
RESET enable_nestloop;

-- BRIN minmax, with snowflake and bigint bounds.
CREATE TABLE events (id snowflake);
INSERT INTO events SELECT id FROM posts;
CREATE INDEX events_id ON events USING brin (id);
SET enable_seqscan = off;
SELECT plan_of($q$SELECT * FROM events WHERE id > 1541815603606036480$q$);
SELECT plan_of($q$SELECT * FROM events WHERE id = '1541815603606036480'$q$);
SELECT count(*) AS found FROM events WHERE id >= (SELECT min(id) FROM posts)::bigint;
RESET enable_seqscan;

-- The binary form is int8's: the same bytes, and COPY BINARY moves ids between the types.
SELECT bool_and(snowflake_send(id) = int8send(id)) AS same_bytes FROM posts;
\copy (SELECT id FROM posts) TO 'results/type_ids.bin' (FORMAT binary)
CREATE TABLE copied_bigint (id bigint);
CREATE TABLE copied_snowflake (id snowflake);
\copy copied_bigint FROM 'results/type_ids.bin' (FORMAT binary)
\copy copied_snowflake FROM 'results/type_ids.bin' (FORMAT binary)
SELECT (SELECT count(*) FROM posts JOIN copied_bigint USING (id)) AS as_bigint,
       (SELECT count(*) FROM posts JOIN copied_snowflake USING (id)) AS as_snowflake;
\copy (SELECT -1::bigint) TO 'results/type_negative.bin' (FORMAT binary)
-- (psql keeps no SQLSTATE for \copy: show it in place of the message.)
\set VERBOSITY sqlstate
\copy copied_snowflake FROM 'results/type_negative.bin' (FORMAT binary)
\set VERBOSITY default

-- Bad input: not digits (22P02), above the bigint range or negative (22003), in text, casts
-- and assignment alike.
SELECT 'abc'::snowflake;
\echo :LAST_ERROR_SQLSTATE
SELECT ''::snowflake;
\echo :LAST_ERROR_SQLSTATE
SELECT '1.5'::snowflake;
\echo :LAST_ERROR_SQLSTATE
-- Decimal only, on every version: not the 0x, 0o and 0b prefixes and _ separators that bigint
-- also reads from PostgreSQL 16.
SELECT '0x1F'::snowflake;
\echo :LAST_ERROR_SQLSTATE
SELECT '1_000'::snowflake;
\echo :LAST_ERROR_SQLSTATE
SELECT '9223372036854775808'::snowflake;
\echo :LAST_ERROR_SQLSTATE
SELECT '-1'::snowflake;
\echo :LAST_ERROR_SQLSTATE
SELECT (-1)::bigint::snowflake;
\echo :LAST_ERROR_SQLSTATE
SELECT (-1)::snowflake;
\echo :LAST_ERROR_SQLSTATE
SELECT (-1)::smallint::snowflake;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO assigned VALUES (-9223372036854775808);
\echo :LAST_ERROR_SQLSTATE
SELECT ('{"id": "-5"}'::jsonb ->> 'id')::snowflake;
\echo :LAST_ERROR_SQLSTATE
-- An integer never becomes a snowflake implicitly, since the cast fails on negative values:
-- COALESCE, CASE or UNION of a snowflake and an integer literal needs a quoted literal or a
-- cast. With a bigint, they give a bigint.
SELECT coalesce(id, 0) FROM tweets;
\echo :LAST_ERROR_SQLSTATE
SELECT coalesce(id, '0') AS coalesced, pg_typeof(coalesce(id, 0::bigint)) FROM tweets;

DROP TABLE posts, tweets, assigned, mentions, hashed, events, copied_bigint, copied_snowflake;
DROP DOMAIN bigint_domain;
DROP FUNCTION plan_of(text);
