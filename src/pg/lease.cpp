#include "pg/lease.h"

#include "core/clock.h"
#include "core/generator.h"
#include "core/issued_ids.h"
#include "core/lease_payload.h"
#include "core/lease_policy.h"
#include "pg/lease_file.h"
#include "pg/lease_wal.h"
#include "pg/settings.h"
#include "pg/timestamps.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <new>
#include <optional>
#include <type_traits>

extern "C" {
#include "postgres.h"

#include "access/xlog.h"
#include "access/xlog_internal.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "postmaster/startup.h"
#include "replication/syncrep.h"
#include "replication/walsender.h"
#include "replication/walsender_private.h"
#include "storage/condition_variable.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "utils/wait_event.h"
}

#include "pg/compat.h"

namespace snowflake::pg {
namespace {

// ereport may longjmp out of any function here: only trivially destructible locals allowed.
static_assert(std::is_trivially_destructible_v<DurableLease>);
static_assert(std::is_trivially_destructible_v<LeaseFileContents>);
static_assert(std::is_trivially_destructible_v<std::optional<DurableLease>>);
static_assert(std::is_trivially_destructible_v<std::optional<LeasePayload>>);

constexpr const char* kLeaseLockTrancheName = "snowflake lease";
// How often a caller waiting for the lease lock looks again, in case its holder failed with an
// ERROR (which releases the lock without waking anyone).
constexpr long kLockPollMs = 10;
// How often a renewal looks whether the synchronous standbys confirmed its record.
constexpr long kSyncPollMs = 1;
// How long WAL replay waits before it retries a lease file it could not write.
constexpr long kReplayRetryMicros = 1000 * 1000;
constexpr int kReplayRetriesPerWarning = 10;

// Why the generator refuses ids until an operator acts.
enum class LeaseBlock : std::uint8_t {
  none,
  file_damaged,    // the lease file exists but holds no valid lease
  layout_changed,  // new ids could repeat or fall below ids issued under the lease's layout
};

// How a renewal ended.
enum class RenewalStatus : std::uint8_t {
  renewed,           // a longer lease is durable and published
  not_due,           // the lease already reaches far enough
  blocked,           // an operator must act first (LeaseBlock)
  capped,            // due, but the worker id's claim keeps it short (limit_lease) or was lost
  file_not_written,  // the lease file could not be written
  unconfirmed,       // the wait for synchronous standbys was interrupted
};
struct Renewal {
  RenewalStatus status;
  int saved_errno;  // file_not_written: why, for the message
};

// The lease's part of the shared block.
struct LeaseShared {
  LWLock* lock = nullptr;
  ConditionVariable lock_released{};
  // The fields below change only under lock.
  // The newest lease: ids up to its end may have been issued, under its layout and worker id.
  DurableLease newest{IssuedIds{Layout::twitter(), kWorkerIdUnset, 0}, 0};
  bool newest_known = false;  // false before any lease (no file, none replayed)
  // Write counter of the newest slot in the lease file; 0 while this server wrote none.
  std::uint64_t file_generation = 0;
  // The end of the last lease record this server logged; 0 before the first.
  XLogRecPtr last_record_end = 0;
  // What a claimed worker id allows (limit_lease): no lease reaches past it.
  std::int64_t cap_unix_ms = INT64_MAX;
  LeaseBlock block = LeaseBlock::none;
  // The verdict on the lease's layout last logged, so that replay logs each change once.
  LayoutChange logged_change = LayoutChange::none;
  // The lease worker's latch while it runs, for callers to wake it; null otherwise.
  std::atomic<Latch*> worker_latch{nullptr};
  // Set by a caller that wants the worker to renew (or to take over after its own renewal).
  std::atomic<bool> renewal_wanted{false};
};

LeaseShared* lease = nullptr;
SharedGenerator* generator = nullptr;

// The worker id the generator makes ids with now, or kNoWorkerId.
std::int32_t current_worker_id() {
  return generator->state.worker_id.load(std::memory_order_acquire);
}

// A layout's epoch and widths, for messages that compare two.
const char* layout_text(const Layout& layout) {
  return psprintf("epoch %s, %d worker bits, %d sequence bits", layout_ms_text(layout, 0),
                  layout.worker_bits(), layout.sequence_bits());
}

// The lease's layout or worker id could make new ids repeat its ids: the generator is blocked.
void report_layout_changed(const IssuedIds& issued, const Layout& layout, int elevel) {
  ereport(elevel,
          (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
           errmsg("snowflake layout changed since this server last issued ids"),
           errdetail("Ids up to %s were issued with %s and worker id %d; the server now runs "
                     "with %s and worker id %d, under which a new id could repeat or fall "
                     "below an old one.",
                     unix_ms_text(issued.lease_end_unix_ms), layout_text(issued.layout),
                     issued.worker_id, layout_text(layout), current_worker_id()),
           errhint("Restore the previous snowflake settings and restart the server. If no new "
                   "id can ever meet an old one, a superuser can accept the change with SELECT "
                   "snowflake_accept_layout_change().")));
}

// At start and at replay: a LOG line when new ids stay above the lease's, else a WARNING.
void note_layout_change(LayoutChange change, const IssuedIds& issued, const Layout& layout,
                        std::int32_t new_worker_id) {
  if (change == LayoutChange::none) return;
  const bool may_sort_below = change == LayoutChange::ids_may_sort_below;
  ereport(change == LayoutChange::ids_stay_above ? LOG : WARNING,
          (errmsg("snowflake ids up to %s were issued with %s and worker id %d; the server now "
                  "runs with %s and worker id %d",
                  unix_ms_text(issued.lease_end_unix_ms), layout_text(issued.layout),
                  issued.worker_id, layout_text(layout), new_worker_id),
           change == LayoutChange::ids_may_repeat
               ? errdetail("snowflake_nextval() refuses to run: a new id could repeat an old one.")
           : may_sort_below
               ? errdetail("New ids cannot repeat old ones (the worker ids differ), but may "
                           "sort below them.")
               : errdetail("Every new id is above every id issued before.")));
}

// The lease file exists but holds no valid lease: the generator is blocked.
void report_lease_file_damaged(int elevel) {
  ereport(elevel,
          (errcode(ERRCODE_DATA_CORRUPTED),
           errmsg("snowflake lease file \"%s\" holds no valid lease", kLeaseFileName),
           errdetail("It records how far this server may have issued ids; without it a new id "
                     "could repeat an old one."),
           errhint("Restore the file from a backup of this data directory and restart the "
                   "server. Or remove it, restart, and before the first new id run SELECT "
                   "snowflake_advance_past(id) with the largest id this server issued.")));
}

// errno says why; during replay, which waits and retries, the detail says so.
void report_lease_write_failed(int elevel, bool replaying) {
  ereport(elevel,
          (errcode_for_file_access(),
           errmsg("could not write snowflake lease file \"%s\": %m", kLeaseFileName),
           replaying ? errdetail("WAL replay waits until the lease it replays is durable in the "
                                 "file, and retries every second; the server keeps serving "
                                 "queries.")
                     : 0,
           replaying ? errhint("Make the data directory writable, or free disk space.") : 0));
}

// A wait for synchronous standbys to confirm a lease ended by an interrupt.
void report_lease_wait_interrupted(int elevel) {
  ereport(elevel, (errcode(ERRCODE_QUERY_CANCELED),
                   errmsg("canceling the wait for synchronous standbys to confirm the snowflake "
                          "lease"),
                   errdetail("No id was issued under the unconfirmed lease.")));
}

// Waits for the lease lock; a cancel or timeout interrupts the wait.
void acquire_lease_lock() {
  if (LWLockConditionalAcquire(lease->lock, LW_EXCLUSIVE)) return;
  ConditionVariablePrepareToSleep(&lease->lock_released);
  while (!LWLockConditionalAcquire(lease->lock, LW_EXCLUSIVE))
    (void)ConditionVariableTimedSleep(&lease->lock_released, kLockPollMs, PG_WAIT_EXTENSION);
  ConditionVariableCancelSleep();
}

// Lets the next of the callers polling in acquire_lease_lock take the lease lock.
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

// Takes `newest` as the newest lease: the generator resumes after it, unless new ids under
// this server's layout and worker id could repeat its ids; then it issues nothing until an
// operator acts. Only while no claim can run: at start, or during recovery.
void adopt(const Layout& layout, const DurableLease& newest) {
  lease->newest = newest;
  lease->newest_known = true;
  const IssuedIds& issued = newest.issued;
  // Without a worker id yet (one to be claimed from the registry), the layout alone decides:
  // any worker id resumes past the lease in the same layout.
  const std::int32_t compared_worker_id =
      current_worker_id() == kNoWorkerId ? issued.worker_id : current_worker_id();
  const LayoutChange change = compare_layouts(issued, layout, compared_worker_id);
  if (change != lease->logged_change)
    note_layout_change(change, issued, layout, compared_worker_id);
  lease->logged_change = change;
  if (change == LayoutChange::ids_may_repeat) {
    // A damaged file stays the reason: accepting the layout change must not clear it.
    if (lease->block != LeaseBlock::file_damaged) lease->block = LeaseBlock::layout_changed;
    withdraw_lease(generator->state);
    return;
  }
  if (lease->block == LeaseBlock::layout_changed) lease->block = LeaseBlock::none;
  resume_after_lease(generator->state, layout,
                     saturating_sub(issued.lease_end_unix_ms, layout.epoch_unix_ms()));
}

// Says where ids resume after a restart, when that is ahead of the clock: because the clock
// was set back while the server was down (behind the time the lease was written), or because
// ids had run ahead of it before (a lease reaches at most kLeaseSpanMs past demand).
void note_resuming_ahead(const DurableLease& newest, std::int64_t now_unix_ms) {
  const std::int64_t set_back_ms = saturating_sub(newest.written_unix_ms, now_unix_ms);
  if (newest.written_unix_ms != 0 && set_back_ms > 0) {
    generator->stats.record_regression(static_cast<std::uint64_t>(set_back_ms));
    ereport(LOG, (errmsg("the system clock is %lld ms behind the time the last snowflake lease "
                         "was written",
                         static_cast<long long>(set_back_ms)),
                  errdetail("It was set back while the server was down. New ids continue "
                            "after the last lease, ahead of the clock.")));
    return;
  }
  const std::int64_t lease_end_unix_ms = newest.issued.lease_end_unix_ms;
  if (saturating_sub(lease_end_unix_ms, kLeaseSpanMs) <= now_unix_ms) return;
  ereport(LOG,
          (errmsg("snowflake ids resume after the last lease, %lld ms ahead of the system clock",
                  static_cast<long long>(saturating_sub(lease_end_unix_ms, now_unix_ms))),
           newest.written_unix_ms != 0
               ? errdetail("Before the restart ids ran ahead of the clock: a burst of ids, or "
                           "snowflake_advance_past().")
               : errdetail("Before the restart ids ran ahead of the clock (a burst of ids, or "
                           "snowflake_advance_past()), or the clock was set back while the "
                           "server was down.")));
}

// Server start: the lease in the file, if any.
void load_lease(const Layout& layout) {
  remove_unfinished_lease_file();
  const LeaseFileContents file = read_lease_file();
  switch (file.status) {
    case LeaseFileRead::absent:
      return;
    case LeaseFileRead::damaged:
      lease->block = LeaseBlock::file_damaged;
      report_lease_file_damaged(WARNING);
      return;
    case LeaseFileRead::valid:
      break;
  }
  lease->file_generation = file.generation;
  adopt(layout, file.lease);
  note_resuming_ahead(file.lease, realtime_unix_ms());
}

// Whether renewals must wait for synchronous standbys: as for commits, what the checkpointer
// last read from synchronous_standby_names, so that a reload that empties it releases every
// waiter as PostgreSQL's own SyncRepWaitForLSN does; before the checkpointer has read it, this
// process's own setting.
bool synchronous_standbys_wanted() {
  if (max_wal_senders == 0) return false;
  LWLockAcquire(SyncRepLock, LW_SHARED);
  const bool known = SyncStandbysKnown(WalSndCtl);
  const bool defined = SyncStandbysDefinedShared(WalSndCtl);
  LWLockRelease(SyncRepLock);
  if (known) return defined;
  return SyncRepStandbyNames != nullptr && SyncRepStandbyNames[0] != '\0';
}

// Waits until the synchronous standbys have flushed WAL up to `lsn`, or are no longer wanted:
// then a promoted standby knows the lease, or the operator gave that up. Polls, so that any
// interrupt (cancel, statement_timeout, termination) ends the wait: false then.
bool wait_for_synchronous_standbys(XLogRecPtr lsn) {
  for (;;) {
    LWLockAcquire(SyncRepLock, LW_SHARED);
    const XLogRecPtr confirmed = WalSndCtl->lsn[SYNC_REP_WAIT_FLUSH];
    LWLockRelease(SyncRepLock);
    if (confirmed >= lsn || !synchronous_standbys_wanted()) return true;
    // Interrupts are held off while the lease lock is held: look at them directly.
    if (QueryCancelPending || ProcDiePending || ShutdownRequestPending) return false;
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kSyncPollMs,
                    PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
  }
}

// Whether two leases record the same facts, field by field.
bool same_lease(const DurableLease& a, const DurableLease& b) {
  return a.issued.lease_end_unix_ms == b.issued.lease_end_unix_ms &&
         a.issued.worker_id == b.issued.worker_id && a.issued.layout == b.issued.layout &&
         a.written_unix_ms == b.written_unix_ms;
}

// Whether the lease file is as this server last wrote it: absent before the first lease, then
// holding the newest lease under its last generation. Under the lease lock.
bool lease_file_as_written() {
  const LeaseFileContents file = read_lease_file();
  if (lease->file_generation == 0) return file.status == LeaseFileRead::absent;
  return file.status == LeaseFileRead::valid && file.generation == lease->file_generation &&
         same_lease(file.lease, lease->newest);
}

// Writes `newest` as the next generation of the lease file, under the lease lock: into a slot
// of the file as this server left it, or, when someone removed, truncated or replaced it since,
// into a whole new file, saying so. False, with errno set, if that failed.
bool store_lease(const DurableLease& newest) {
  const LeasePayload payload = payload_of(newest.issued, newest.written_unix_ms);
  const std::uint64_t generation = lease->file_generation + 1;
  bool stored = false;
  if (lease_file_as_written()) {
    stored = lease->file_generation == 0 ? create_lease_file(payload, generation)
                                         : update_lease_file(payload, generation);
  } else {
    ereport(WARNING,
            (errmsg("snowflake lease file \"%s\" was removed or changed while the server ran",
                    kLeaseFileName),
             errdetail("It is written anew from the lease this server holds, so that a restart "
                       "resumes past every id issued.")));
    stored = create_lease_file(payload, generation);
  }
  if (stored) lease->file_generation = generation;
  return stored;
}

// WAL-logs the newest lease, under the lease lock, and has the WAL writer flush it soon, as it
// does an asynchronous commit. Returns the end of the record.
XLogRecPtr log_newest_lease() {
  lease->last_record_end =
      log_lease(payload_of(lease->newest.issued, lease->newest.written_unix_ms));
  XLogSetAsyncXactLSN(lease->last_record_end);
  return lease->last_record_end;
}

// Makes `newest` the durable lease, under the lease lock. The file first, then the WAL: a base
// backup that starts after the record then either replays it or copies a file that already
// holds it. The caller waits for the WAL record's flush only when synchronous standbys must
// confirm it: the file already serves this server's restarts, and WAL order alone puts the
// record before every commit that used its ids, for any standby. The WAL writer flushes it
// soon anyway, so that standbys hear of the lease also when its ids were only selected.
Renewal make_durable(const DurableLease& newest) {
  if (!store_lease(newest)) return Renewal{RenewalStatus::file_not_written, errno};
  lease->newest = newest;
  lease->newest_known = true;
  const XLogRecPtr lsn = log_newest_lease();
  if (!synchronous_standbys_wanted()) return Renewal{RenewalStatus::renewed, 0};
  XLogFlush(lsn);
  if (!wait_for_synchronous_standbys(lsn)) return Renewal{RenewalStatus::unconfirmed, 0};
  return Renewal{RenewalStatus::renewed, 0};
}

// How far (ms since the layout's epoch) a claimed worker id lets the lease reach: the bound the
// registry recorded. (Its fence limits when ids are issued, not how far ahead of the clock they
// run: registry.h, claim_fenced.)
std::int64_t claim_limit_ms(const Layout& layout) {
  return saturating_sub(lease->cap_unix_ms, layout.epoch_unix_ms());
}

// Renews under the lease lock (see renew_lease); the lease is published only once durable.
Renewal renew_locked(const Layout& layout, std::int64_t now_ms, std::int64_t min_end_ms) {
  if (lease->block != LeaseBlock::none) return Renewal{RenewalStatus::blocked, 0};
  const std::int32_t renewing_worker_id = current_worker_id();
  std::optional<std::int64_t> target_ms =
      lease_renewal_target_ms(generator->state, layout, now_ms, min_end_ms);
  if (!target_ms) return Renewal{RenewalStatus::not_due, 0};
  // A claim lost meanwhile allows no lease at all, and a lease the claim keeps short of what the
  // caller needs is of no use to it.
  if (renewing_worker_id == kNoWorkerId) return Renewal{RenewalStatus::capped, 0};
  const std::int64_t limit_ms = claim_limit_ms(layout);
  if (limit_ms < min_end_ms) return Renewal{RenewalStatus::capped, 0};
  target_ms = std::min(*target_ms, limit_ms);
  if (*target_ms <= layout.ms_of_tick(generator->state.lease_end_tick.load()))
    return Renewal{RenewalStatus::capped, 0};
  const IssuedIds issued{layout, renewing_worker_id, layout.epoch_unix_ms() + *target_ms};
  const Renewal renewal = make_durable(DurableLease{issued, realtime_unix_ms()});
  if (renewal.status != RenewalStatus::renewed) return renewal;
  publish_lease(generator->state, layout, *target_ms);
  generator->stats.lease_renewals.fetch_add(1, std::memory_order_relaxed);
  return renewal;
}

// Releases the lease lock, then reports a renewal that failed at `elevel` (ERROR, or WARNING
// when the caller's ids were covered anyway). An ERROR must not leave the lock to the error
// cleanup while callers poll for it.
void release_reporting(const Renewal& renewal, const Layout& layout, int elevel) {
  const IssuedIds issued = lease->newest.issued;
  const LeaseBlock block = lease->block;
  release_lease_lock();
  switch (renewal.status) {
    case RenewalStatus::renewed:
    case RenewalStatus::not_due:
    case RenewalStatus::capped:
      return;
    case RenewalStatus::blocked:
      if (block == LeaseBlock::file_damaged)
        report_lease_file_damaged(elevel);
      else
        report_layout_changed(issued, layout, elevel);
      return;
    case RenewalStatus::file_not_written:
      errno = renewal.saved_errno;
      report_lease_write_failed(elevel, false);
      return;
    case RenewalStatus::unconfirmed:
      CHECK_FOR_INTERRUPTS();
      report_lease_wait_interrupted(elevel);
      return;
  }
}

// Asks the lease worker to renew; false if none runs.
bool wake_lease_worker() {
  Latch* worker = lease->worker_latch.load(std::memory_order_acquire);
  if (worker == nullptr || worker == MyLatch) return false;
  lease->renewal_wanted.store(true, std::memory_order_release);
  SetLatch(worker);
  return true;
}

// WAL replay (a standby, crash recovery): a server with this WAL may have issued these ids.
// Replay must not go past a lease this server could forget at its next restart, nor stop the
// server: it waits until the file holds the lease, and a standby keeps serving queries
// meanwhile. A damaged file stays as it is for the operator to see; the generator is blocked
// anyway.
void replay_lease(const DurableLease& replayed) {
  const Layout& layout = generator_layout();
  LWLockAcquire(lease->lock, LW_EXCLUSIVE);
  const bool newer = !lease->newest_known ||
                     replayed.issued.lease_end_unix_ms > lease->newest.issued.lease_end_unix_ms;
  if (newer && lease->block != LeaseBlock::file_damaged) {
    for (int attempt = 0; !store_lease(replayed); ++attempt) {
      if (attempt % kReplayRetriesPerWarning == 0) report_lease_write_failed(WARNING, true);
      pg_usleep(kReplayRetryMicros);
      HandleStartupProcInterrupts();
    }
  }
  if (newer) adopt(layout, replayed);
  LWLockRelease(lease->lock);
}

// The resource manager's redo: a record this code could not have written is a PANIC.
void redo_lease(XLogReaderState* record) {
  const std::optional<LeasePayload> read = read_lease_record(record);
  if (!read)
    ereport(PANIC, (errcode(ERRCODE_DATA_CORRUPTED),
                    errmsg("snowflake lease record is not one this version writes"),
                    errdetail("It has type %u and %u bytes of data.",
                              XLogRecGetInfo(record) & ~XLR_INFO_MASK, XLogRecGetDataLen(record))));
  const LeasePayload& payload = *read;
  const std::optional<DurableLease> replayed = lease_of(payload);
  if (!replayed)
    ereport(PANIC, (errcode(ERRCODE_DATA_CORRUPTED),
                    errmsg("snowflake lease record describes no valid layout"),
                    errdetail("It has %d worker bits, %d sequence bits and worker id %d.",
                              payload.worker_bits, payload.sequence_bits, payload.worker_id)));
  replay_lease(*replayed);
}

}  // namespace

std::size_t lease_shared_size() { return sizeof(LeaseShared); }

void request_lease_lock() { RequestNamedLWLockTranche(kLeaseLockTrancheName, 1); }

void register_lease_rmgr() {
  static RmgrData lease_rmgr;
  lease_rmgr.rm_name = kLeaseRmgrName;
  lease_rmgr.rm_redo = redo_lease;
  lease_rmgr.rm_desc = describe_lease_record;
  lease_rmgr.rm_identify = identify_lease_record;
  RegisterCustomRmgr(kLeaseRmgrId, &lease_rmgr);
}

void start_lease(void* area, bool found, SharedGenerator& shared, const Layout& layout) {
  generator = &shared;
  if (found) {
    lease = static_cast<LeaseShared*>(area);
    return;
  }
  lease = new (area) LeaseShared();
  lease->lock = &GetNamedLWLockTranche(kLeaseLockTrancheName)->lock;
  ConditionVariableInit(&lease->lock_released);
  load_lease(layout);
}

bool renew_lease(const Layout& layout, std::int64_t now_ms, std::int64_t min_end_ms) {
  acquire_lease_lock();
  const Renewal renewal = renew_locked(layout, now_ms, min_end_ms);
  release_reporting(renewal, layout, ERROR);
  // A worker asleep since the server went idle takes over from here.
  (void)wake_lease_worker();
  return renewal.status != RenewalStatus::capped;
}

bool request_renewal(const Layout& layout, std::int64_t now_ms) {
  if (wake_lease_worker()) return true;
  acquire_lease_lock();
  const Renewal renewal = renew_locked(layout, now_ms, 0);
  release_reporting(renewal, layout, WARNING);
  return renewal.status != RenewalStatus::capped;
}

void limit_lease(std::int64_t cap_unix_ms) {
  acquire_lease_lock();
  lease->cap_unix_ms = cap_unix_ms;
  release_lease_lock();
}

bool accept_layout_change(const Layout& layout, std::int64_t now_ms) {
  acquire_lease_lock();
  if (lease->block != LeaseBlock::layout_changed) {
    release_lease_lock();
    return false;
  }
  const IssuedIds issued = lease->newest.issued;
  lease->block = LeaseBlock::none;
  lease->logged_change = LayoutChange::none;
  resume_after_lease(generator->state, layout,
                     saturating_sub(issued.lease_end_unix_ms, layout.epoch_unix_ms()));
  release_reporting(renew_locked(layout, now_ms, 0), layout, ERROR);
  ereport(WARNING,
          (errmsg("snowflake layout change accepted: ids up to %s were issued with %s and worker "
                  "id %d; new ids use %s and worker id %d",
                  unix_ms_text(issued.lease_end_unix_ms), layout_text(issued.layout),
                  issued.worker_id, layout_text(layout), current_worker_id()),
           errdetail("New ids may repeat or fall below those issued before.")));
  return true;
}

void set_lease_worker_latch(Latch* latch) {
  lease->worker_latch.store(latch, std::memory_order_release);
}

bool take_renewal_request() {
  return lease->renewal_wanted.exchange(false, std::memory_order_acq_rel);
}

void renew_as_worker(const Layout& layout, std::int64_t now_ms) {
  acquire_lease_lock();
  const Renewal renewal = renew_locked(layout, now_ms, 0);
  if (renewal.status == RenewalStatus::blocked)
    release_lease_lock();
  else
    release_reporting(renewal, layout, ERROR);
}

// Keeps the durable copies whole without waiting for demand: the file is put back when someone
// removed or changed it, and the lease is logged again once a checkpoint's redo point passed
// its last record, so that crash recovery replays it even without the file. A blocked lease is
// left alone for the operator.
bool look_after_lease(bool report_failure) {
  acquire_lease_lock();
  if (!lease->newest_known || lease->block != LeaseBlock::none) {
    release_lease_lock();
    return true;
  }
  const bool stored = lease_file_as_written() || store_lease(lease->newest);
  const int saved_errno = errno;
  if (GetRedoRecPtr() >= lease->last_record_end) (void)log_newest_lease();
  release_lease_lock();
  errno = saved_errno;
  if (!stored && report_failure) report_lease_write_failed(WARNING, false);
  return stored;
}

}  // namespace snowflake::pg
