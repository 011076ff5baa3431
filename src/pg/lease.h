// The lease: before the generator may issue ids for a millisecond, that millisecond must be
// durably recorded, so that after a restart, a crash or a failover ids resume past every id
// ever issued. This is its one home: load at start, renewal, replay, and the operator's two
// ways to move it (ids from elsewhere, an accepted layout change). The lease file
// (lease_file.h) serves this server's restarts and crashes, the WAL record (lease_wal.h) its
// standbys; each records the layout and worker id the ids were issued under.
//
// Renewal writes the file (synced to disk) first, then the WAL record, and with synchronous
// standbys configured also waits until they have flushed the record; only then is the new lease
// end published to the generator. Backups must include the file: leases from before a backup's
// start are not in the WAL it replays.
//
// Who renews: the lease worker, a background process, while the generator is in use (an id
// was issued within the last minute): it renews whenever the lease is due, so that callers
// find it ahead of them at any rate, and leaves an idle server alone. Callers renew themselves
// only when they find the lease exhausted (the first call after an idle minute, or when the
// worker is not running, as in single-user mode).
//
// Locking: one LWLock serializes everything that changes the lease; claims never take it.
// Backends wait for it cancellably (conditional acquire and a condition variable), since a
// renewal may wait on a stalled disk or a synchronous standby.
#pragma once

#include "core/issued_ids.h"
#include "core/layout.h"

#include <cstddef>
#include <cstdint>

namespace snowflake::pg {

struct SharedGenerator;

// Preloading only: asks for the lease's shared memory and lock.
void request_lease_shared_memory();

// Server start (postmaster, under AddinShmemInitLock): sets up the lease's shared memory and,
// when it is new, resumes the generator after the lease in the file, if there is one.
void start_lease(SharedGenerator& generator, const Layout& layout);

// Makes a lease durable and publishes it, reaching kLeaseSpanMs past demand and at least
// min_end_ms (ms since the layout's epoch), unless the current lease already does and is not
// due for renewal. ERROR when the generator may not issue ids under this layout, or the lease
// cannot be written. now_ms is the clock in ms since the layout's epoch.
void renew_lease(SharedGenerator& generator, const Layout& layout, std::int64_t now_ms,
                 std::int64_t min_end_ms = 0);

// A claim made the lease due: wakes the lease worker, or renews in the caller's path when no
// worker runs.
void request_renewal(SharedGenerator& generator, const Layout& layout, std::int64_t now_ms);

// Preloading only: registers the lease worker.
void register_lease_worker();

// The lease worker's main loop (see above); returns only by process exit.
[[noreturn]] void run_lease_worker();

// WAL replay: a server with this WAL may have issued these ids.
void replay_lease(const IssuedIds& issued);

// The operator accepts that ids under the current layout may repeat or fall below the ids
// issued under the lease's layout: the lease is rewritten under the current one. False when
// there was no such conflict to accept.
bool accept_layout_change(SharedGenerator& generator, const Layout& layout, std::int64_t now_ms);

}  // namespace snowflake::pg
