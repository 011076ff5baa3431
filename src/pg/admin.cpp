// The operator's functions that move the generator's durable state: snowflake_advance_past
// (ids that came from elsewhere: a restore, pg_upgrade, a lost lease file, another generator)
// and snowflake_accept_layout_change. Not executable by PUBLIC (see the install script).
#include "core/clock.h"
#include "core/generator.h"
#include "core/issued_ids.h"
#include "pg/errors.h"
#include "pg/lease.h"
#include "pg/nextval.h"
#include "pg/registry.h"
#include "pg/settings.h"

#include <optional>
#include <type_traits>

extern "C" {
#include "postgres.h"

#include "fmgr.h"

PG_FUNCTION_INFO_V1(snowflake_advance_past);
PG_FUNCTION_INFO_V1(snowflake_accept_layout_change);
}

namespace snowflake::pg {
namespace {

// ereport may longjmp out of these functions: only trivially destructible locals allowed.
static_assert(std::is_trivially_destructible_v<std::optional<std::uint64_t>>);

// No id of this layout lies above the given one.
[[noreturn]] void report_id_past_range(std::int64_t id) {
  ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                  errmsg("no snowflake id after %lld fits this server's layout",
                         static_cast<long long>(id))));
  pg_unreachable();
}

// Advancing past the id would put every new id further ahead of the clock than max_lead_ms.
[[noreturn]] void report_id_too_far_ahead(std::int64_t id, std::int64_t ahead_ms,
                                          std::int64_t max_lead_ms) {
  ereport(ERROR,
          (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
           errmsg("snowflake id %lld is %lld ms ahead of the clock", static_cast<long long>(id),
                  static_cast<long long>(ahead_ms)),
           errdetail("snowflake.max_clock_lead = %lld ms lets ids run at most that far ahead; "
                     "every new id would have to wait for the clock.",
                     static_cast<long long>(max_lead_ms)),
           errhint("Check that the id was made with this server's layout. To issue ids above "
                   "it now, raise snowflake.max_clock_lead and reload.")));
  pg_unreachable();
}

}  // namespace
}  // namespace snowflake::pg

// Every id this server issues from now on, also after a restart, is above `id`. The generator
// skips below it, then the lease is made durable past id's millisecond (which may first need
// the worker id's claim to record it); it never moves back.
Datum snowflake_advance_past(PG_FUNCTION_ARGS) {
  using namespace snowflake::pg;
  const std::int64_t id = PG_GETARG_INT64(0);
  snowflake::SharedGenerator& generator = ready_generator("snowflake_advance_past");
  const std::int32_t worker = ready_worker_id(generator);
  const snowflake::Layout& layout = generator_layout();
  if (id < 0) report_negative_id(id);
  const std::optional<std::uint64_t> first_tick =
      snowflake::first_tick_above_id(layout, worker, id);
  if (!first_tick) report_id_past_range(id);
  const std::int64_t first_ms = layout.ms_of_tick(*first_tick);
  const std::int64_t now_ms = snowflake::realtime_unix_ms() - layout.epoch_unix_ms();
  if (first_ms - now_ms > max_clock_lead_ms)
    report_id_too_far_ahead(id, first_ms - now_ms, max_clock_lead_ms);
  snowflake::skip_below(generator.state, *first_tick);
  while (!renew_lease(layout, now_ms, first_ms + 1))
    await_claim_renewal(registry_wait_deadline_micros());
  PG_RETURN_VOID();
}

// The operator's explicit acknowledgement that ids under the current layout and worker id may
// repeat or fall below those issued under the lease's: true if there was such a change.
Datum snowflake_accept_layout_change(PG_FUNCTION_ARGS) {
  using namespace snowflake::pg;
  (void)ready_generator("snowflake_accept_layout_change");
  const snowflake::Layout& layout = generator_layout();
  const std::int64_t now_ms = snowflake::realtime_unix_ms() - layout.epoch_unix_ms();
  PG_RETURN_BOOL(accept_layout_change(layout, now_ms));
}
