// Decoding ids and turning timestamps into id bounds. Pure arithmetic on a layout: the
// configured one, or one the caller describes to decode another system's ids. None of this
// needs shared_preload_libraries.
//
// Each function takes optional epoch, worker_bits and sequence_bits arguments after the id or
// timestamp; a NULL one means "as configured".
#include "core/layout.h"
#include "core/time_math.h"
#include "pg/errors.h"
#include "pg/result_type.h"
#include "pg/settings.h"
#include "pg/timestamps.h"

#include <type_traits>

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(snowflake_decode);
PG_FUNCTION_INFO_V1(snowflake_to_timestamp);
PG_FUNCTION_INFO_V1(snowflake_from_timestamp);
}

namespace snowflake::pg {
namespace {

static_assert(std::is_trivially_destructible_v<IdFields>);
static_assert(std::is_trivially_destructible_v<LayoutSettings>);

// An id whose millisecond PostgreSQL's timestamps cannot hold.
[[noreturn]] void report_id_time_out_of_range(const Layout& layout, std::int64_t id) {
  ereport(ERROR,
          (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
           errmsg("timestamp of snowflake id %lld is out of range", static_cast<long long>(id)),
           errdetail("With %d timestamp bits from epoch %s, it lies past the end of "
                     "PostgreSQL's timestamp range.",
                     layout.timestamp_bits(), layout_ms_text(layout, 0))));
  pg_unreachable();
}

// A timestamp no id of the layout can hold.
[[noreturn]] void report_timestamp_status(TimestampStatus status, const Layout& layout,
                                          std::int64_t pg_timestamp) {
  if (status == TimestampStatus::before_epoch)
    ereport(ERROR,
            (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
             errmsg("timestamp %s is before the snowflake epoch", timestamptz_to_str(pg_timestamp)),
             errdetail("Snowflake ids count milliseconds from %s.", layout_ms_text(layout, 0))));
  else
    ereport(ERROR,
            (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
             errmsg("timestamp %s is past the last snowflake id", timestamptz_to_str(pg_timestamp)),
             errdetail("With %d timestamp bits, the last millisecond an id can hold "
                       "starts at %s.",
                       layout.timestamp_bits(), layout_ms_text(layout, layout.max_ms()))));
  pg_unreachable();
}

// An infinite timestamp has no id.
[[noreturn]] void report_infinite_timestamp() {
  ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                  errmsg("cannot convert an infinite timestamp to a snowflake id")));
  pg_unreachable();
}

// An epoch argument that is infinite or finer than a millisecond.
[[noreturn]] void report_bad_epoch_argument(std::int64_t pg_timestamp) {
  ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                  errmsg("invalid epoch %s", timestamptz_to_str(pg_timestamp)),
                  errdetail("An epoch is a finite timestamp of a whole millisecond.")));
  pg_unreachable();
}

constexpr int kDecodeColumns = 3;
// Positions of the optional layout arguments, after the id or timestamp.
constexpr int kEpochArgument = 1;
constexpr int kWorkerBitsArgument = 2;
constexpr int kSequenceBitsArgument = 3;

// The configured layout with each layout argument the caller gave in place of its setting.
Layout requested_layout(FunctionCallInfo fcinfo) {
  LayoutSettings settings = layout_settings();
  if (!PG_ARGISNULL(kEpochArgument)) {
    const TimestampTz epoch = PG_GETARG_TIMESTAMPTZ(kEpochArgument);
    if (TIMESTAMP_NOT_FINITE(epoch) || epoch % kMicrosPerMilli != 0)
      report_bad_epoch_argument(epoch);
    settings.epoch_unix_ms = unix_ms_of_pg_timestamp(epoch);
  }
  if (!PG_ARGISNULL(kWorkerBitsArgument))
    settings.worker_bits = PG_GETARG_INT32(kWorkerBitsArgument);
  if (!PG_ARGISNULL(kSequenceBitsArgument))
    settings.sequence_bits = PG_GETARG_INT32(kSequenceBitsArgument);
  return checked_layout(settings);
}

// Decodes an id, refusing negative ones: no layout has a sign bit.
IdFields checked_decode(const Layout& layout, std::int64_t id) {
  if (id < 0) report_negative_id(id);
  return layout.decode(id);
}

// The id's millisecond as a timestamptz, or ERROR when PostgreSQL cannot hold it.
TimestampTz timestamp_of_id(const Layout& layout, std::int64_t id, const IdFields& fields) {
  std::int64_t pg_timestamp = 0;
  if (!pg_timestamp_of_layout_ms(layout, fields.ms_since_epoch, &pg_timestamp))
    report_id_time_out_of_range(layout, id);
  return pg_timestamp;
}

}  // namespace
}  // namespace snowflake::pg

using snowflake::IdFields;
using snowflake::Layout;

// The three fields of an id: its millisecond, worker id and sequence number.
Datum snowflake_decode(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  const std::int64_t id = PG_GETARG_INT64(0);
  const Layout layout = snowflake::pg::requested_layout(fcinfo);
  const IdFields fields = snowflake::pg::checked_decode(layout, id);

  const TupleDesc result_type = snowflake::pg::record_result_type(fcinfo);
  Datum values[snowflake::pg::kDecodeColumns] = {
      TimestampTzGetDatum(snowflake::pg::timestamp_of_id(layout, id, fields)),
      Int32GetDatum(fields.worker_id),
      Int32GetDatum(fields.sequence),
  };
  bool nulls[snowflake::pg::kDecodeColumns] = {false, false, false};
  return HeapTupleGetDatum(heap_form_tuple(result_type, values, nulls));
}

// The millisecond an id was made in.
Datum snowflake_to_timestamp(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  const std::int64_t id = PG_GETARG_INT64(0);
  const Layout layout = snowflake::pg::requested_layout(fcinfo);
  const IdFields fields = snowflake::pg::checked_decode(layout, id);
  PG_RETURN_TIMESTAMPTZ(snowflake::pg::timestamp_of_id(layout, id, fields));
}

// The smallest id of the millisecond containing a timestamp, for range scans by time.
Datum snowflake_from_timestamp(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  const TimestampTz timestamp = PG_GETARG_TIMESTAMPTZ(0);
  if (TIMESTAMP_NOT_FINITE(timestamp)) snowflake::pg::report_infinite_timestamp();
  const Layout layout = snowflake::pg::requested_layout(fcinfo);
  const snowflake::FirstId first =
      snowflake::first_id_at_unix_ms(layout, snowflake::unix_ms_of_pg_timestamp(timestamp));
  if (first.status != snowflake::TimestampStatus::ok)
    snowflake::pg::report_timestamp_status(first.status, layout, timestamp);
  PG_RETURN_INT64(first.id);
}
