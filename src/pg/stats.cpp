// snowflake_stats(): what the generator has been through since the server started, and
// snowflake_worker_id(). Reading them costs the hot path nothing: the counters are written only
// on rare events (see core/stats.h).
#include "core/clock.h"
#include "core/layout.h"
#include "pg/registry.h"
#include "pg/result_type.h"
#include "pg/settings.h"
#include "pg/shared.h"
#include "pg/timestamps.h"

#include <algorithm>

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(snowflake_stats);
PG_FUNCTION_INFO_V1(snowflake_worker_id);
}

namespace snowflake::pg {
namespace {

// The columns in the order the extension's script declares them. Version 1.0 declared those up to
// kLeaseRenewals: a server whose library is newer than its extension fills only those.
enum StatsColumn {
  kWorkerId,
  kLeadMs,
  kLeaseEnd,
  kClockRegressions,
  kLargestRegressionMs,
  kBorrowedMs,
  kWaits,
  kWaitTimeMs,
  kLeaseRenewals,
  kWorkerIdSource,
  kClaimState,
  kClaimExpiresAt,
  kRegistryError,
  kCollisions,
  kStatsColumns
};

// A counter as a bigint column.
Datum counter(const std::atomic<std::uint64_t>& value) {
  return Int64GetDatum(static_cast<std::int64_t>(value.load(std::memory_order_relaxed)));
}

// A layout millisecond as a timestamptz column, NULL when unknown (0) or out of range.
void set_time(Datum* value, bool* null, const Layout& layout, std::int64_t ms_since_epoch) {
  std::int64_t timestamp = 0;
  *null = ms_since_epoch <= 0 || !pg_timestamp_of_layout_ms(layout, ms_since_epoch, &timestamp);
  *value = TimestampTzGetDatum(timestamp);
}

// A text column, NULL for null.
void set_text(Datum* value, bool* null, const char* text) {
  *null = text == nullptr;
  *value = text == nullptr ? Datum(0) : CStringGetTextDatum(text);
}

}  // namespace
}  // namespace snowflake::pg

// One row of generator state and counters.
Datum snowflake_stats(PG_FUNCTION_ARGS) {
  using namespace snowflake::pg;
  const snowflake::SharedGenerator& shared = preloaded_generator();
  const snowflake::Layout& layout = generator_layout();
  const TupleDesc result_type = snowflake::pg::record_result_type(fcinfo);

  const std::int64_t now_ms = snowflake::realtime_unix_ms() - layout.epoch_unix_ms();
  const std::int64_t last_ms =
      layout.ms_of_tick(shared.state.last_tick.load(std::memory_order_relaxed));
  const std::int32_t worker = shared.state.worker_id.load(std::memory_order_acquire);
  const ClaimReport claim = report_claim(shared);
  const auto& stats = shared.stats;

  Datum values[kStatsColumns];
  bool nulls[kStatsColumns] = {};
  values[kWorkerId] = Int32GetDatum(worker);
  nulls[kWorkerId] = worker == snowflake::kNoWorkerId;
  values[kLeadMs] = Int64GetDatum(std::max<std::int64_t>(last_ms - now_ms, 0));
  set_time(&values[kLeaseEnd], &nulls[kLeaseEnd], layout,
           layout.ms_of_tick(shared.state.lease_end_tick.load(std::memory_order_relaxed)));
  values[kClockRegressions] = counter(stats.clock_regressions);
  values[kLargestRegressionMs] = counter(stats.largest_regression_ms);
  values[kBorrowedMs] = counter(stats.borrowed_ms);
  values[kWaits] = counter(stats.waits);
  values[kWaitTimeMs] = Float8GetDatum(
      static_cast<double>(stats.wait_micros.load(std::memory_order_relaxed)) / 1000.0);
  values[kLeaseRenewals] = counter(stats.lease_renewals);
  set_text(&values[kWorkerIdSource], &nulls[kWorkerIdSource], claim.source);
  set_text(&values[kClaimState], &nulls[kClaimState], claim.state);
  set_time(&values[kClaimExpiresAt], &nulls[kClaimExpiresAt], layout,
           claim.expires_unix_ms == 0 ? 0 : claim.expires_unix_ms - layout.epoch_unix_ms());
  set_text(&values[kRegistryError], &nulls[kRegistryError], claim.last_error);
  values[kCollisions] = counter(stats.collisions);
  // An extension script older than the library declares fewer columns: heap_form_tuple reads
  // only those.
  return HeapTupleGetDatum(heap_form_tuple(result_type, values, nulls));
}

// The worker id this server makes ids with, or NULL while it has none.
Datum snowflake_worker_id(PG_FUNCTION_ARGS) {
  const std::int32_t worker =
      snowflake::pg::preloaded_generator().state.worker_id.load(std::memory_order_acquire);
  if (worker == snowflake::kNoWorkerId) PG_RETURN_NULL();
  PG_RETURN_INT32(worker);
}
