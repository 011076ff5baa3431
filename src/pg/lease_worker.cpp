// The lease worker's registration, main loop and schedule, in one place (as autoprewarm keeps
// its own).
#include "pg/lease_worker.h"

#include "core/clock.h"
#include "core/lease_policy.h"
#include "pg/background_worker.h"
#include "pg/lease.h"
#include "pg/settings.h"
#include "pg/shared.h"

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/wait_event.h"

PGDLLEXPORT void snowflake_lease_worker_main(Datum argument);
}

namespace snowflake::pg {
namespace {

// The worker leaves: callers renew for themselves again.
void forget_lease_worker(int /*code*/, Datum /*arg*/) { set_lease_worker_latch(nullptr); }

// The loop: every kLeaseWorkerPollMs, or sooner when a caller wakes it, renew a due lease
// while the generator is in use (an id issued, or a renewal asked for, within kLeaseInUseMs),
// and look after the lease's durable copies. Returns only by process exit.
[[noreturn]] void run_lease_worker() {
  const SharedGenerator& generator = *shared_generator();
  const Layout& layout = generator_layout();
  before_shmem_exit(forget_lease_worker, 0);
  set_lease_worker_latch(MyLatch);
  // The last tick seen, and when (monotonic) the generator was last seen in use. Idle at
  // first: a server that issues no id renews nothing.
  std::uint64_t seen_last_tick = generator.state.last_tick.load(std::memory_order_relaxed);
  std::int64_t last_use_ms = monotonic_micros() / 1000 - kLeaseInUseMs;
  bool file_trouble_reported = false;
  for (;;) {
    CHECK_FOR_INTERRUPTS();
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      ProcessConfigFile(PGC_SIGHUP);
    }
    const std::int64_t now_monotonic_ms = monotonic_micros() / 1000;
    const std::uint64_t last_tick = generator.state.last_tick.load(std::memory_order_relaxed);
    if (take_renewal_request() || last_tick != seen_last_tick) {
      seen_last_tick = last_tick;
      last_use_ms = now_monotonic_ms;
    }
    // The generator's worker id, not the setting: one claimed from the registry counts too.
    if (now_monotonic_ms - last_use_ms < kLeaseInUseMs &&
        generator.state.worker_id.load(std::memory_order_acquire) != kNoWorkerId)
      renew_as_worker(layout, realtime_unix_ms() - layout.epoch_unix_ms());
    // A lease file that cannot be put back is reported once, until it can be.
    file_trouble_reported = !look_after_lease(!file_trouble_reported);
    // A shutdown (or pg_terminate_backend) ends the worker here, after a last look at the
    // file, so that one removed just before a clean shutdown is back before the server stops.
    // Exit code 1 has the postmaster start the worker again while the server runs.
    if (ShutdownRequestPending) proc_exit(1);
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kLeaseWorkerPollMs,
                    PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
  }
}

}  // namespace

void register_lease_worker() {
  // After an error (a full disk, say) it comes back in a while; callers renew meanwhile.
  register_background_worker("snowflake lease worker", "snowflake_lease_worker_main", 10);
}

}  // namespace snowflake::pg

// Entry point of the lease worker process. SIGTERM asks it to stop at its next turn (see the
// loop) rather than at once, so that it takes its last look at the lease file.
void snowflake_lease_worker_main(Datum /*argument*/) {
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
  BackgroundWorkerUnblockSignals();
  BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
  snowflake::pg::run_lease_worker();
}
