// The lease: before the generator may issue ids for a millisecond, that millisecond must be
// durably recorded, so that after a restart, a crash or a failover ids resume past every id
// ever issued. This is its one home: load at start, renewal, replay (it owns the WAL resource
// manager), the checks that keep the durable copies whole, and the operator's two ways to move
// it (ids from elsewhere, an accepted layout change). How far a lease reaches and when it is
// renewed is the policy of core/lease_policy.h. The lease file (lease_file.h) serves this
// server's restarts and crashes, the WAL record (lease_wal.h) its standbys and its crash
// recovery; each records the layout and worker id the ids were issued under.
//
// Renewal writes the file (synced to disk) first, then the WAL record, and while synchronous
// standbys are wanted also waits until they have flushed the record; only then is the new lease
// end published to the generator. Backups must include the file: leases from before a backup's
// start are not in the WAL it replays.
//
// Who renews: the lease worker (lease_worker.h) while the generator is in use, so that callers
// find the lease ahead of them at any rate. Callers renew themselves only when they find the
// lease exhausted (the first call after the worker went idle, or when no worker runs, as in
// single-user mode).
//
// Locking: one LWLock serializes everything that changes the lease; claims never take it.
// Backends wait for it cancellably (conditional acquire and a condition variable), since a
// renewal may wait on a stalled disk or a synchronous standby.
#pragma once

#include "core/layout.h"
#include "core/shared_generator.h"

#include <cstddef>
#include <cstdint>

struct Latch;

namespace snowflake::pg {

// Preloading only: the size of the lease's part of the shared block, its lock, and its WAL
// resource manager.
std::size_t lease_shared_size();
void request_lease_lock();
void register_lease_rmgr();

// Server start (postmaster, under AddinShmemInitLock): attaches the lease to its part of the
// shared block and to the generator; when the block is new (`found` false), sets it up and
// resumes the generator after the lease in the file, if there is one.
void start_lease(void* area, bool found, SharedGenerator& generator, const Layout& layout);

// Makes a lease durable and publishes it, reaching kLeaseSpanMs past demand and at least
// min_end_ms (ms since the layout's epoch), unless the current lease already does and is not
// due for renewal. False when the worker id's claim keeps the lease from reaching further, or
// from reaching min_end_ms (limit_lease), or the claim was lost: the caller waits for the
// claim's renewal. ERROR when the generator may not issue ids under this layout, or the lease
// cannot be made durable. now_ms is the clock in ms since the layout's epoch.
bool renew_lease(const Layout& layout, std::int64_t now_ms, std::int64_t min_end_ms = 0);

// A claim made the lease due: wakes the lease worker, or renews in the caller's path when no
// worker runs. The caller's ids are covered by the current lease, so a renewal that fails
// only warns. False as for renew_lease.
bool request_renewal(const Layout& layout, std::int64_t now_ms);

// What a worker id claimed from the registry allows (registry.h): no lease reaches past
// cap_unix_ms. The limit is INT64_MAX (none) until a registry sets one, and 0 once a claim was
// lost or parked at shutdown.
void limit_lease(std::int64_t cap_unix_ms);

// The operator accepts that ids under the current layout may repeat or fall below the ids
// issued under the lease's layout: the lease is rewritten under the current one. False when
// there was no such conflict to accept.
bool accept_layout_change(const Layout& layout, std::int64_t now_ms);

// For the lease worker: while it runs, callers wake it through its latch (null when it
// leaves); whether a caller asked it to renew since it last looked; a renewal as it does them
// (a blocked lease is left alone); and its look after the durable copies, which puts back a
// lease file someone removed or changed and logs the lease again after a checkpoint (false
// when the file could not be put back, reported at WARNING if report_failure).
void set_lease_worker_latch(Latch* latch);
bool take_renewal_request();
void renew_as_worker(const Layout& layout, std::int64_t now_ms);
bool look_after_lease(bool report_failure);

}  // namespace snowflake::pg
