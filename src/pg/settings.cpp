// Defines and validates the snowflake.* settings.
//
// A value in postgresql.conf that a check hook rejects is only a WARNING when the library
// defines its settings, and the server would then run with the default: a different epoch, or
// no worker id. So while preloading we capture the configured text first and check it again
// afterwards at FATAL, the way PostgreSQL refuses to start on a bad core setting.
#include "pg/settings.h"

#include "core/clock.h"
#include "core/time_math.h"
#include "core/worker_claim.h"
#include "core/timestamp_text.h"
#include "pg/timestamps.h"

#include <climits>

extern "C" {
#include "postgres.h"

#include "utils/guc.h"
}

namespace snowflake::pg {

int worker_id = kWorkerIdUnset;
std::int64_t max_clock_lead_ms = kDefaultMaxClockLeadMs;
int clock_wait_timeout_ms = 10 * 1000;
char* registry_conninfo = nullptr;
int registry_ttl_ms = static_cast<int>(kDefaultClaimTtlMs);

namespace {

// snowflake.max_clock_lead is a real number of ms, so that it can reach years (an int of ms
// stops at 24.8 days, short of a month-long clock glitch) and still take 500ms.
constexpr double kMaxClockLeadLimitMs = 100.0 * 365 * 24 * 60 * 60 * 1000;
double max_clock_lead_setting_ms = kDefaultMaxClockLeadMs;

int worker_bits = kDefaultWorkerBits;
int sequence_bits = kDefaultSequenceBits;
char* epoch_text = nullptr;
std::int64_t epoch_unix_ms = kTwitterEpochUnixMs;
Layout startup_layout = Layout::twitter();

// Settings that take effect at server start, in definition order: the worker id is checked
// against the worker bits, so the bits come first.
constexpr const char* kStartupSettings[] = {
    "snowflake.worker_bits",
    "snowflake.sequence_bits",
    "snowflake.epoch",
    "snowflake.worker_id",
};
constexpr int kStartupSettingCount = sizeof(kStartupSettings) / sizeof(kStartupSettings[0]);
char* configured_text[kStartupSettingCount];

constexpr std::int64_t kMsPerYear = 365LL * 24 * 60 * 60 * 1000;

// A sentence saying what is wrong with a timestamp text, for errdetail.
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

// What is wrong with widths Layout::check refused: the parts of either report below.
struct LayoutProblem {
  const char* message;
  const char* detail;
  const char* hint;
};

// The report of a refused layout, for both the setting's check and the server's start.
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

// Widths a caller passed that make no layout.
[[noreturn]] void report_bad_layout(LayoutStatus status, int worker_bits, int sequence_bits) {
  const LayoutProblem problem = layout_problem(status, worker_bits, sequence_bits);
  ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", problem.message),
                  problem.detail ? errdetail("%s", problem.detail) : 0,
                  problem.hint ? errhint("%s", problem.hint) : 0));
  pg_unreachable();
}

// Widths in the configuration that make no layout: the server does not start.
[[noreturn]] void refuse_layout_at_startup(LayoutStatus status, int worker_bits,
                                           int sequence_bits) {
  const LayoutProblem problem = layout_problem(status, worker_bits, sequence_bits);
  ereport(FATAL, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                  errmsg("invalid snowflake layout: snowflake.%s", problem.message),
                  problem.detail ? errdetail("%s", problem.detail) : 0,
                  problem.hint ? errhint("%s", problem.hint) : 0));
  pg_unreachable();
}

// A configured worker id the worker bits cannot hold: the server does not start.
[[noreturn]] void refuse_worker_id_at_startup(int worker_id, const Layout& layout) {
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

// Not errors. At server start, a WARNING when the clock is before the epoch, or the layout's
// range has ended or ends within a year, so the operator hears of it before
// snowflake_nextval() fails.
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

// snowflake.epoch: an ISO 8601 timestamp with a zone, not before 1970. It is checked without
// reading the clock: a machine that boots before its clock is set must still start.
bool check_epoch(char** new_value, void** /*extra*/, GucSource /*source*/) {
  const ParsedTimestamp parsed = parse_timestamp_text(*new_value);
  if (parsed.status != TimestampTextStatus::ok) {
    GUC_check_errdetail("%s", timestamp_text_problem(parsed.status));
    GUC_check_errhint("Write it like '2010-11-04 01:42:54.657+00'.");
    return false;
  }
  if (parsed.unix_ms < 0) {
    GUC_check_errdetail("The epoch must not be before 1970-01-01 00:00:00+00.");
    return false;
  }
  return true;
}

// Assign hooks must not fail; the check hook has already accepted this text.
void assign_epoch(const char* new_value, void* /*extra*/) {
  epoch_unix_ms = parse_timestamp_text(new_value).unix_ms;
}

// The settings that fix the layout and the worker id: they must not change under a running
// generator.
void define_startup_settings(GucContext context) {
  DefineCustomIntVariable(
      "snowflake.worker_bits", "Number of bits of an id that hold the worker id.",
      "Takes effect at server start. Changing it on a server that already issued ids breaks "
      "their order.",
      &worker_bits, kDefaultWorkerBits, 0, kMaxWorkerBits, context, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "snowflake.sequence_bits", "Number of bits of an id that count ids within a millisecond.",
      "Takes effect at server start. Changing it on a server that already issued ids breaks "
      "their order.",
      &sequence_bits, kDefaultSequenceBits, 0, kMaxSequenceBits, context, 0, nullptr, nullptr,
      nullptr);
  DefineCustomStringVariable(
      "snowflake.epoch", "Moment from which ids count milliseconds.",
      "An ISO 8601 timestamp with time zone, such as '2010-11-04 01:42:54.657+00'. Takes effect "
      "at server start. Changing it on a server that already issued ids breaks their order.",
      &epoch_text, kTwitterEpochText, context, 0, check_epoch, assign_epoch, nullptr);
  DefineCustomIntVariable(
      "snowflake.worker_id", "Worker id this server writes into every id it generates.",
      "Every server that generates ids needs its own. -1 means not set: the server then claims "
      "one from snowflake.registry, or without a registry snowflake_nextval() refuses to run. "
      "With a registry, the registry confirms that no other server holds it. Takes effect at "
      "server start.",
      &worker_id, kWorkerIdUnset, kWorkerIdUnset, (1 << kMaxWorkerBits) - 1, context, 0, nullptr,
      nullptr, nullptr);
  // May hold a password: only superusers see it.
  DefineCustomStringVariable(
      "snowflake.registry",
      "Connection string of the database whose snowflake_registry hands out worker ids.",
      "A libpq connection string. Empty: no registry, snowflake.worker_id is used as it is. "
      "Takes effect at server start.",
      &registry_conninfo, "", context, GUC_SUPERUSER_ONLY, nullptr, nullptr, nullptr);
}

// The generator compares whole milliseconds.
void assign_max_clock_lead(double new_value, void* /*extra*/) {
  max_clock_lead_ms = static_cast<std::int64_t>(new_value);
}

// The settings that only bound how the generator behaves, safe to change at any time.
void define_runtime_settings() {
  DefineCustomRealVariable(
      "snowflake.max_clock_lead", "How far ids may run ahead of the wall clock.",
      "Ids borrow milliseconds ahead of the clock when it steps back or when more than the "
      "sequence allows are wanted in one millisecond. Past this lead, callers wait for the clock.",
      &max_clock_lead_setting_ms, max_clock_lead_setting_ms, 0, kMaxClockLeadLimitMs, PGC_SIGHUP,
      GUC_UNIT_MS, nullptr, assign_max_clock_lead, nullptr);
  DefineCustomIntVariable(
      "snowflake.registry_ttl", "How long a worker id claimed from snowflake.registry lasts.",
      "The server renews its claim three times per ttl, and stops issuing ids a tenth of it "
      "(at least a second) before the claim could expire, should it fail to renew. Another "
      "server may take the worker id over once it expired.",
      &registry_ttl_ms, registry_ttl_ms, static_cast<int>(kMinClaimTtlMs),
      static_cast<int>(kMaxClaimTtlMs), PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "snowflake.clock_wait_timeout",
      "How long snowflake_nextval() waits for the clock before failing.",
      "A wait that cannot end within this time fails at once. 0 waits as long as it takes.",
      &clock_wait_timeout_ms, clock_wait_timeout_ms, 0, INT_MAX, PGC_USERSET, GUC_UNIT_MS, nullptr,
      nullptr, nullptr);
}

}  // namespace

void define_settings(bool preloading) {
  if (preloading) {
    for (int i = 0; i < kStartupSettingCount; ++i) {
      const char* text = GetConfigOption(kStartupSettings[i], true, false);
      configured_text[i] = text == nullptr ? nullptr : pstrdup(text);
    }
  }
  // guc.c FATALs on a PGC_POSTMASTER setting defined after startup. Without preloading nothing
  // is cached at startup, so following the configuration file on reload is correct there.
  define_startup_settings(preloading ? PGC_POSTMASTER : PGC_SIGHUP);
  define_runtime_settings();
  MarkGUCPrefixReserved("snowflake");
}

void check_settings_at_startup() {
  for (int i = 0; i < kStartupSettingCount; ++i) {
    if (configured_text[i] != nullptr)
      (void)set_config_option(kStartupSettings[i], configured_text[i], PGC_POSTMASTER, PGC_S_FILE,
                              GUC_ACTION_SET, false, FATAL, false);
  }
  const LayoutStatus status = Layout::check(worker_bits, sequence_bits);
  if (status != LayoutStatus::ok) refuse_layout_at_startup(status, worker_bits, sequence_bits);
  startup_layout = Layout(worker_bits, sequence_bits, epoch_unix_ms);
  if (worker_id != kWorkerIdUnset && !startup_layout.fits_worker_id(worker_id))
    refuse_worker_id_at_startup(worker_id, startup_layout);
  // The clock only warns: a server must start before its clock is set, and in 2080. It
  // cannot issue ids then, and says so on every call.
  warn_about_clock_at_startup(startup_layout, realtime_unix_ms());
}

const Layout& generator_layout() { return startup_layout; }

bool registry_configured() { return registry_conninfo != nullptr && registry_conninfo[0] != '\0'; }

LayoutSettings layout_settings() {
  return LayoutSettings{worker_bits, sequence_bits, epoch_unix_ms};
}

Layout checked_layout(const LayoutSettings& settings) {
  const LayoutStatus status = Layout::check(settings.worker_bits, settings.sequence_bits);
  if (status != LayoutStatus::ok)
    report_bad_layout(status, settings.worker_bits, settings.sequence_bits);
  return Layout(settings.worker_bits, settings.sequence_bits, settings.epoch_unix_ms);
}

}  // namespace snowflake::pg
