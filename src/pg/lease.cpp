#include "pg/lease.h"

#include "core/clock.h"
#include "core/generator.h"
#include "pg/errors.h"
#include "pg/lease_file.h"
#include "pg/lease_wal.h"
#include "pg/settings.h"
#include "pg/shared.h"

#include <atomic>
#include <new>
#include <type_traits>

extern "C" {
#include "postgres.h"

#include "access/xlog.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "postmaster/startup.h"
#include "replication/syncrep.h"
#include "replication/walsender.h"
#include "replication/walsender_private.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/wait_event.h"
}

#include "pg/compat.h"

namespace snowflake::pg {
namespace {

// ereport may longjmp out of any function here: only trivially destructible locals allowed.
static_assert(std::is_trivially_destructible_v<IssuedIds>);
static_assert(std::is_trivially_destructible_v<LeaseFileContents>);

constexpr const char* kLeaseShmemName = "snowflake lease";
constexpr const char* kLeaseLockTrancheName = "snowflake lease";
// How often a caller waiting for the lease lock looks again, in case its holder failed with an
// ERROR (which releases the lock without waking anyone).
constexpr long kLockPollMs = 10;
// How often a renewal looks whether the synchronous standbys confirmed its record.
constexpr long kSyncPollMs = 1;
// How long WAL replay waits before it retries a lease file it could not write.
constexpr long kReplayRetryMicros = 1000 * 1000;
constexpr int kReplayRetriesPerWarning = 10;
// The lease worker keeps renewing while an id was issued within this time, and looks this
// often whether one was.
constexpr std::int64_t kInUseForMs = 60 * 1000;
constexpr long kWorkerPollMs = 1000;

// Why the generator refuses ids until an operator acts.
enum class LeaseBlock : std::uint8_t {
  none,
  file_damaged,    // the lease file exists but holds no valid lease
  layout_changed,  // new ids could repeat or fall below ids issued under the lease's layout
};

struct LeaseShared {
  LWLock* lock;
  ConditionVariable lock_released;
  // The fields below change only under lock.
  // The newest lease: ids up to its end may have been issued, under its layout and worker id.
  IssuedIds issued;
  bool issued_known;  // false before any lease (no file, none replayed)
  // Write counter of the newest slot in the lease file; 0 while there is no file.
  std::uint64_t file_generation;
  LeaseBlock block;
  // The verdict on the lease's layout last logged, so that replay logs each change once.
  LayoutChange logged_change;
  // The lease worker's latch while it runs, for callers to wake it; null otherwise.
  std::atomic<Latch*> worker_latch;
  // Set by a caller that wants the worker to renew (or to take over after its own renewal).
  std::atomic<bool> renewal_wanted;
};

LeaseShared* lease = nullptr;

// Waits for the lease lock; a cancel or timeout interrupts the wait.
void acquire_lease_lock() {
  if (LWLockConditionalAcquire(lease->lock, LW_EXCLUSIVE)) return;
  ConditionVariablePrepareToSleep(&lease->lock_released);
  while (!LWLockConditionalAcquire(lease->lock, LW_EXCLUSIVE))
    (void)ConditionVariableTimedSleep(&lease->lock_released, kLockPollMs, PG_WAIT_EXTENSION);
  ConditionVariableCancelSleep();
}

void release_lease_lock() {
  LWLockRelease(lease->lock);
  ConditionVariableBroadcast(&lease->lock_released);
}

// a - b, or the int64 bound it overflows to.
std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
  std::int64_t difference = 0;
  if (__builtin_sub_overflow(a, b, &difference)) return b < 0 ? INT64_MAX : INT64_MIN;
  return difference;
}

// Takes `issued` as the newest lease: the generator resumes after it, unless new ids under
// this server's layout and worker id could repeat its ids; then it issues nothing until an
// operator acts. Only while no claim can run: at start, or during recovery.
void adopt(SharedGenerator& generator, const Layout& layout, const IssuedIds& issued) {
  lease->issued = issued;
  lease->issued_known = true;
  const LayoutChange change =
      worker_id == kWorkerIdUnset ? LayoutChange::none : compare_layouts(issued, layout, worker_id);
  if (change != lease->logged_change) note_layout_change(change, issued, layout, worker_id);
  lease->logged_change = change;
  if (change == LayoutChange::ids_may_repeat) {
    lease->block = LeaseBlock::layout_changed;
    withdraw_lease(generator.state);
    return;
  }
  if (lease->block == LeaseBlock::layout_changed) lease->block = LeaseBlock::none;
  resume_after_lease(generator.state, layout,
                     saturating_sub(issued.lease_end_unix_ms, layout.epoch_unix_ms()));
}

// Server start: the lease in the file, if any.
void load_lease(SharedGenerator& generator, const Layout& layout) {
  const LeaseFileContents file = read_lease_file();
  switch (file.status) {
    case LeaseFileRead::absent:
      return;
    case LeaseFileRead::damaged:
      lease->block = LeaseBlock::file_damaged;
      ereport(WARNING, (errmsg("snowflake lease file \"snowflake.lease\" has no valid lease"),
                        errdetail("snowflake_nextval() will refuse to run.")));
      return;
    case LeaseFileRead::valid:
      break;
  }
  lease->file_generation = file.generation;
  adopt(generator, layout, file.issued);

  // A lease never reaches more than its span past the clock, so a clock further behind it than
  // that stepped back while the server was down.
  const std::int64_t step_back_ms = saturating_sub(
      saturating_sub(file.issued.lease_end_unix_ms, kLeaseSpanMs), realtime_unix_ms());
  if (step_back_ms > 0) {
    generator.stats.record_regression(static_cast<std::uint64_t>(step_back_ms));
    ereport(LOG, (errmsg("snowflake: the system clock is %lld ms behind the last lease",
                         static_cast<long long>(step_back_ms)),
                  errdetail("New ids continue after the last lease, ahead of the clock.")));
  }
}

// Whether this server's commits wait for synchronous standbys; lease renewals then do too.
bool synchronous_standbys_configured() {
  return max_wal_senders > 0 && SyncRepStandbyNames != nullptr && SyncRepStandbyNames[0] != '\0';
}

// Waits until the synchronous standbys have flushed WAL up to `lsn`: then a promoted standby
// knows the lease. Polls the position they confirmed, so that any interrupt (cancel,
// statement_timeout, termination) ends the wait: false then.
bool wait_for_synchronous_standbys(XLogRecPtr lsn) {
  for (;;) {
    LWLockAcquire(SyncRepLock, LW_SHARED);
    const XLogRecPtr confirmed = WalSndCtl->lsn[SYNC_REP_WAIT_FLUSH];
    LWLockRelease(SyncRepLock);
    if (confirmed >= lsn) return true;
    // Interrupts are held off while the lease lock is held: look at them directly.
    if (QueryCancelPending || ProcDiePending) return false;
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kSyncPollMs,
                    PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
  }
}

// Makes `issued` the durable lease, under the lease lock. The file first, then the WAL: a base
// backup that starts after the record then either replays it or copies a file that already
// holds it. The caller waits for the WAL record's flush only when synchronous standbys must
// confirm it: the file already serves this server's restarts, and WAL order alone puts the
// record before every commit that used its ids, for any standby. The WAL writer flushes it
// soon anyway, as it does an asynchronous commit, so that standbys hear of the lease also when
// its ids were only selected. False if the wait for confirmation was interrupted; the lease is
// then not to be published.
bool make_durable(const IssuedIds& issued) {
  if (!write_lease_file(issued, lease->file_generation + 1))
    ereport(ERROR, (errcode_for_file_access(),
                    errmsg("could not write snowflake lease file \"snowflake.lease\": %m")));
  ++lease->file_generation;
  lease->issued = issued;
  lease->issued_known = true;
  const XLogRecPtr lsn = log_lease(issued);
  if (!synchronous_standbys_configured()) {
    XLogSetAsyncXactLSN(lsn);
    return true;
  }
  XLogFlush(lsn);
  return wait_for_synchronous_standbys(lsn);
}

// Refuses ids while the lease is blocked. Called with the lease lock held; releases it.
void report_if_blocked(const Layout& layout) {
  const LeaseBlock block = lease->block;
  if (block == LeaseBlock::none) return;
  const IssuedIds issued = lease->issued;
  release_lease_lock();
  if (block == LeaseBlock::file_damaged) report_lease_file_damaged();
  report_layout_changed(issued, layout, worker_id);
}

// Renews under the lease lock (see renew_lease). Releases the lock when it reports an error.
void renew_locked(SharedGenerator& generator, const Layout& layout, std::int64_t now_ms,
                  std::int64_t min_end_ms) {
  const std::optional<std::int64_t> target_ms =
      lease_renewal_target_ms(generator.state, layout, now_ms, min_end_ms);
  if (!target_ms) return;
  const IssuedIds issued{layout, worker_id, layout.epoch_unix_ms() + *target_ms};
  if (!make_durable(issued)) {
    release_lease_lock();
    CHECK_FOR_INTERRUPTS();
    report_lease_wait_interrupted();
  }
  publish_lease(generator.state, layout, *target_ms);
  generator.stats.lease_renewals.fetch_add(1, std::memory_order_relaxed);
}

// Asks the lease worker to renew; false if none runs.
bool wake_lease_worker() {
  Latch* worker = lease->worker_latch.load(std::memory_order_acquire);
  if (worker == nullptr || worker == MyLatch) return false;
  lease->renewal_wanted.store(true, std::memory_order_release);
  SetLatch(worker);
  return true;
}

}  // namespace

void request_lease_shared_memory() {
  RequestAddinShmemSpace(sizeof(LeaseShared));
  RequestNamedLWLockTranche(kLeaseLockTrancheName, 1);
}

void start_lease(SharedGenerator& generator, const Layout& layout) {
  bool found = false;
  lease = static_cast<LeaseShared*>(ShmemInitStruct(kLeaseShmemName, sizeof(LeaseShared), &found));
  if (found) return;
  new (lease) LeaseShared{&GetNamedLWLockTranche(kLeaseLockTrancheName)->lock,
                          {},
                          IssuedIds{layout, worker_id, 0},
                          false,
                          0,
                          LeaseBlock::none,
                          LayoutChange::none,
                          {nullptr},
                          {false}};
  ConditionVariableInit(&lease->lock_released);
  load_lease(generator, layout);
}

void renew_lease(SharedGenerator& generator, const Layout& layout, std::int64_t now_ms,
                 std::int64_t min_end_ms) {
  acquire_lease_lock();
  report_if_blocked(layout);
  renew_locked(generator, layout, now_ms, min_end_ms);
  release_lease_lock();
  // A worker asleep since the server went idle takes over from here.
  (void)wake_lease_worker();
}

void request_renewal(SharedGenerator& generator, const Layout& layout, std::int64_t now_ms) {
  if (!wake_lease_worker()) renew_lease(generator, layout, now_ms);
}

namespace {

// The lease worker leaves: callers renew for themselves again.
void forget_lease_worker(int /*code*/, Datum /*arg*/) {
  lease->worker_latch.store(nullptr, std::memory_order_release);
}

// What blocks the generator is an operator's business: the worker leaves it alone.
bool lease_blocked() {
  LWLockAcquire(lease->lock, LW_SHARED);
  const bool blocked = lease->block != LeaseBlock::none;
  LWLockRelease(lease->lock);
  return blocked;
}

}  // namespace

void run_lease_worker() {
  SharedGenerator& generator = *shared_generator();
  const Layout& layout = generator_layout();
  before_shmem_exit(forget_lease_worker, 0);
  lease->worker_latch.store(MyLatch, std::memory_order_release);
  // The last tick seen, and when (monotonic) the generator was last seen in use: the last tick
  // changed, or a caller asked for a renewal. Idle at first: a server that issues no id writes
  // nothing.
  std::uint64_t seen_last_tick = generator.state.last_tick.load(std::memory_order_relaxed);
  std::int64_t last_use_ms = monotonic_micros() / 1000 - kInUseForMs;
  for (;;) {
    CHECK_FOR_INTERRUPTS();
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      ProcessConfigFile(PGC_SIGHUP);
    }
    const std::int64_t now_monotonic_ms = monotonic_micros() / 1000;
    const std::uint64_t last_tick = generator.state.last_tick.load(std::memory_order_relaxed);
    const bool asked = lease->renewal_wanted.exchange(false, std::memory_order_acq_rel);
    if (asked || last_tick != seen_last_tick) {
      seen_last_tick = last_tick;
      last_use_ms = now_monotonic_ms;
    }
    const bool in_use = now_monotonic_ms - last_use_ms < kInUseForMs;
    if (in_use && worker_id != kWorkerIdUnset && !lease_blocked())
      renew_lease(generator, layout, realtime_unix_ms() - layout.epoch_unix_ms());
    // In use, look again soon; idle, sleep until a caller wakes the worker.
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | (in_use ? WL_TIMEOUT : 0),
                    kWorkerPollMs, PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
  }
}

void replay_lease(const IssuedIds& issued) {
  SharedGenerator& generator = *shared_generator();
  const Layout& layout = generator_layout();
  LWLockAcquire(lease->lock, LW_EXCLUSIVE);
  // A damaged file stays as it is for the operator to see; the generator is blocked anyway.
  const bool newer =
      !lease->issued_known || issued.lease_end_unix_ms > lease->issued.lease_end_unix_ms;
  if (newer && lease->block != LeaseBlock::file_damaged) {
    // Replay must not go past a lease this server could forget at its next restart, nor stop
    // the server: it waits, and the standby keeps serving queries meanwhile.
    for (int attempt = 0; !write_lease_file(issued, lease->file_generation + 1); ++attempt) {
      if (attempt % kReplayRetriesPerWarning == 0) report_lease_replay_write_failed();
      pg_usleep(kReplayRetryMicros);
      HandleStartupProcInterrupts();
    }
    ++lease->file_generation;
  }
  if (newer) adopt(generator, layout, issued);
  LWLockRelease(lease->lock);
}

bool accept_layout_change(SharedGenerator& generator, const Layout& layout, std::int64_t now_ms) {
  acquire_lease_lock();
  if (lease->block != LeaseBlock::layout_changed) {
    release_lease_lock();
    return false;
  }
  const IssuedIds issued = lease->issued;
  lease->block = LeaseBlock::none;
  lease->logged_change = LayoutChange::none;
  resume_after_lease(generator.state, layout,
                     saturating_sub(issued.lease_end_unix_ms, layout.epoch_unix_ms()));
  renew_locked(generator, layout, now_ms, 0);
  release_lease_lock();
  note_layout_change_accepted(issued, layout, worker_id);
  return true;
}

}  // namespace snowflake::pg
