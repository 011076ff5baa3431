// snowflake_stats(): what the generator has been through since the server started. Reading it
// costs the hot path nothing: the counters are written only on rare events (see core/stats.h).
#include "core/clock.h"
#include "core/layout.h"
#include "pg/errors.h"
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
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(snowflake_stats);
}

namespace snowflake::pg {
namespace {

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
  kStatsColumns
};

// A counter as a bigint column.
Datum counter(const std::atomic<std::uint64_t>& value) {
  return Int64GetDatum(static_cast<std::int64_t>(value.load(std::memory_order_relaxed)));
}

}  // namespace
}  // namespace snowflake::pg

// One row of generator state and counters.
Datum snowflake_stats(PG_FUNCTION_ARGS) {
  using namespace snowflake::pg;
  const snowflake::SharedGenerator* shared = shared_generator();
  if (shared == nullptr) report_not_preloaded();
  const snowflake::Layout& layout = generator_layout();

  const TupleDesc result_type = snowflake::pg::record_result_type(fcinfo);

  const std::int64_t now_ms = snowflake::realtime_unix_ms() - layout.epoch_unix_ms();
  const std::int64_t last_ms =
      layout.ms_of_tick(shared->state.last_tick.load(std::memory_order_relaxed));
  const std::int64_t lease_end_ms =
      layout.ms_of_tick(shared->state.lease_end_tick.load(std::memory_order_relaxed));
  std::int64_t lease_end = 0;
  const bool lease_end_known =
      lease_end_ms > 0 && pg_timestamp_of_layout_ms(layout, lease_end_ms, &lease_end);
  const auto& stats = shared->stats;

  Datum values[kStatsColumns];
  bool nulls[kStatsColumns] = {};
  values[kWorkerId] = Int32GetDatum(worker_id);
  nulls[kWorkerId] = worker_id == kWorkerIdUnset;
  values[kLeadMs] = Int64GetDatum(std::max<std::int64_t>(last_ms - now_ms, 0));
  values[kLeaseEnd] = TimestampTzGetDatum(lease_end);
  nulls[kLeaseEnd] = !lease_end_known;
  values[kClockRegressions] = counter(stats.clock_regressions);
  values[kLargestRegressionMs] = counter(stats.largest_regression_ms);
  values[kBorrowedMs] = counter(stats.borrowed_ms);
  values[kWaits] = counter(stats.waits);
  values[kWaitTimeMs] = Float8GetDatum(
      static_cast<double>(stats.wait_micros.load(std::memory_order_relaxed)) / 1000.0);
  values[kLeaseRenewals] = counter(stats.lease_renewals);
  return HeapTupleGetDatum(heap_form_tuple(result_type, values, nulls));
}
