// snowflake_nextval(): the hot path. A call reads the clock once, compare-and-swaps the
// shared state once (more only under contention) and returns. It takes no lock, writes no
// other shared memory and allocates nothing. The rare exceptions are each a branch below:
// renewing the lease, waiting for the clock or for the renewal of the worker id's claim,
// counting a clock step or a borrowed millisecond, and refusing. A call also loads the worker id
// (from the cache line it claims from) and the fence of its claim on the registry (never reached
// without a registry): two reads, no writes. Nothing is cached or batched per backend: the
// profile (test/bench/README.md) says it would save little, and it would cost correctness.
#include "pg/nextval.h"

#include "core/clock.h"
#include "core/generator.h"
#include "pg/lease.h"
#include "pg/registry.h"
#include "pg/settings.h"
#include "pg/shared.h"
#include "pg/timestamps.h"

#include <type_traits>

extern "C" {
#include "postgres.h"

#include "access/xlog.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "storage/s_lock.h"
#include "utils/wait_event.h"

PG_FUNCTION_INFO_V1(snowflake_nextval);
}

namespace snowflake::pg {
namespace {

// ereport may longjmp out of any function here: only trivially destructible locals allowed.
static_assert(std::is_trivially_destructible_v<Claim>);
static_assert(std::is_trivially_destructible_v<Layout>);

// A standby cannot generate.
[[noreturn]] void report_in_recovery(const char* function) {
  ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                  errmsg("cannot execute %s() during recovery", function),
                  errdetail("A standby would issue ids that collide with its primary's."),
                  errhint("Generate ids on the primary.")));
  pg_unreachable();
}

// Ids ahead of the clock used up the layout's last millisecond.
[[noreturn]] void report_range_exhausted(const Layout& layout) {
  ereport(ERROR,
          (errcode(ERRCODE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED), errmsg("snowflake ids have run out"),
           errdetail("With %d timestamp bits, the last millisecond an id can hold started at %s.",
                     layout.timestamp_bits(), layout_ms_text(layout, layout.max_ms())),
           errhint("A layout with fewer worker or sequence bits lasts longer.")));
  pg_unreachable();
}

// Ids are further ahead of the clock than max_lead_ms, and the clock would not catch up within
// wait_timeout_ms: ahead_ms is how far the last id issued is ahead.
[[noreturn]] void report_ids_ahead_of_clock(std::int64_t ahead_ms, std::int64_t needed_ms,
                                            std::int64_t waited_ms, std::int64_t max_lead_ms,
                                            int wait_timeout_ms) {
  ereport(ERROR,
          (errcode(ERRCODE_SYSTEM_ERROR),
           errmsg("snowflake ids are %lld ms ahead of the system clock",
                  static_cast<long long>(ahead_ms)),
           errdetail("Ids may run at most snowflake.max_clock_lead = %lld ms ahead of the clock; "
                     "the clock must advance %lld ms more, and %lld ms were spent waiting "
                     "within snowflake.clock_wait_timeout = %d ms.",
                     static_cast<long long>(max_lead_ms), static_cast<long long>(needed_ms),
                     static_cast<long long>(waited_ms), wait_timeout_ms),
           errhint("Ids run ahead of the clock after snowflake_advance_past(), after a restart "
                   "that found the last lease ahead of it, and when the clock steps back: check "
                   "the clock and its time synchronization. Raising snowflake.max_clock_lead "
                   "lets ids run further ahead.")));
  pg_unreachable();
}

// The clock reads before the layout's epoch.
[[noreturn]] void report_clock_before_epoch(const Layout& layout, std::int64_t now_unix_ms) {
  ereport(ERROR,
          (errcode(ERRCODE_SYSTEM_ERROR), errmsg("the system clock is before the snowflake epoch"),
           errdetail("The clock reads %s; ids count milliseconds from %s.",
                     unix_ms_text(now_unix_ms), layout_ms_text(layout, 0)),
           errhint("Set the system clock; ids are issued as soon as it is past the "
                   "epoch. If the epoch is wrong, fix snowflake.epoch.")));
  pg_unreachable();
}

// The clock reads past the layout's last millisecond.
[[noreturn]] void report_clock_past_range(const Layout& layout, std::int64_t now_unix_ms,
                                          std::int64_t last_issued_ms) {
  ereport(ERROR, (errcode(ERRCODE_SYSTEM_ERROR),
                  errmsg("the system clock is past the last millisecond snowflake ids can hold"),
                  errdetail("The clock reads %s; with %d timestamp bits ids end at %s. The last id "
                            "issued was made at %s.",
                            unix_ms_text(now_unix_ms), layout.timestamp_bits(),
                            layout_ms_text(layout, layout.max_ms()),
                            layout_ms_text(layout, last_issued_ms)),
                  errhint("If the clock is wrong, correct it: ids resume by themselves.")));
  pg_unreachable();
}

constexpr std::int64_t kLogIntervalMs = 10 * 1000;

// Each backend notices its own clock readings going backwards; no shared write per call.
ClockWatch clock_watch;

// A wait for the clock in progress, on the monotonic clock: when it began (0: not waiting), and
// up to when its time has been added to the statistics.
struct ClockWait {
  std::int64_t started_micros = 0;
  std::int64_t counted_until_micros = 0;
};

// Counts and logs (rate-limited) a step back of the clock between this backend's readings.
void note_clock_step_back(SharedGenerator& shared, std::int64_t now_unix_ms) {
  const std::int64_t step_back_ms = clock_watch.step_back_ms(now_unix_ms);
  if (step_back_ms == 0) return;
  shared.stats.record_regression(static_cast<std::uint64_t>(step_back_ms));
  if (take_log_turn(shared.stats.last_regression_log_ms, now_unix_ms, kLogIntervalMs))
    ereport(LOG, (errmsg("snowflake_nextval() saw the system clock step back %lld ms",
                         static_cast<long long>(step_back_ms)),
                  errdetail("Ids continue from the last one issued, ahead of the clock.")));
}

// Adds the wait's time since it was last counted, so a cancel loses at most one slice of it.
void count_wait_time(SharedGenerator& shared, ClockWait& wait, std::int64_t now_micros) {
  shared.stats.record_wait_time(static_cast<std::uint64_t>(now_micros - wait.counted_until_micros));
  wait.counted_until_micros = now_micros;
}

// The next free tick is more than snowflake.max_clock_lead ahead of the clock: wait until the
// clock catches up, or fail now if it cannot within snowflake.clock_wait_timeout. The timeout
// runs on the monotonic clock, so it holds even when the wall clock is frozen. The last
// millisecond of a wait spins on the clock instead of sleeping, so that demand above the
// layout's cap still gets the cap.
void wait_for_clock(SharedGenerator& shared, const Layout& layout, const Claim& claim,
                    std::int64_t now_ms, ClockWait& wait) {
  const std::int64_t now_micros = monotonic_micros();
  const bool waiting = wait.started_micros != 0;
  if (waiting) count_wait_time(shared, wait, now_micros);
  const std::int64_t waited_ms = waiting ? (now_micros - wait.started_micros) / 1000 : 0;
  const std::int64_t needed_ms = claim.first_ms - now_ms - max_clock_lead_ms;
  if (clock_wait_timeout_ms > 0 && waited_ms + needed_ms > clock_wait_timeout_ms) {
    const std::int64_t last_issued_ms = layout.ms_of_tick(claim.first_tick - 1);
    report_ids_ahead_of_clock(last_issued_ms - now_ms, needed_ms, waited_ms, max_clock_lead_ms,
                              clock_wait_timeout_ms);
  }
  if (!waiting) {
    wait.started_micros = wait.counted_until_micros = now_micros;
    shared.stats.record_wait_start();
  }
  CHECK_FOR_INTERRUPTS();
  if (needed_ms > 1) {
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, needed_ms - 1,
                    PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
  } else {
    SPIN_DELAY();
  }
}

// A wait ended with ids: count its last slice and log it (rate-limited).
void finish_wait(SharedGenerator& shared, ClockWait& wait, std::int64_t now_unix_ms,
                 std::int64_t lead_ms) {
  count_wait_time(shared, wait, monotonic_micros());
  const std::int64_t waited_micros = wait.counted_until_micros - wait.started_micros;
  if (take_log_turn(shared.stats.last_wait_log_ms, now_unix_ms, kLogIntervalMs))
    ereport(LOG, (errmsg("snowflake_nextval() waited %lld us for the system clock",
                         static_cast<long long>(waited_micros)),
                  errdetail("Ids were %lld ms ahead of the clock, the most "
                            "snowflake.max_clock_lead allows.",
                            static_cast<long long>(lead_ms))));
}

}  // namespace

SharedGenerator& ready_generator(const char* function) {
  SharedGenerator& shared = preloaded_generator();
  if (RecoveryInProgress()) report_in_recovery(function);
  return shared;
}

std::int64_t registry_wait_deadline_micros() {
  return clock_wait_timeout_ms > 0 ? monotonic_micros() + clock_wait_timeout_ms * INT64CONST(1000)
                                   : 0;
}

std::int32_t ready_worker_id(const SharedGenerator& shared) {
  const std::int32_t current = shared.state.worker_id.load(std::memory_order_acquire);
  return current != kNoWorkerId ? current
                                : await_worker_id(shared, registry_wait_deadline_micros());
}

IdRun next_id_run(std::uint32_t wanted) {
  SharedGenerator& shared = ready_generator("snowflake_nextval");
  const Layout& layout = generator_layout();
  ClockWait wait;
  for (;;) {
    // Read again after every wait: the claim may have been lost and another worker id claimed.
    const std::int32_t worker = ready_worker_id(shared);
    const std::int64_t now_unix_ms = realtime_unix_ms();
    note_clock_step_back(shared, now_unix_ms);
    // A claim on the worker id that was not renewed in time: no id until it is.
    if (claim_fenced(now_unix_ms)) {
      await_claim_renewal(registry_wait_deadline_micros());
      continue;
    }
    const std::int64_t now_ms = now_unix_ms - layout.epoch_unix_ms();
    const Claim claim = claim_ticks(shared.state, layout, now_ms, max_clock_lead_ms, wanted);
    switch (claim.status) {
      case ClaimStatus::issued:
        if (claim.borrowed_ms) shared.stats.borrowed_ms.fetch_add(1, std::memory_order_relaxed);
        if (wait.started_micros != 0)
          finish_wait(shared, wait, now_unix_ms, claim.first_ms - now_ms);
        if (claim.renew_lease && !request_renewal(layout, now_ms)) ask_for_claim_renewal();
        return IdRun{layout.id_of_tick(claim.first_tick, worker), claim.count};
      case ClaimStatus::lease_needed:
        // The claim on the worker id may have to be renewed first, and may then be another.
        if (!renew_lease(layout, now_ms)) await_claim_renewal(registry_wait_deadline_micros());
        break;
      case ClaimStatus::clock_behind:
        wait_for_clock(shared, layout, claim, now_ms, wait);
        break;
      case ClaimStatus::clock_before_epoch:
        report_clock_before_epoch(layout, now_unix_ms);
      case ClaimStatus::clock_past_range:
        report_clock_past_range(
            layout, now_unix_ms,
            layout.ms_of_tick(shared.state.last_tick.load(std::memory_order_relaxed)));
      case ClaimStatus::range_exhausted:
        report_range_exhausted(layout);
    }
  }
}

}  // namespace snowflake::pg

// The next id of this server.
Datum snowflake_nextval(PG_FUNCTION_ARGS) {
  return Int64GetDatum(snowflake::pg::next_id_run(1).first_id);
}
