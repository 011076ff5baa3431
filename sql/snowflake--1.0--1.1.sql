-- snowflake 1.0 -> 1.1: `IN` lists and `= ANY` arrays on a B-tree index of a snowflake column,
-- worker ids from a registry, snowflake_observe(). A fresh install of 1.1 runs
-- snowflake--1.0.sql, then this script.

\echo Use "ALTER EXTENSION snowflake UPDATE TO '1.1'" to load this file. \quit

-- Before a B-tree scan starts, PostgreSQL reduces each array of an `= ANY` or `IN` condition
-- with comparisons between the array's own elements, looked up in the index's operator family
-- for the element type on both sides: `id = ANY ($1::bigint[])` needs the family's support
-- function 1 for (bigint, bigint) to sort the array and drop duplicates, `id > ANY (...)` its
-- operator 1 (<) of (bigint, bigint) to keep only the smallest element, and `id < ANY (...)`
-- its operator 5 (>) to keep the largest. Without them the scan stops with an internal error
-- ("missing support function 1(20,20)", "missing operator 1(20,20)"). An array may hold any
-- type the family compares a snowflake with; 1.0 has snowflake's own, so this adds int8's,
-- int4's and int2's comparison functions, and their own < and >.
--
-- Nothing else from bigint, integer or smallint goes in: each member added here is one that an
-- array form fails without (sql/comparison_forms.sql shows each). Their = operators stay out
-- above all: the planner merges equivalence classes only when their equality operators sit in
-- the same families, so `=(bigint, bigint)` in this family too would stop it from deducing
-- `b.x = 5` from `a.x = b.x AND a.x = 5` on bigint columns (bigint = bigint would then be in
-- two families, bigint = integer in one). The planner takes the order of a sort on bigint from
-- the B-tree family of smallest OID that holds bigint's < or >: the built-in integer_ops.
-- sql/bigint_plans.sql checks that plans on plain integer columns stay as they were.
ALTER OPERATOR FAMILY snowflake_ops USING btree ADD
  OPERATOR 1 pg_catalog.< (bigint, bigint),
  OPERATOR 5 pg_catalog.> (bigint, bigint),
  FUNCTION 1 (bigint, bigint) pg_catalog.btint8cmp(bigint, bigint),
  OPERATOR 1 pg_catalog.< (integer, integer),
  OPERATOR 5 pg_catalog.> (integer, integer),
  FUNCTION 1 (integer, integer) pg_catalog.btint4cmp(integer, integer),
  OPERATOR 1 pg_catalog.< (smallint, smallint),
  OPERATOR 5 pg_catalog.> (smallint, smallint),
  FUNCTION 1 (smallint, smallint) pg_catalog.btint2cmp(smallint, smallint);

-- snowflake_nextval_batch belongs to the role that installed the extension, so that it can
-- restrict it (REVOKE EXECUTE ... FROM PUBLIC) where untrusted roles connect: a batch of ten
-- million ids runs ids 2.4 s ahead of the clock. Installed as a trusted extension by a
-- database owner, every object otherwise belongs to the bootstrap superuser, and the owner's
-- REVOKE would do nothing. It stays a C function only a superuser can replace.
ALTER FUNCTION snowflake_nextval_batch(integer) OWNER TO @extowner@;

-- The worker id registry. Any database where this extension is installed can serve as the
-- registry of a group of servers: each names it in snowflake.registry, and its registry worker
-- claims, renews and parks a worker id here through the three functions below (see
-- src/pg/registry.h). The registry server needs no shared_preload_libraries: these are plain
-- SQL. Safety rests on highest_id: a server never issues an id above the one its claim
-- records, and whoever takes a worker id over starts above it.
CREATE TABLE snowflake_worker_claims (
  worker_id integer PRIMARY KEY CHECK (worker_id >= 0),
  holder text NOT NULL,           -- host:data directory (system identifier)
  incarnation text NOT NULL,      -- the holder's start that holds the claim
  epoch timestamptz NOT NULL,     -- the layout the holder makes ids with
  worker_bits integer NOT NULL,
  sequence_bits integer NOT NULL,
  claimed_at timestamptz NOT NULL,
  renewed_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  highest_id bigint,              -- NULL: no id may have been issued under it yet
  released_at timestamptz         -- set by snowflake_release_worker_id()
);

COMMENT ON TABLE snowflake_worker_claims IS
'worker ids claimed by servers whose snowflake.registry is this database; read it through the view snowflake_registry';

-- Claims survive a dump and restore of the registry database.
SELECT pg_catalog.pg_extension_config_dump('snowflake_worker_claims', '');

REVOKE ALL ON snowflake_worker_claims FROM PUBLIC;

CREATE VIEW snowflake_registry AS
SELECT worker_id, holder, claimed_at, renewed_at, expires_at, highest_id,
       CASE WHEN released_at IS NOT NULL THEN 'released'
            WHEN expires_at <= pg_catalog.now() THEN 'expired'
            ELSE 'held' END AS state
FROM snowflake_worker_claims;

COMMENT ON VIEW snowflake_registry IS
'worker ids claimed from this database, by whom, until when, and the highest id each holder may have issued';

-- Claims a worker id for one start (incarnation) of a server (holder): the one it wants, or,
-- for wanted_worker_id NULL, the holder's own claim, else the lowest worker id never claimed,
-- else the claim that lapsed longest ago (expired or released). A claim held by another holder
-- is refused (held_by names it); with none free, every column is NULL. Granted, the previous
-- holder's highest id comes back with its layout: the new holder starts above it. Claims are
-- serialised by a lock on the table.
CREATE FUNCTION snowflake_registry_claim(
  holder text, incarnation text, wanted_worker_id integer, epoch_ms bigint,
  worker_bits integer, sequence_bits integer, ttl_ms bigint,
  OUT granted_worker_id integer, OUT previous_highest_id bigint, OUT previous_epoch_ms bigint,
  OUT previous_worker_bits integer, OUT previous_sequence_bits integer, OUT held_by text)
RETURNS record
LANGUAGE plpgsql
AS $$
DECLARE
  max_worker_id constant integer := (1 << worker_bits) - 1;
  previous snowflake_worker_claims%ROWTYPE;
  chosen integer;
BEGIN
  LOCK TABLE snowflake_worker_claims IN SHARE ROW EXCLUSIVE MODE;
  IF wanted_worker_id IS NOT NULL THEN
    chosen := wanted_worker_id;
  ELSE
    -- The holder's own claim, else the lowest worker id never claimed, else the claim that
    -- lapsed longest ago.
    SELECT c.worker_id INTO chosen FROM snowflake_worker_claims AS c
    WHERE c.holder = snowflake_registry_claim.holder AND c.released_at IS NULL
      AND c.worker_id <= max_worker_id
    ORDER BY c.renewed_at DESC LIMIT 1;
    IF chosen IS NULL THEN
      SELECT min(free.worker_id) INTO chosen
      FROM (SELECT 0 AS worker_id
            WHERE NOT EXISTS (SELECT FROM snowflake_worker_claims AS c WHERE c.worker_id = 0)
            UNION ALL
            SELECT c.worker_id + 1 FROM snowflake_worker_claims AS c
            WHERE c.worker_id < max_worker_id
              AND NOT EXISTS (SELECT FROM snowflake_worker_claims AS d
                              WHERE d.worker_id = c.worker_id + 1)) AS free;
    END IF;
    IF chosen IS NULL THEN
      SELECT c.worker_id INTO chosen FROM snowflake_worker_claims AS c
      WHERE c.worker_id <= max_worker_id
        AND (c.released_at IS NOT NULL OR c.expires_at <= pg_catalog.now())
      ORDER BY coalesce(c.released_at, c.expires_at) LIMIT 1;
    END IF;
    IF chosen IS NULL THEN
      RETURN;
    END IF;
  END IF;

  SELECT * INTO previous FROM snowflake_worker_claims AS c WHERE c.worker_id = chosen;
  IF NOT FOUND THEN
    INSERT INTO snowflake_worker_claims AS c
      (worker_id, holder, incarnation, epoch, worker_bits, sequence_bits, claimed_at, renewed_at,
       expires_at)
    VALUES (chosen, holder, incarnation, pg_catalog.to_timestamp(epoch_ms / 1000.0), worker_bits,
            sequence_bits, pg_catalog.now(), pg_catalog.now(),
            pg_catalog.now() + ttl_ms * interval '1 millisecond');
  ELSIF previous.holder <> holder AND previous.released_at IS NULL
        AND previous.expires_at > pg_catalog.now() THEN
    held_by := previous.holder;
    RETURN;
  ELSE
    UPDATE snowflake_worker_claims AS c
    SET holder = snowflake_registry_claim.holder,
        incarnation = snowflake_registry_claim.incarnation,
        epoch = pg_catalog.to_timestamp(epoch_ms / 1000.0),
        worker_bits = snowflake_registry_claim.worker_bits,
        sequence_bits = snowflake_registry_claim.sequence_bits,
        claimed_at = pg_catalog.now(), renewed_at = pg_catalog.now(),
        expires_at = pg_catalog.now() + ttl_ms * interval '1 millisecond', released_at = NULL
    WHERE c.worker_id = chosen;
    previous_highest_id := previous.highest_id;
    previous_epoch_ms := (extract(epoch FROM previous.epoch) * 1000)::bigint;
    previous_worker_bits := previous.worker_bits;
    previous_sequence_bits := previous.sequence_bits;
  END IF;
  granted_worker_id := chosen;
END
$$;

COMMENT ON FUNCTION snowflake_registry_claim(text, text, integer, bigint, integer, integer, bigint) IS
'for snowflake.registry: a server claims a worker id';

-- Renews the claim of this incarnation and records the highest id it may issue until the next
-- renewal (never lower than before). The new expiry in ms since 1970, or NULL when the claim
-- is no longer this incarnation's (released, or taken over after it expired).
CREATE FUNCTION snowflake_registry_renew(worker_id integer, incarnation text, ttl_ms bigint,
                                         highest_id bigint)
RETURNS bigint
LANGUAGE sql
AS $$
  UPDATE snowflake_worker_claims AS c
  SET renewed_at = pg_catalog.now(),
      expires_at = pg_catalog.now() + ttl_ms * interval '1 millisecond',
      highest_id = GREATEST(c.highest_id, snowflake_registry_renew.highest_id)
  WHERE c.worker_id = snowflake_registry_renew.worker_id
    AND c.incarnation = snowflake_registry_renew.incarnation AND c.released_at IS NULL
  RETURNING (extract(epoch FROM c.expires_at) * 1000)::bigint
$$;

COMMENT ON FUNCTION snowflake_registry_renew(integer, text, bigint, bigint) IS
'for snowflake.registry: a server renews its claim and records how far its ids may go';

-- At a clean shutdown: the exact highest id this incarnation issued, which may be lower than
-- the bound it recorded, so that the holder's next start resumes right above it. False when the
-- claim is no longer this incarnation's.
CREATE FUNCTION snowflake_registry_park(worker_id integer, incarnation text, highest_id bigint)
RETURNS boolean
LANGUAGE sql
AS $$
  WITH parked AS (
    UPDATE snowflake_worker_claims AS c
    SET highest_id = snowflake_registry_park.highest_id
    WHERE c.worker_id = snowflake_registry_park.worker_id
      AND c.incarnation = snowflake_registry_park.incarnation AND c.released_at IS NULL
    RETURNING 1)
  SELECT count(*) > 0 FROM parked
$$;

COMMENT ON FUNCTION snowflake_registry_park(integer, text, bigint) IS
'for snowflake.registry: a server records its last id at a clean shutdown';

-- The operator's way to free a worker id at once: its holder stops making ids with it at its
-- next renewal, and the next server to claim it starts above the highest id recorded. True if
-- there was such a claim.
CREATE FUNCTION snowflake_release_worker_id(worker_id integer)
RETURNS boolean
LANGUAGE sql
AS $$
  WITH released AS (
    UPDATE snowflake_worker_claims AS c SET released_at = pg_catalog.now()
    WHERE c.worker_id = snowflake_release_worker_id.worker_id AND c.released_at IS NULL
    RETURNING 1)
  SELECT count(*) > 0 FROM released
$$;

COMMENT ON FUNCTION snowflake_release_worker_id(integer) IS
'in the registry: free a worker id now; its next holder starts above every id the old one may have issued';

REVOKE EXECUTE ON FUNCTION snowflake_registry_claim(text, text, integer, bigint, integer, integer, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION snowflake_registry_renew(integer, text, bigint, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION snowflake_registry_park(integer, text, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION snowflake_release_worker_id(integer) FROM PUBLIC;

-- The worker id this server makes ids with.
CREATE FUNCTION snowflake_worker_id() RETURNS integer
AS 'MODULE_PATHNAME', 'snowflake_worker_id'
LANGUAGE C VOLATILE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_worker_id() IS
'the worker id this server makes ids with: configured, or claimed from snowflake.registry; NULL while it has none';

-- The trigger for tables that receive rows by logical replication.
CREATE FUNCTION snowflake_observe() RETURNS trigger
AS 'MODULE_PATHNAME', 'snowflake_observe'
LANGUAGE C;

COMMENT ON FUNCTION snowflake_observe() IS
'trigger for replicated tables: refuses rows whose ids carry this server''s worker id, and moves the generator past the others';

-- snowflake_stats gains where the worker id came from, the claim's state and the rows
-- snowflake_observe refused.
DROP VIEW snowflake_stats;
DROP FUNCTION snowflake_stats();

CREATE FUNCTION snowflake_stats(
  OUT worker_id integer,
  OUT lead_ms bigint,
  OUT lease_end timestamptz,
  OUT clock_regressions bigint,
  OUT largest_regression_ms bigint,
  OUT borrowed_ms bigint,
  OUT waits bigint,
  OUT wait_time_ms double precision,
  OUT lease_renewals bigint,
  OUT worker_id_source text,
  OUT claim_state text,
  OUT claim_expires_at timestamptz,
  OUT registry_error text,
  OUT collisions bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'snowflake_stats'
LANGUAGE C VOLATILE PARALLEL SAFE;

COMMENT ON FUNCTION snowflake_stats() IS
'generator state and counters since the server started';

CREATE VIEW snowflake_stats AS SELECT * FROM snowflake_stats();

GRANT SELECT ON snowflake_stats TO PUBLIC;
