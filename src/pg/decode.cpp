// Decoding ids and turning timestamps into id bounds. Pure arithmetic on the settings: these
// work without shared_preload_libraries.
#include "core/layout.h"
#include "core/time_math.h"
#include "pg/errors.h"
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

constexpr int kDecodeColumns = 3;

IdFields checked_decode(const Layout& layout, std::int64_t id) {
  if (id < 0) report_negative_id(id);
  return layout.decode(id);
}

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
  const std::int64_t id = PG_GETARG_INT64(0);
  const Layout layout = snowflake::pg::configured_layout();
  const IdFields fields = snowflake::pg::checked_decode(layout, id);

  TupleDesc result_type;
  if (get_call_result_type(fcinfo, nullptr, &result_type) != TYPEFUNC_COMPOSITE)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("function returning record called in context that cannot accept "
                           "type record")));
  result_type = BlessTupleDesc(result_type);
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
  const std::int64_t id = PG_GETARG_INT64(0);
  const Layout layout = snowflake::pg::configured_layout();
  const IdFields fields = snowflake::pg::checked_decode(layout, id);
  PG_RETURN_TIMESTAMPTZ(snowflake::pg::timestamp_of_id(layout, id, fields));
}

// The smallest id of the millisecond containing a timestamp, for range scans by time.
Datum snowflake_from_timestamp(PG_FUNCTION_ARGS) {
  const TimestampTz timestamp = PG_GETARG_TIMESTAMPTZ(0);
  if (TIMESTAMP_NOT_FINITE(timestamp)) snowflake::pg::report_infinite_timestamp();
  const Layout layout = snowflake::pg::configured_layout();
  const snowflake::FirstId first =
      snowflake::first_id_at_unix_ms(layout, snowflake::unix_ms_of_pg_timestamp(timestamp));
  if (first.status != snowflake::TimestampStatus::ok)
    snowflake::pg::report_timestamp_status(first.status, layout, timestamp);
  PG_RETURN_INT64(first.id);
}
