// Worker ids claimed from a registry: a database named by snowflake.registry where
// `CREATE EXTENSION snowflake` ran, whose table of claims (the view snowflake_registry) hands
// out worker ids. A background process, the registry worker, claims this server's worker id
// there (or, with snowflake.worker_id set, has the registry confirm that no other server holds
// that one), renews the claim, records how far this server's ids may go, and at a clean
// shutdown records exactly where they stopped, keeping the claim for the server's next start.
// The policy (renewal interval, fence, bound) is core/worker_claim.h's; the protocol is the SQL
// functions snowflake_registry_claim, _renew and _park of sql/snowflake--1.0--1.1.sql; the
// transport is registry_connection.h.
//
// "The same server" is one data directory on one host: the holder is named by the system
// identifier, the host name and the data directory. A physical standby shares its primary's
// system identifier but not its host and directory, so each gets its own worker id. Every
// start is a new incarnation of the holder; a new incarnation, like any server that takes a
// worker id over, starts above the highest id the registry recorded for it.
#pragma once

#include "core/shared_generator.h"

#include <cstddef>
#include <cstdint>

namespace snowflake::pg {

// Preloading only: the size of the registry's part of the shared block, and its worker
// (registered only when snowflake.registry is set).
std::size_t registry_shared_size();
void register_registry_worker();

// Server start (postmaster, under AddinShmemInitLock): attaches to the registry's part of the
// shared block; when it is new, starts a new incarnation. Without a registry, publishes the
// configured worker id at once.
void start_registry(void* area, bool found, SharedGenerator& generator);

// The worker id to make ids with. While the server has none yet (the registry worker is
// claiming one), waits for it cancellably, at most until `deadline_micros` on the monotonic
// clock (0: no limit); then ERROR saying why there is none.
std::int32_t await_worker_id(const SharedGenerator& generator, std::int64_t deadline_micros);

// Whether the claim on the worker id was not renewed in time: from its fence (worker_claim.h)
// on, no id may be issued until it is. now_unix_ms is the caller's reading of the wall clock,
// the one its claim of ids reads: the fence is kept as a wall-clock time, converted at each
// renewal. The hot path calls it: one atomic load. Always false without a registry.
bool claim_fenced(std::int64_t now_unix_ms);

// The lease can reach no further until the claim on the worker id is renewed: asks the
// registry worker to renew now, and waits until the registry answered, as await_worker_id
// does; ERROR if it does not in time.
void await_claim_renewal(std::int64_t deadline_micros);

// The same request, without waiting: the caller's own ids are covered.
void ask_for_claim_renewal();

// Where the worker id came from and how its claim stands, for snowflake_stats.
struct ClaimReport {
  const char* source;            // "configured", "registry", or null: no worker id
  const char* state;             // without a registry null; else "claiming", "held", ...
  std::int64_t expires_unix_ms;  // the registry's expiry of the claim; 0: none
  const char* last_error;        // the registry's last failure, or null
};
ClaimReport report_claim(const SharedGenerator& generator);

}  // namespace snowflake::pg
