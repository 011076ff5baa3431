#include "pg/registry.h"

#include "core/clock.h"
#include "core/generator.h"
#include "core/issued_ids.h"
#include "core/worker_claim.h"
#include "pg/background_worker.h"
#include "pg/errors.h"
#include "pg/lease.h"
#include "pg/registry_connection.h"
#include "pg/settings.h"

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdlib>
#include <new>
#include <optional>
#include <type_traits>

extern "C" {
#include "postgres.h"

#include <unistd.h>

#include "access/xlog.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/spin.h"
#include "utils/guc.h"
#include "utils/wait_event.h"

PGDLLEXPORT void snowflake_registry_worker_main(Datum argument);
}

namespace snowflake::pg {
namespace {

static_assert(std::is_trivially_destructible_v<RegistryConnection>);
static_assert(std::is_trivially_destructible_v<RegistryRow>);

// How a claim stands, for callers' errors and snowflake_stats.
enum class ClaimState : std::uint8_t {
  claiming,   // no worker id yet: the registry has not answered, or not yet recorded a bound
  held,       // the worker id is this server's
  refused,    // the configured worker id is held by another server (other_holder)
  none_free,  // every worker id of the layout is held
  lost,       // the registry released the worker id, or gave it to another server
};

// The claim's state as snowflake_stats.claim_state shows it.
const char* claim_state_name(ClaimState state) {
  switch (state) {
    case ClaimState::claiming:
      return "claiming";
    case ClaimState::held:
      return "held";
    case ClaimState::refused:
      return "refused";
    case ClaimState::none_free:
      return "no free worker id";
    case ClaimState::lost:
      return "lost";
  }
  return "unknown";
}

// The registry's part of the shared block. The mutex guards what a reader must see whole.
struct RegistryShared {
  slock_t mutex;
  // This start of the server, so that the registry tells it from an earlier one.
  std::uint64_t incarnation = 0;
  ClaimState state = ClaimState::claiming;
  // The worker id the registry granted this incarnation, or kNoWorkerId.
  std::int32_t claimed_worker_id = kNoWorkerId;
  // Whether the registry has recorded a bound for it, so that ids may be made with it.
  bool bound_recorded = false;
  std::int64_t expires_unix_ms = 0;
  char other_holder[256] = {};
  char last_error[256] = {};
  // The claim's fence on the wall clock (claim_fenced): INT64_MIN while no claim is held,
  // INT64_MAX without a registry.
  std::atomic<std::int64_t> fence_unix_ms{INT64_MIN};
  // Counts the registry's answers to renewals, for callers waiting for one: incremented once
  // what the answer changed is published.
  std::atomic<std::uint64_t> renewals{0};
  std::atomic<bool> renewal_wanted{false};
  std::atomic<Latch*> worker_latch{nullptr};
};

RegistryShared* registry = nullptr;
SharedGenerator* generator = nullptr;

// What callers' errors and snowflake_stats show of the claim, copied whole under the mutex.
struct ClaimView {
  ClaimState state;
  std::int32_t claimed_worker_id;
  std::int64_t expires_unix_ms;
  char other_holder[sizeof(RegistryShared::other_holder)];
  char last_error[sizeof(RegistryShared::last_error)];
};
static_assert(std::is_trivially_destructible_v<ClaimView>);

// A copy of the claim as it stands.
ClaimView view_claim() {
  ClaimView view;
  SpinLockAcquire(&registry->mutex);
  view.state = registry->state;
  view.claimed_worker_id = registry->claimed_worker_id;
  view.expires_unix_ms = registry->expires_unix_ms;
  strlcpy(view.other_holder, registry->other_holder, sizeof(view.other_holder));
  strlcpy(view.last_error, registry->last_error, sizeof(view.last_error));
  SpinLockRelease(&registry->mutex);
  return view;
}

constexpr long kCallerPollMs = 10;

// Claims, renewals and parking, as the functions of sql/snowflake--1.0--1.1.sql take them. The
// first statement of every connection puts the extension's schema on its search path.
constexpr const char* kSearchPathSql =
    "SELECT (SELECT pg_catalog.set_config('search_path', pg_catalog.quote_ident(n.nspname) || "
    "', pg_catalog', false) FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS "
    "n ON n.oid = e.extnamespace WHERE e.extname = 'snowflake')";
constexpr const char* kClaimSql =
    "SELECT granted_worker_id, previous_highest_id, previous_epoch_ms, previous_worker_bits, "
    "previous_sequence_bits, held_by FROM snowflake_registry_claim($1, $2, $3::integer, "
    "$4::bigint, $5::integer, $6::integer, $7::bigint)";
constexpr const char* kRenewSql =
    "SELECT snowflake_registry_renew($1::integer, $2, $3::bigint, $4::bigint)";
constexpr const char* kParkSql = "SELECT snowflake_registry_park($1::integer, $2, $3::bigint)";

// What the worker knows of this incarnation that the shared state need not show.
struct WorkerSession {
  RegistryConnection connection;
  pg_conn* search_path_set_for = nullptr;
  char holder[MAXPGPATH + 256];
  char incarnation[32];
  RegistryError error;
};

// Updates the shared state under its mutex.
void set_state(ClaimState state, const char* last_error) {
  SpinLockAcquire(&registry->mutex);
  registry->state = state;
  strlcpy(registry->last_error, last_error != nullptr ? last_error : "",
          sizeof(registry->last_error));
  SpinLockRelease(&registry->mutex);
}

// The holder's name: host, data directory and system identifier (see registry.h).
void name_holder(WorkerSession& session) {
  char host[256] = "unknown host";
  (void)gethostname(host, sizeof(host) - 1);
  snprintf(session.holder, sizeof(session.holder), "%s:%s (system %" PRIu64 ")", host, DataDir,
           static_cast<std::uint64_t>(GetSystemIdentifier()));
  snprintf(session.incarnation, sizeof(session.incarnation), "%016" PRIx64, registry->incarnation);
}

// A deadline for one exchange with the registry: a sixth of the ttl, at least a second, so
// that a registry that stopped answering is given up on well before the claim's fence.
std::int64_t call_deadline_micros() {
  return monotonic_micros() + std::max<std::int64_t>(registry_ttl_ms / 6, 1000) * 1000;
}

// Connects if needed and puts the extension's schema on the search path.
bool ensure_connected(WorkerSession& session) {
  if (session.connection.conn != nullptr && session.search_path_set_for == session.connection.conn)
    return true;
  if (session.connection.conn == nullptr &&
      !registry_connect(session.connection, registry_conninfo, call_deadline_micros(),
                        session.error))
    return false;
  RegistryRow row;
  if (!registry_call(session.connection, kSearchPathSql, 0, nullptr, call_deadline_micros(), row,
                     session.error))
    return false;
  if (row.nulls[0]) {
    strlcpy(session.error.text, "snowflake is not installed in the registry database",
            sizeof(session.error.text));
    registry_disconnect(session.connection);
    return false;
  }
  session.search_path_set_for = session.connection.conn;
  return true;
}

// The first tick at which ids of `worker_id` lie above `highest_id`, an id the registry
// recorded under another holder's layout (the same one, normally).
std::uint64_t first_tick_above(const Layout& layout, std::int32_t worker_id,
                               std::int64_t highest_id, const Layout& recorded_layout) {
  if (recorded_layout == layout) {
    const std::optional<std::uint64_t> tick = first_tick_above_id(layout, worker_id, highest_id);
    return tick ? *tick : layout.first_tick_of_ms(layout.max_ms() + 1);
  }
  // Another layout: above the whole millisecond the id was made in.
  std::int64_t unix_ms = 0;
  if (__builtin_add_overflow(recorded_layout.decode(highest_id).ms_since_epoch,
                             recorded_layout.epoch_unix_ms(), &unix_ms))
    unix_ms = INT64_MAX - 1;
  const std::int64_t ms =
      std::clamp<std::int64_t>(unix_ms + 1 - layout.epoch_unix_ms(), 0, layout.max_ms() + 1);
  return layout.first_tick_of_ms(ms);
}

// Asks the registry for a worker id: the configured one, or any. Granted, the generator is
// moved above every id its earlier holders may have issued, and above every id this server
// issued before under another worker id, before any id is made with it.
bool claim(WorkerSession& session, const Layout& layout) {
  char wanted[16];
  char epoch_ms[32];
  char worker_bits[16];
  char sequence_bits[16];
  char ttl_ms[32];
  snprintf(wanted, sizeof(wanted), "%d", worker_id);
  snprintf(epoch_ms, sizeof(epoch_ms), "%" PRId64, layout.epoch_unix_ms());
  snprintf(worker_bits, sizeof(worker_bits), "%d", layout.worker_bits());
  snprintf(sequence_bits, sizeof(sequence_bits), "%d", layout.sequence_bits());
  snprintf(ttl_ms, sizeof(ttl_ms), "%d", registry_ttl_ms);
  const char* parameters[] = {
      session.holder, session.incarnation, worker_id == kWorkerIdUnset ? nullptr : wanted,
      epoch_ms,       worker_bits,         sequence_bits,
      ttl_ms};
  RegistryRow row;
  if (!registry_call(session.connection, kClaimSql, 7, parameters, call_deadline_micros(), row,
                     session.error))
    return false;
  if (row.nulls[0]) {
    SpinLockAcquire(&registry->mutex);
    registry->state = row.nulls[5] ? ClaimState::none_free : ClaimState::refused;
    strlcpy(registry->other_holder, row.nulls[5] ? "" : row.values[5],
            sizeof(registry->other_holder));
    registry->last_error[0] = '\0';
    SpinLockRelease(&registry->mutex);
    return false;
  }
  const std::int32_t granted = static_cast<std::int32_t>(std::strtol(row.values[0], nullptr, 10));
  GeneratorState& state = generator->state;
  std::uint64_t first_tick = 0;
  if (!row.nulls[1]) {
    const int recorded_worker_bits = static_cast<int>(std::strtol(row.values[3], nullptr, 10));
    const int recorded_sequence_bits = static_cast<int>(std::strtol(row.values[4], nullptr, 10));
    const Layout recorded =
        Layout::check(recorded_worker_bits, recorded_sequence_bits) == LayoutStatus::ok
            ? Layout(recorded_worker_bits, recorded_sequence_bits,
                     std::strtoll(row.values[2], nullptr, 10))
            : layout;
    first_tick =
        first_tick_above(layout, granted, std::strtoll(row.values[1], nullptr, 10), recorded);
  }
  // Ids this server made under another worker id stay below the new ones: a new millisecond.
  const std::uint64_t last_tick = state.last_tick.load(std::memory_order_acquire);
  if (last_tick != 0)
    first_tick = std::max(first_tick, layout.first_tick_of_ms(layout.ms_of_tick(last_tick) + 1));
  skip_below(state, first_tick);
  SpinLockAcquire(&registry->mutex);
  registry->claimed_worker_id = granted;
  registry->bound_recorded = false;
  registry->other_holder[0] = '\0';
  SpinLockRelease(&registry->mutex);
  return true;
}

// Records in the registry the highest id this server may issue until its next renewal
// (claim_bound_ms), and once the registry has, lets the lease reach it. The first renewal of
// a claim publishes the worker id. False when the registry did not answer, or no longer holds
// the claim for this incarnation (then ids stop being made with it).
bool renew(WorkerSession& session, const Layout& layout, std::int32_t claimed) {
  const GeneratorState& state = generator->state;
  const std::int64_t now_ms = realtime_unix_ms() - layout.epoch_unix_ms();
  const std::int64_t demand_ms =
      std::max(now_ms, layout.ms_of_tick(state.last_tick.load(std::memory_order_acquire) + 1));
  const std::int64_t bound_ms =
      std::clamp<std::int64_t>(claim_bound_ms(demand_ms, registry_ttl_ms), 1, layout.max_ms() + 1);
  const std::int64_t highest_id = layout.id_of_tick(
      layout.last_tick_of_same_ms(layout.first_tick_of_ms(bound_ms - 1)), claimed);
  char worker[16];
  char ttl_ms[32];
  char highest[32];
  snprintf(worker, sizeof(worker), "%d", claimed);
  snprintf(ttl_ms, sizeof(ttl_ms), "%d", registry_ttl_ms);
  snprintf(highest, sizeof(highest), "%" PRId64, highest_id);
  const char* parameters[] = {worker, session.incarnation, ttl_ms, highest};
  const std::int64_t sent_micros = monotonic_micros();
  RegistryRow row;
  if (!registry_call(session.connection, kRenewSql, 4, parameters, call_deadline_micros(), row,
                     session.error))
    return false;
  if (row.nulls[0]) {
    // Given up: no id is made with it any more, and the lease stays where it is.
    generator->state.worker_id.store(kNoWorkerId, std::memory_order_release);
    registry->fence_unix_ms.store(INT64_MIN, std::memory_order_release);
    limit_lease(0);
    SpinLockAcquire(&registry->mutex);
    registry->claimed_worker_id = kNoWorkerId;
    registry->bound_recorded = false;
    registry->state = ClaimState::lost;
    SpinLockRelease(&registry->mutex);
    registry->renewals.fetch_add(1, std::memory_order_acq_rel);
    ereport(WARNING,
            (errmsg("snowflake lost its claim on worker id %d in the registry", claimed),
             errdetail("The registry released the worker id, or gave it to another server after "
                       "the claim expired. No id is made with it any more; another worker id "
                       "is claimed.")));
    return false;
  }
  const std::int64_t fence_micros = claim_fence_micros(sent_micros, registry_ttl_ms);
  limit_lease(layout.epoch_unix_ms() + bound_ms);
  registry->fence_unix_ms.store(realtime_unix_ms() + (fence_micros - monotonic_micros()) / 1000,
                                std::memory_order_release);
  SpinLockAcquire(&registry->mutex);
  const bool first = !registry->bound_recorded;
  registry->bound_recorded = true;
  registry->state = ClaimState::held;
  registry->expires_unix_ms = std::strtoll(row.values[0], nullptr, 10);
  registry->last_error[0] = '\0';
  SpinLockRelease(&registry->mutex);
  if (first) {
    generator->state.worker_id.store(claimed, std::memory_order_release);
    ereport(LOG, (errmsg("snowflake claimed worker id %d from the registry", claimed)));
  }
  registry->renewals.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

// A clean shutdown: the lease stops where it is, and the registry records exactly that as the
// highest id this incarnation issued, so that this server's next start resumes right there.
// Never below the earlier holders' ids, which claim() moved the generator past: a lease not
// renewed since the claim ends below them.
void park(WorkerSession& session, const Layout& layout) {
  SpinLockAcquire(&registry->mutex);
  const std::int32_t claimed = registry->bound_recorded ? registry->claimed_worker_id : kNoWorkerId;
  SpinLockRelease(&registry->mutex);
  if (claimed == kNoWorkerId || session.connection.conn == nullptr) return;
  limit_lease(0);
  const std::uint64_t lease_end_tick =
      generator->state.lease_end_tick.load(std::memory_order_acquire);
  if (lease_end_tick == 0) return;
  const std::uint64_t highest_tick =
      std::max(lease_end_tick - 1, generator->state.last_tick.load(std::memory_order_acquire));
  char worker[16];
  char highest[32];
  snprintf(worker, sizeof(worker), "%d", claimed);
  snprintf(highest, sizeof(highest), "%" PRId64, layout.id_of_tick(highest_tick, claimed));
  const char* parameters[] = {worker, session.incarnation, highest};
  RegistryRow row;
  (void)registry_call(session.connection, kParkSql, 3, parameters, call_deadline_micros(), row,
                      session.error);
}

// One turn with the registry: connect, claim a worker id if this incarnation holds none, and
// renew. False, with the state saying why, when the turn did not end with a held claim.
bool take_turn(WorkerSession& session, const Layout& layout) {
  if (!ensure_connected(session)) {
    set_state(registry->claimed_worker_id == kNoWorkerId ? ClaimState::claiming : registry->state,
              session.error.text);
    return false;
  }
  if (registry->claimed_worker_id == kNoWorkerId && !claim(session, layout)) {
    if (registry->state != ClaimState::refused && registry->state != ClaimState::none_free)
      set_state(ClaimState::claiming, session.error.text);
    return false;
  }
  if (!renew(session, layout, registry->claimed_worker_id)) {
    if (registry->state != ClaimState::lost) set_state(registry->state, session.error.text);
    return false;
  }
  return true;
}

// The worker leaves: callers no longer wake it.
void forget_registry_worker(int /*code*/, Datum /*arg*/) {
  registry->worker_latch.store(nullptr, std::memory_order_release);
}

// The worker's loop: a turn every renewal interval (core/worker_claim.h), sooner when a caller
// asks for one, and a retry every tenth of the ttl while turns fail. Returns only by exit.
[[noreturn]] void run_registry_worker() {
  const Layout& layout = generator_layout();
  WorkerSession session;
  name_holder(session);
  before_shmem_exit(forget_registry_worker, 0);
  registry->worker_latch.store(MyLatch, std::memory_order_release);
  std::int64_t next_turn_micros = 0;
  for (;;) {
    CHECK_FOR_INTERRUPTS();
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      ProcessConfigFile(PGC_SIGHUP);
    }
    if (ShutdownRequestPending) {
      park(session, layout);
      registry_disconnect(session.connection);
      proc_exit(1);
    }
    const bool asked = registry->renewal_wanted.exchange(false, std::memory_order_acq_rel);
    if (asked || monotonic_micros() >= next_turn_micros) {
      const bool held = take_turn(session, layout);
      const std::int64_t interval_ms = held ? claim_renewal_interval_ms(registry_ttl_ms)
                                            : std::max<std::int64_t>(registry_ttl_ms / 10, 100);
      next_turn_micros = monotonic_micros() + interval_ms * 1000;
    }
    const std::int64_t wait_ms =
        std::max<std::int64_t>((next_turn_micros - monotonic_micros()) / 1000, 1);
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, wait_ms,
                    PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
  }
}

// Why there is no worker id: the ERROR of a caller that waited for one in vain.
[[noreturn]] void report_no_worker_id() {
  const ClaimView claim = view_claim();
  if (claim.state == ClaimState::refused)
    ereport(ERROR,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("snowflake.worker_id = %d is held by another server", worker_id),
             errdetail("The registry gave it to %s; two servers with one worker id can issue the "
                       "same id, so no id is made here.",
                       claim.other_holder),
             errhint("Give this server another worker id, or leave snowflake.worker_id unset to "
                     "claim a free one. If that server is gone for good, a superuser can run "
                     "SELECT snowflake_release_worker_id(%d) in the registry.",
                     worker_id)));
  if (claim.state == ClaimState::none_free)
    ereport(ERROR,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("snowflake has no worker id: every worker id of its layout is held"),
             errdetail("snowflake.worker_bits = %d allows %d servers.",
                       generator_layout().worker_bits(), generator_layout().max_worker_id() + 1),
             errhint("Release the worker ids of servers that are gone (SELECT "
                     "snowflake_release_worker_id(n) in the registry), or wait until "
                     "their claims expire.")));
  ereport(
      ERROR,
      (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE), errmsg("snowflake has no worker id yet"),
       claim.last_error[0] != '\0'
           ? errdetail("It is claimed from snowflake.registry, which failed: %s", claim.last_error)
           : errdetail("It is being claimed from snowflake.registry."),
       errhint("snowflake_nextval() waits for the claim up to snowflake.clock_wait_timeout; "
               "check that the registry is reachable.")));
  pg_unreachable();
}

// Waits on this process's latch for a while, cancellably.
void pause_for_registry() {
  CHECK_FOR_INTERRUPTS();
  (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kCallerPollMs,
                  PG_WAIT_EXTENSION);
  ResetLatch(MyLatch);
}

}  // namespace

std::size_t registry_shared_size() { return sizeof(RegistryShared); }

void register_registry_worker() {
  register_background_worker("snowflake registry worker", "snowflake_registry_worker_main", 1);
}

void start_registry(void* area, bool found, SharedGenerator& shared) {
  generator = &shared;
  registry = static_cast<RegistryShared*>(area);
  if (found) return;
  new (area) RegistryShared();
  SpinLockInit(&registry->mutex);
  if (!pg_strong_random(&registry->incarnation, sizeof(registry->incarnation)))
    registry->incarnation = static_cast<std::uint64_t>(monotonic_micros()) ^ MyProcPid;
  if (registry_configured()) return;
  registry->fence_unix_ms.store(INT64_MAX, std::memory_order_relaxed);
  if (worker_id != kWorkerIdUnset)
    shared.state.worker_id.store(worker_id, std::memory_order_release);
}

std::int32_t await_worker_id(const SharedGenerator& shared, std::int64_t deadline_micros) {
  for (;;) {
    const std::int32_t current = shared.state.worker_id.load(std::memory_order_acquire);
    if (current != kNoWorkerId) return current;
    if (!registry_configured()) report_worker_id_unset();
    if (deadline_micros != 0 && monotonic_micros() >= deadline_micros) report_no_worker_id();
    pause_for_registry();
  }
}

bool claim_fenced(std::int64_t now_unix_ms) {
  return now_unix_ms >= registry->fence_unix_ms.load(std::memory_order_acquire);
}

void ask_for_claim_renewal() {
  registry->renewal_wanted.store(true, std::memory_order_release);
  Latch* worker = registry->worker_latch.load(std::memory_order_acquire);
  if (worker != nullptr) SetLatch(worker);
}

void await_claim_renewal(std::int64_t deadline_micros) {
  const std::uint64_t renewals = registry->renewals.load(std::memory_order_acquire);
  ask_for_claim_renewal();
  while (registry->renewals.load(std::memory_order_acquire) == renewals) {
    if (deadline_micros != 0 && monotonic_micros() >= deadline_micros) {
      const ClaimView claim = view_claim();
      ereport(
          ERROR,
          (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
           errmsg("snowflake could not renew its claim on worker id %d in the registry",
                  claim.claimed_worker_id),
           claim.last_error[0] != '\0' ? errdetail("The registry failed: %s", claim.last_error) : 0,
           errhint("No id is made beyond what the registry recorded for this server; ids "
                   "resume once the registry answers. snowflake_nextval() waits for it up "
                   "to snowflake.clock_wait_timeout.")));
    }
    pause_for_registry();
  }
}

ClaimReport report_claim(const SharedGenerator& shared) {
  const bool has_worker_id = shared.state.worker_id.load(std::memory_order_acquire) != kNoWorkerId;
  if (!registry_configured())
    return ClaimReport{has_worker_id ? "configured" : nullptr, nullptr, 0, nullptr};
  const ClaimView claim = view_claim();
  // Fenced as the hot path sees it (claim_fenced), on the clock it reads.
  const bool fenced = claim.state == ClaimState::held && claim_fenced(realtime_unix_ms());
  return ClaimReport{has_worker_id ? "registry" : nullptr,
                     fenced ? "fenced" : claim_state_name(claim.state),
                     claim.state == ClaimState::held ? claim.expires_unix_ms : 0,
                     claim.last_error[0] != '\0' ? pstrdup(claim.last_error) : nullptr};
}

}  // namespace snowflake::pg

// Entry point of the registry worker process. SIGTERM asks it to stop at its next turn, so
// that it parks its claim first.
void snowflake_registry_worker_main(Datum /*argument*/) {
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
  BackgroundWorkerUnblockSignals();
  BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
  snowflake::pg::run_registry_worker();
}
