#include "pg/errors.h"

#include "pg/settings.h"
#include "pg/timestamps.h"

extern "C" {
#include "postgres.h"

#include "utils/timestamp.h"
}

namespace snowflake::pg {

namespace {
constexpr std::int64_t kMsPerYear = 365LL * 24 * 60 * 60 * 1000;
constexpr const char* kNeverNegative =
    "Snowflake ids are never negative: their sign bit is always 0.";
}  // namespace

const char* timestamp_text_problem(TimestampTextStatus status) {
  switch (status) {
    case TimestampTextStatus::ok:
      break;
    case TimestampTextStatus::bad_syntax:
      return "It is not an ISO 8601 timestamp of the form YYYY-MM-DD HH:MM:SS.mmm+HH.";
    case TimestampTextStatus::no_time_zone:
      return "It has no time zone, so its meaning would depend on the server's TimeZone.";
    case TimestampTextStatus::sub_millisecond:
      return "It is more precise than a millisecond, the unit of snowflake ids.";
    case TimestampTextStatus::no_such_date:
      return "It names a date, time or UTC offset that does not exist.";
  }
  return "It is valid.";
}

void report_layout_status(LayoutStatus status, int worker_bits, int sequence_bits, int elevel) {
  switch (status) {
    case LayoutStatus::ok:
      break;
    case LayoutStatus::worker_bits_out_of_range:
      ereport(elevel, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                       errmsg("worker_bits %d is out of range", worker_bits),
                       errdetail("Worker bits must be between 0 and %d.", kMaxWorkerBits)));
      break;
    case LayoutStatus::sequence_bits_out_of_range:
      ereport(elevel, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                       errmsg("sequence_bits %d is out of range", sequence_bits),
                       errdetail("Sequence bits must be between 0 and %d.", kMaxSequenceBits)));
      break;
    case LayoutStatus::too_few_timestamp_bits:
      ereport(elevel, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                       errmsg("worker_bits %d and sequence_bits %d leave too few timestamp bits",
                              worker_bits, sequence_bits),
                       errdetail("The timestamp gets the %d bits left of 63; it needs at least %d.",
                                 kPayloadBits - worker_bits - sequence_bits, kMinTimestampBits),
                       errhint("Keep worker_bits + sequence_bits at or below %d.",
                               kPayloadBits - kMinTimestampBits)));
      break;
    case LayoutStatus::too_many_timestamp_bits:
      ereport(elevel, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                       errmsg("worker_bits and sequence_bits cannot both be 0"),
                       errdetail("At least one bit must tell apart the ids of a millisecond.")));
      break;
  }
  pg_unreachable();
}

void report_negative_id(std::int64_t id) {
  ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                  errmsg("invalid snowflake id %lld", static_cast<long long>(id)),
                  errdetail("%s", kNeverNegative)));
  pg_unreachable();
}

void report_id_text_status(IdTextStatus status, const char* text) {
  if (status == IdTextStatus::bad_syntax)
    ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
                    errmsg("invalid input syntax for type snowflake: \"%s\"", text),
                    errdetail("A snowflake is written as decimal digits.")));
  ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                  errmsg("value \"%s\" is out of range for type snowflake", text),
                  status == IdTextStatus::negative
                      ? errdetail("%s", kNeverNegative)
                      : errdetail("The largest snowflake is 9223372036854775807.")));
  pg_unreachable();
}

void report_negative_snowflake(std::int64_t value) {
  ereport(ERROR,
          (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
           errmsg("value %lld is out of range for type snowflake", static_cast<long long>(value)),
           errdetail("%s", kNeverNegative)));
  pg_unreachable();
}

void report_id_time_out_of_range(const Layout& layout, std::int64_t id) {
  ereport(ERROR,
          (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
           errmsg("timestamp of snowflake id %lld is out of range", static_cast<long long>(id)),
           errdetail("With %d timestamp bits from epoch %s, it lies past the end of "
                     "PostgreSQL's timestamp range.",
                     layout.timestamp_bits(), layout_ms_text(layout, 0))));
  pg_unreachable();
}

void report_timestamp_status(TimestampStatus status, const Layout& layout,
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

void report_infinite_timestamp() {
  ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                  errmsg("cannot convert an infinite timestamp to a snowflake id")));
  pg_unreachable();
}

void report_bad_epoch_argument(std::int64_t pg_timestamp) {
  ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                  errmsg("invalid epoch %s", timestamptz_to_str(pg_timestamp)),
                  errdetail("An epoch is a finite timestamp of a whole millisecond.")));
  pg_unreachable();
}

void report_batch_size(std::int64_t requested, std::int64_t maximum) {
  ereport(ERROR,
          (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
           errmsg("cannot generate %lld ids in one batch", static_cast<long long>(requested)),
           errdetail("A batch holds from 0 to %lld ids.", static_cast<long long>(maximum))));
  pg_unreachable();
}

void report_not_preloaded() {
  ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                  errmsg("snowflake must be loaded via shared_preload_libraries"),
                  errdetail("The id generator lives in shared memory, which is set up at "
                            "server start."),
                  errhint("Add snowflake to shared_preload_libraries in postgresql.conf and "
                          "restart the server.")));
  pg_unreachable();
}

void report_worker_id_unset() {
  ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                  errmsg("snowflake.worker_id is not set"),
                  errdetail("Every server that generates ids needs a worker id of its own; "
                            "two servers with the same one can issue the same id."),
                  errhint("Set snowflake.worker_id in postgresql.conf to a number no other "
                          "server uses, and restart the server.")));
  pg_unreachable();
}

void report_in_recovery() {
  ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                  errmsg("cannot execute snowflake_nextval() during recovery"),
                  errdetail("A standby would issue ids that collide with its primary's."),
                  errhint("Generate ids on the primary.")));
  pg_unreachable();
}

void report_range_exhausted(const Layout& layout) {
  ereport(ERROR,
          (errcode(ERRCODE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED), errmsg("snowflake ids have run out"),
           errdetail("With %d timestamp bits, the last millisecond an id can hold started at %s.",
                     layout.timestamp_bits(), layout_ms_text(layout, layout.max_ms())),
           errhint("A layout with fewer worker or sequence bits lasts longer.")));
  pg_unreachable();
}

void report_clock_behind(std::int64_t behind_ms, std::int64_t needed_ms, std::int64_t waited_ms) {
  ereport(ERROR,
          (errcode(ERRCODE_SYSTEM_ERROR),
           errmsg("the system clock is %lld ms behind the last snowflake id",
                  static_cast<long long>(behind_ms)),
           errdetail("Ids may run at most snowflake.max_clock_lead = %d ms ahead of the clock; "
                     "the clock must advance %lld ms more, and %lld ms were spent waiting "
                     "within snowflake.clock_wait_timeout = %d ms.",
                     max_clock_lead_ms, static_cast<long long>(needed_ms),
                     static_cast<long long>(waited_ms), clock_wait_timeout_ms),
           errhint("Check the system clock and its time synchronization. Raising "
                   "snowflake.max_clock_lead lets ids run further ahead of the clock.")));
  pg_unreachable();
}

void warn_if_range_ends_soon(const Layout& layout, std::int64_t now_unix_ms) {
  std::int64_t end_unix_ms = 0;
  if (!unix_ms_of_layout_ms(layout, layout.max_ms(), &end_unix_ms) ||
      end_unix_ms - now_unix_ms > kMsPerYear)
    return;
  ereport(WARNING, (errmsg(end_unix_ms < now_unix_ms ? "snowflake ids ran out at %s"
                                                     : "snowflake ids run out at %s",
                           layout_ms_text(layout, layout.max_ms())),
                    errdetail("The layout has %d timestamp bits from epoch %s.",
                              layout.timestamp_bits(), layout_ms_text(layout, 0)),
                    errhint("snowflake_nextval() fails once they have run out.")));
}

}  // namespace snowflake::pg
