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

namespace {

// What is wrong with widths Layout::check refused: the parts of either report below.
struct LayoutProblem {
  const char* message;
  const char* detail;
  const char* hint;
};

LayoutProblem layout_problem(LayoutStatus status, int worker_bits, int sequence_bits) {
  switch (status) {
    case LayoutStatus::ok:
      break;
    case LayoutStatus::worker_bits_out_of_range:
      return {psprintf("worker_bits %d is out of range", worker_bits),
              psprintf("Worker bits must be between 0 and %d.", kMaxWorkerBits), nullptr};
    case LayoutStatus::sequence_bits_out_of_range:
      return {psprintf("sequence_bits %d is out of range", sequence_bits),
              psprintf("Sequence bits must be between 0 and %d.", kMaxSequenceBits), nullptr};
    case LayoutStatus::too_few_timestamp_bits:
      return {psprintf("worker_bits %d and sequence_bits %d leave too few timestamp bits",
                       worker_bits, sequence_bits),
              psprintf("The timestamp gets the %d bits left of 63; it needs at least %d.",
                       kPayloadBits - worker_bits - sequence_bits, kMinTimestampBits),
              psprintf("Keep worker_bits + sequence_bits at or below %d.",
                       kPayloadBits - kMinTimestampBits)};
    case LayoutStatus::too_many_timestamp_bits:
      return {"worker_bits and sequence_bits cannot both be 0",
              "At least one bit must tell apart the ids of a millisecond.", nullptr};
  }
  return {"the layout is valid", nullptr, nullptr};
}

// A layout's epoch and widths, for messages that compare two.
const char* layout_text(const Layout& layout) {
  return psprintf("epoch %s, %d worker bits, %d sequence bits", layout_ms_text(layout, 0),
                  layout.worker_bits(), layout.sequence_bits());
}

}  // namespace

void report_bad_layout(LayoutStatus status, int worker_bits, int sequence_bits) {
  const LayoutProblem problem = layout_problem(status, worker_bits, sequence_bits);
  ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", problem.message),
                  problem.detail ? errdetail("%s", problem.detail) : 0,
                  problem.hint ? errhint("%s", problem.hint) : 0));
  pg_unreachable();
}

void refuse_layout_at_startup(LayoutStatus status, int worker_bits, int sequence_bits) {
  const LayoutProblem problem = layout_problem(status, worker_bits, sequence_bits);
  ereport(FATAL, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                  errmsg("invalid snowflake layout: snowflake.%s", problem.message),
                  problem.detail ? errdetail("%s", problem.detail) : 0,
                  problem.hint ? errhint("%s", problem.hint) : 0));
  pg_unreachable();
}

void refuse_worker_id_at_startup(int worker_id, const Layout& layout) {
  ereport(FATAL,
          (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
           errmsg("snowflake.worker_id = %d does not fit snowflake.worker_bits = %d", worker_id,
                  layout.worker_bits()),
           errdetail("With snowflake.worker_bits = %d, worker ids run from 0 to %d; a larger one "
                     "would spill into the timestamp bits and repeat ids.",
                     layout.worker_bits(), layout.max_worker_id()),
           errhint("Set snowflake.worker_id and snowflake.worker_bits together in "
                   "postgresql.conf, then start the server.")));
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
                    errdetail("A snowflake is written in decimal digits, with no 0x, 0o or 0b "
                              "prefix and no underscores.")));
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

namespace {

// Why snowflake_nextval() cannot run on this server, for its error and the install warning.
void report_not_ready(NotReady reason, int elevel) {
  if (reason == NotReady::not_preloaded)
    ereport(elevel,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("snowflake must be loaded via shared_preload_libraries"),
             errdetail("The id generator lives in shared memory, which is set up at server start; "
                       "until then snowflake_nextval() fails. Decoding works."),
             errhint("Add snowflake to shared_preload_libraries in postgresql.conf and restart "
                     "the server.")));
  else
    ereport(elevel,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("snowflake.worker_id is not set"),
             errdetail("Every server that generates ids needs a worker id of its own; two servers "
                       "with the same one can issue the same id."),
             errhint("Set snowflake.worker_id in postgresql.conf to a number no other server "
                     "uses, and restart the server.")));
}

}  // namespace

void report_not_preloaded() {
  report_not_ready(NotReady::not_preloaded, ERROR);
  pg_unreachable();
}

void report_worker_id_unset() {
  report_not_ready(NotReady::worker_id_unset, ERROR);
  pg_unreachable();
}

void warn_not_ready(NotReady reason) { report_not_ready(reason, WARNING); }

void report_in_recovery(const char* function) {
  ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                  errmsg("cannot execute %s() during recovery", function),
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
           errdetail("Ids may run at most snowflake.max_clock_lead = %lld ms ahead of the clock; "
                     "the clock must advance %lld ms more, and %lld ms were spent waiting "
                     "within snowflake.clock_wait_timeout = %d ms.",
                     static_cast<long long>(max_clock_lead_ms), static_cast<long long>(needed_ms),
                     static_cast<long long>(waited_ms), clock_wait_timeout_ms),
           errhint("Check the system clock and its time synchronization. Raising "
                   "snowflake.max_clock_lead lets ids run further ahead of the clock.")));
  pg_unreachable();
}

void warn_about_clock_at_startup(const Layout& layout, std::int64_t now_unix_ms) {
  if (now_unix_ms < layout.epoch_unix_ms())
    ereport(WARNING, (errmsg("the system clock is before snowflake.epoch"),
                      errdetail("The clock reads %s; ids count milliseconds from %s.",
                                unix_ms_text(now_unix_ms), layout_ms_text(layout, 0)),
                      errhint("snowflake_nextval() fails until the clock is past the epoch; "
                              "check the clock's time synchronization.")));
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

void report_clock_before_epoch(const Layout& layout, std::int64_t now_unix_ms) {
  ereport(ERROR,
          (errcode(ERRCODE_SYSTEM_ERROR), errmsg("the system clock is before the snowflake epoch"),
           errdetail("The clock reads %s; ids count milliseconds from %s.",
                     unix_ms_text(now_unix_ms), layout_ms_text(layout, 0)),
           errhint("Set the system clock; ids are issued as soon as it is past the "
                   "epoch. If the epoch is wrong, fix snowflake.epoch.")));
  pg_unreachable();
}

void report_clock_past_range(const Layout& layout, std::int64_t now_unix_ms,
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

void report_layout_changed(const IssuedIds& issued, const Layout& layout, int worker_id) {
  ereport(ERROR,
          (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
           errmsg("snowflake layout changed since this server last issued ids"),
           errdetail("Ids up to %s were issued with %s and worker id %d; the server now runs "
                     "with %s and worker id %d, under which a new id could repeat or fall "
                     "below an old one.",
                     unix_ms_text(issued.lease_end_unix_ms), layout_text(issued.layout),
                     issued.worker_id, layout_text(layout), worker_id),
           errhint("Restore the previous snowflake settings and restart the server. If no new "
                   "id can ever meet an old one, a superuser can accept the change with SELECT "
                   "snowflake_accept_layout_change().")));
  pg_unreachable();
}

void note_layout_change(LayoutChange change, const IssuedIds& issued, const Layout& layout,
                        int worker_id) {
  if (change == LayoutChange::none) return;
  const bool may_sort_below = change == LayoutChange::ids_may_sort_below;
  ereport(change == LayoutChange::ids_stay_above ? LOG : WARNING,
          (errmsg("snowflake: ids up to %s were issued with %s and worker id %d; the server now "
                  "runs with %s and worker id %d",
                  unix_ms_text(issued.lease_end_unix_ms), layout_text(issued.layout),
                  issued.worker_id, layout_text(layout), worker_id),
           change == LayoutChange::ids_may_repeat
               ? errdetail("snowflake_nextval() refuses to run: a new id could repeat an old one.")
           : may_sort_below
               ? errdetail("New ids cannot repeat old ones (the worker ids differ), but may "
                           "sort below them.")
               : errdetail("Every new id is above every id issued before.")));
}

void report_id_past_range(std::int64_t id) {
  ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                  errmsg("no snowflake id after %lld fits this server's layout",
                         static_cast<long long>(id))));
  pg_unreachable();
}

void report_id_too_far_ahead(std::int64_t id, std::int64_t ahead_ms) {
  ereport(ERROR,
          (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
           errmsg("snowflake id %lld is %lld ms ahead of the clock", static_cast<long long>(id),
                  static_cast<long long>(ahead_ms)),
           errdetail("snowflake.max_clock_lead = %lld ms lets ids run at most that far ahead; "
                     "every new id would have to wait for the clock.",
                     static_cast<long long>(max_clock_lead_ms)),
           errhint("Check that the id was made with this server's layout. To issue ids above "
                   "it now, raise snowflake.max_clock_lead and reload.")));
  pg_unreachable();
}

void report_lease_file_damaged() {
  ereport(ERROR,
          (errcode(ERRCODE_DATA_CORRUPTED),
           errmsg("snowflake lease file \"snowflake.lease\" holds no valid lease"),
           errdetail("It records how far this server may have issued ids; without it a new id "
                     "could repeat an old one."),
           errhint("Restore the file from a backup of this data directory and restart the "
                   "server. Or remove it, restart, and before the first new id run SELECT "
                   "snowflake_advance_past(id) with the largest id this server issued.")));
  pg_unreachable();
}

void report_lease_wait_interrupted() {
  ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED),
                  errmsg("canceling the wait for synchronous standbys to confirm the snowflake "
                         "lease"),
                  errdetail("No id was issued under the unconfirmed lease.")));
  pg_unreachable();
}

void report_lease_replay_write_failed() {
  ereport(WARNING,
          (errcode_for_file_access(),
           errmsg("could not write snowflake lease file \"snowflake.lease\": %m"),
           errdetail("WAL replay waits until the lease it replays is durable in the file, and "
                     "retries every second; the server keeps serving queries."),
           errhint("Make the data directory writable, or free disk space.")));
}

void note_layout_change_accepted(const IssuedIds& issued, const Layout& layout, int worker_id) {
  ereport(WARNING,
          (errmsg("snowflake layout change accepted: ids up to %s were issued with %s and worker "
                  "id %d; new ids use %s and worker id %d",
                  unix_ms_text(issued.lease_end_unix_ms), layout_text(issued.layout),
                  issued.worker_id, layout_text(layout), worker_id),
           errdetail("New ids may repeat or fall below those issued before.")));
}

}  // namespace snowflake::pg
