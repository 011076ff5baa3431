-- The registry's side of worker ids claimed from a registry (snowflake.registry): the claims
-- table behind the view snowflake_registry, and the functions the servers' registry workers
-- call. Each call here plays one server; the TAP test test/t/015_registry.pl runs real ones.
-- A ttl of 0 ms makes a claim expire at once, so no test waits.
CREATE FUNCTION claim(holder text, incarnation text, wanted integer = NULL,
                      worker_bits integer = 2, ttl_ms bigint = 60000)
RETURNS TABLE (granted integer, previous_highest bigint, held_by text)
LANGUAGE sql AS $$
  SELECT granted_worker_id, previous_highest_id, held_by
  FROM snowflake_registry_claim(holder, incarnation, wanted,
                                1288834974657, worker_bits, 12, ttl_ms)
$$;
CREATE FUNCTION renew(worker integer, incarnation text, highest bigint, ttl_ms bigint = 60000)
RETURNS boolean
LANGUAGE sql AS $$ SELECT snowflake_registry_renew(worker, incarnation, ttl_ms, highest) IS NOT NULL $$;

-- A first server gets the lowest worker id, a second the next.
SELECT * FROM claim('host-a:/data (system 1)', 'a1');
SELECT * FROM claim('host-b:/data (system 2)', 'b1');
SELECT renew(0, 'a1', 1000) AS a_renewed, renew(1, 'b1', 2000) AS b_renewed;
SELECT worker_id, holder, highest_id, state FROM snowflake_registry ORDER BY worker_id;

-- A renewal records the highest id the holder may issue, never lower than before; one from
-- another incarnation (an earlier start of the holder, a copy of it) is refused.
SELECT renew(0, 'a1', 500) AS lower_bound_renewed,
       (SELECT highest_id FROM snowflake_registry WHERE worker_id = 0) AS highest_kept;
SELECT renew(0, 'a0', 9000) AS stale_incarnation_renewed;

-- A configured worker id that another server holds is refused, naming the holder.
SELECT * FROM claim('host-c:/data (system 3)', 'c1', wanted => 0);

-- The same server, started again, gets its worker id back; it must start above the highest id
-- its earlier start recorded, and that start can no longer renew.
SELECT * FROM claim('host-a:/data (system 1)', 'a2');
SELECT renew(0, 'a1', 1100) AS earlier_start_renewed, renew(0, 'a2', 1200) AS new_start_renewed;

-- A clean shutdown records the exact last id, which may be lower than the bound.
SELECT snowflake_registry_park(0, 'a2', 1150) AS parked,
       (SELECT highest_id FROM snowflake_registry WHERE worker_id = 0) AS highest_parked;
SELECT snowflake_registry_park(0, 'a1', 1) AS stale_incarnation_parked;

-- With two worker bits there are four worker ids; once all are held, none is free.
SELECT * FROM claim('host-c:/data (system 3)', 'c1');
SELECT * FROM claim('host-d:/data (system 4)', 'd1');
SELECT * FROM claim('host-e:/data (system 5)', 'e1');

-- An expired claim is taken over, above its holder's highest id (here a ttl of 0 ms has the
-- claim of host-d expire at once); the old holder's renewals are refused from then on.
SELECT renew(3, 'd1', 4000, ttl_ms => 0) AS d_renewed_briefly;
SELECT state FROM snowflake_registry WHERE worker_id = 3;
SELECT * FROM claim('host-e:/data (system 5)', 'e1');
SELECT renew(3, 'd1', 4100) AS old_holder_renewed;

-- A released worker id: its holder's next renewal is refused, and the next server that finds
-- no free worker id takes it over, above the highest id recorded.
SELECT snowflake_release_worker_id(1) AS released, snowflake_release_worker_id(1) AS twice;
SELECT state FROM snowflake_registry WHERE worker_id = 1;
SELECT renew(1, 'b1', 2100) AS released_holder_renewed;
SELECT * FROM claim('host-f:/data (system 6)', 'f1');
SELECT worker_id, holder, highest_id, state FROM snowflake_registry ORDER BY worker_id;

-- Claims belong to the servers' registry workers and to superusers: other roles can neither
-- read nor write them, nor release a worker id.
CREATE ROLE snowflake_registry_reader;
SET ROLE snowflake_registry_reader;
SELECT count(*) FROM snowflake_registry;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM claim('host-g:/data (system 7)', 'g1');
\echo :LAST_ERROR_SQLSTATE
SELECT snowflake_release_worker_id(0);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE snowflake_registry_reader;

-- This server takes its worker id from snowflake.worker_id, not from a registry.
SELECT snowflake_worker_id(), worker_id_source, claim_state, claim_expires_at, registry_error
FROM snowflake_stats;

DROP FUNCTION claim(text, text, integer, integer, bigint);
DROP FUNCTION renew(integer, text, bigint, bigint);
TRUNCATE snowflake_worker_claims;
