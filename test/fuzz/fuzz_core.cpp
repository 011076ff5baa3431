// libFuzzer target for src/core: id layout arithmetic, time conversions, the epoch and id text
// parsers and the generator's clock and lease rules. The first input byte picks what to fuzz;
// the rest feeds that mode. Every broken invariant traps, so libFuzzer saves the input that
// broke it.
//
// Built by `make fuzz` with -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all, so a
// signed overflow or a read past the parser's NUL stops the run too.
#include "core/generator.h"
#include "core/id_text.h"
#include "core/layout.h"
#include "core/time_math.h"
#include "core/timestamp_text.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace snowflake {
namespace {

// Holds every sum, difference and ms-to-micros product of int64 values exactly.
using Wide = __int128;

enum class Mode : std::uint8_t {
  layout_round_trip,
  decode_any_id,
  time_math,
  timestamp_text,
  generator,
  id_text,
};
constexpr int kModeCount = 6;

constexpr std::int64_t kMsPerDay = 24 * 60 * 60 * 1000;

// Traps rather than asserts, so the check stays in every build and libFuzzer sees a crash.
void require(bool holds) {
  if (!holds) __builtin_trap();
}

// Every layout Layout::check accepts is reachable, and no other.
Layout fuzzed_layout(FuzzedDataProvider& input, std::int64_t epoch_unix_ms) {
  const int worker_bits = input.ConsumeIntegralInRange(0, kMaxWorkerBits);
  const int fewest_sequence_bits = std::max(0, kPayloadBits - kMaxTimestampBits - worker_bits);
  const int most_sequence_bits =
      std::min(kMaxSequenceBits, kPayloadBits - kMinTimestampBits - worker_bits);
  const int sequence_bits = input.ConsumeIntegralInRange(fewest_sequence_bits, most_sequence_bits);
  require(Layout::check(worker_bits, sequence_bits) == LayoutStatus::ok);
  return Layout(worker_bits, sequence_bits, epoch_unix_ms);
}

// Packing any in-range fields into an id and unpacking it gives them back, in id order.
void fuzz_layout_round_trip(FuzzedDataProvider& input) {
  const Layout layout = fuzzed_layout(input, kTwitterEpochUnixMs);
  const std::int64_t ms = input.ConsumeIntegralInRange<std::int64_t>(0, layout.max_ms());
  const std::int32_t worker_id = input.ConsumeIntegralInRange(0, layout.max_worker_id());
  const std::int32_t sequence = input.ConsumeIntegralInRange(0, layout.max_sequence());
  const std::uint64_t tick = layout.first_tick_of_ms(ms) | static_cast<std::uint64_t>(sequence);
  require(layout.ms_of_tick(tick) == ms);

  const std::int64_t id = layout.id_of_tick(tick, worker_id);
  const IdFields fields = layout.decode(id);
  require(id >= 0);
  require(fields.ms_since_epoch == ms && fields.worker_id == worker_id &&
          fields.sequence == sequence);
  require(layout.first_id_of_ms(ms) <= id);
  if (ms < layout.max_ms()) require(id < layout.first_id_of_ms(ms + 1));

  const std::uint64_t last_tick =
      layout.last_tick_of_same_ms(layout.first_tick_of_ms(layout.max_ms()));
  const std::uint64_t other_tick = input.ConsumeIntegralInRange<std::uint64_t>(0, last_tick);
  require((tick < other_tick) == (id < layout.id_of_tick(other_tick, worker_id)));
}

// decode() accepts any bigint a user passes (all non-negative ones), so each must be exact.
void fuzz_decode_any_id(FuzzedDataProvider& input) {
  const Layout layout = fuzzed_layout(input, kTwitterEpochUnixMs);
  const std::int64_t id = input.ConsumeIntegralInRange<std::int64_t>(0, INT64_MAX);
  const IdFields fields = layout.decode(id);
  require(fields.ms_since_epoch >= 0 && fields.ms_since_epoch <= layout.max_ms());
  require(fields.worker_id >= 0 && fields.worker_id <= layout.max_worker_id());
  require(fields.sequence >= 0 && fields.sequence <= layout.max_sequence());
  const std::uint64_t tick =
      layout.first_tick_of_ms(fields.ms_since_epoch) | static_cast<std::uint64_t>(fields.sequence);
  require(layout.id_of_tick(tick, fields.worker_id) == id);
}

// Whether an exact result can be returned as an int64.
bool fits_int64(Wide value) { return value >= INT64_MIN && value <= INT64_MAX; }

// A user's timestamp and epoch reach first_id_at_unix_ms unchecked: it must classify them
// exactly and, when ok, give the first id of exactly that millisecond.
void check_first_id(const Layout& layout, std::int64_t unix_ms) {
  const FirstId first = first_id_at_unix_ms(layout, unix_ms);
  const Wide ms_since_epoch = Wide{unix_ms} - layout.epoch_unix_ms();
  if (ms_since_epoch < 0) {
    require(first.status == TimestampStatus::before_epoch);
  } else if (ms_since_epoch > layout.max_ms()) {
    require(first.status == TimestampStatus::past_range);
  } else {
    require(first.status == TimestampStatus::ok && first.id >= 0);
    const IdFields fields = layout.decode(first.id);
    require(fields.ms_since_epoch == ms_since_epoch && fields.worker_id == 0 &&
            fields.sequence == 0);
  }
}

// Adding the epoch back either gives the exact sum or reports that it does not fit.
void check_unix_ms_of_layout_ms(const Layout& layout, std::int64_t ms_since_epoch) {
  const Wide exact = Wide{layout.epoch_unix_ms()} + ms_since_epoch;
  std::int64_t unix_ms = 0;
  const bool converted = unix_ms_of_layout_ms(layout, ms_since_epoch, &unix_ms);
  require(converted == fits_int64(exact) && (!converted || unix_ms == exact));
}

// Both directions between Unix ms and PostgreSQL microseconds agree wherever they are defined.
void check_pg_timestamps(std::int64_t unix_ms, std::int64_t pg_micros) {
  const Wide exact_micros = (Wide{unix_ms} - kPostgresEpochUnixMs) * kMicrosPerMilli;
  std::int64_t converted = 0;
  const bool fits = pg_timestamp_of_unix_ms(unix_ms, &converted);
  require(fits == fits_int64(exact_micros));
  if (fits) require(converted == exact_micros && unix_ms_of_pg_timestamp(converted) == unix_ms);

  const Wide start_micros =
      (Wide{unix_ms_of_pg_timestamp(pg_micros)} - kPostgresEpochUnixMs) * kMicrosPerMilli;
  require(start_micros <= pg_micros && pg_micros < start_micros + kMicrosPerMilli);
}

// floor_div against the definition of the floor: q <= dividend / divisor < q + 1.
void check_floor_div(std::int64_t dividend, std::int64_t divisor) {
  if (divisor == 0 || (dividend == INT64_MIN && divisor == -1)) return;  // undefined, as for '/'
  const Wide quotient = floor_div(dividend, divisor);
  const Wide low = quotient * divisor;
  const Wide high = (quotient + 1) * divisor;
  if (divisor > 0)
    require(low <= dividend && dividend < high);
  else
    require(high < dividend && dividend <= low);
}

// Epochs, timestamps and ids all come from users, so every int64 is fair game.
void fuzz_time_math(FuzzedDataProvider& input) {
  const std::int64_t epoch_unix_ms = input.ConsumeIntegral<std::int64_t>();
  const Layout layout = fuzzed_layout(input, epoch_unix_ms);
  const std::int64_t unix_ms = input.ConsumeIntegral<std::int64_t>();
  check_first_id(layout, unix_ms);
  check_unix_ms_of_layout_ms(layout, input.ConsumeIntegral<std::int64_t>());
  check_pg_timestamps(unix_ms, input.ConsumeIntegral<std::int64_t>());
  check_floor_div(input.ConsumeIntegral<std::int64_t>(), input.ConsumeIntegral<std::int64_t>());
}

// Prints unix_ms as 'YYYY-MM-DD HH:MM:SS.mmm+00' with Hinnant's civil_from_days, arithmetic
// independent of the parser's; false for a UTC year outside 0000-9999, which has no such form.
bool format_utc(std::int64_t unix_ms, char (&text)[32]) {
  const std::int64_t days = unix_ms / kMsPerDay - (unix_ms % kMsPerDay < 0 ? 1 : 0);
  const std::int64_t ms_of_day = unix_ms - days * kMsPerDay;
  const std::int64_t shifted_days = days + 719468;  // from 0000-03-01
  const std::int64_t era = (shifted_days >= 0 ? shifted_days : shifted_days - 146096) / 146097;
  const std::int64_t day_of_era = shifted_days - era * 146097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t march_based_month = (5 * day_of_year + 2) / 153;
  const std::int64_t day = day_of_year - (153 * march_based_month + 2) / 5 + 1;
  const std::int64_t month = march_based_month < 10 ? march_based_month + 3 : march_based_month - 9;
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return false;
  std::snprintf(
      text, sizeof text, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld.%03lld+00",
      static_cast<long long>(year), static_cast<long long>(month), static_cast<long long>(day),
      static_cast<long long>(ms_of_day / 3600000), static_cast<long long>(ms_of_day / 60000 % 60),
      static_cast<long long>(ms_of_day / 1000 % 60), static_cast<long long>(ms_of_day % 1000));
  return true;
}

// The rest of the input as a NUL-terminated text, exactly sized, so AddressSanitizer catches a
// parser reading past the NUL.
std::unique_ptr<char[]> remaining_text(FuzzedDataProvider& input) {
  const std::string bytes = input.ConsumeRemainingBytesAsString();
  std::unique_ptr<char[]> text(new char[bytes.size() + 1]);
  std::memcpy(text.get(), bytes.data(), bytes.size());
  text[bytes.size()] = '\0';
  return text;
}

// The parser reads only up to the NUL, and whatever it accepts is the instant it prints as.
void fuzz_timestamp_text(FuzzedDataProvider& input) {
  const std::unique_ptr<char[]> text = remaining_text(input);
  const ParsedTimestamp parsed = parse_timestamp_text(text.get());
  char utc_text[32];
  if (parsed.status != TimestampTextStatus::ok || !format_utc(parsed.unix_ms, utc_text)) return;
  const ParsedTimestamp reparsed = parse_timestamp_text(utc_text);
  require(reparsed.status == TimestampTextStatus::ok && reparsed.unix_ms == parsed.unix_ms);
}

// The snowflake type's parser reads only up to the NUL, and whatever it accepts is decimal (no
// base prefix, no separator: nothing but spaces, a sign and digits) and a non-negative id whose
// digits read back as the same id.
void fuzz_id_text(FuzzedDataProvider& input) {
  const std::unique_ptr<char[]> text = remaining_text(input);
  const ParsedId parsed = parse_id_text(text.get());
  if (parsed.status != IdTextStatus::ok) return;
  require(std::strspn(text.get(), " \t\n\r\f\v+-0123456789") == std::strlen(text.get()));
  require(parsed.id >= 0);
  char digits[24];
  std::snprintf(digits, sizeof digits, "%lld", static_cast<long long>(parsed.id));
  const ParsedId reparsed = parse_id_text(digits);
  require(reparsed.status == IdTextStatus::ok && reparsed.id == parsed.id);
}

// One generator and its clock, plus what the checks remember between operations.
struct GeneratorRun {
  explicit GeneratorRun(const Layout& fuzzed) : layout(fuzzed) {}

  const Layout layout;
  GeneratorState state;
  std::int64_t now_ms = 0;
  // Every tick issued so far lies below this one.
  std::uint64_t first_unissued_tick = 0;
};

// The first tick of a millisecond clamped to the layout's range, computed apart from the core.
std::uint64_t clamped_first_tick(const Layout& layout, std::int64_t ms) {
  const std::uint64_t end_ms = static_cast<std::uint64_t>(layout.max_ms()) + 1;
  const std::uint64_t ms_in_range = ms <= 0 ? 0 : std::min(static_cast<std::uint64_t>(ms), end_ms);
  return ms_in_range << layout.sequence_bits();
}

// Moves a reading without wrapping around: the core must cope with the extremes themselves.
std::int64_t saturating_add(std::int64_t ms, std::int64_t delta_ms) {
  return static_cast<std::int64_t>(std::clamp<Wide>(Wide{ms} + delta_ms, INT64_MIN, INT64_MAX));
}

// Steps the clock the ways real clocks move: a little either way (frozen included), a long way
// (an NTP step, a resumed VM), or to any reading at all.
void move_clock(FuzzedDataProvider& input, GeneratorRun& run) {
  switch (input.ConsumeIntegralInRange(0, 2)) {
    case 0:
      run.now_ms = saturating_add(run.now_ms, input.ConsumeIntegral<std::int8_t>());
      break;
    case 1:
      run.now_ms = saturating_add(run.now_ms, input.ConsumeIntegral<std::int32_t>());
      break;
    default:
      run.now_ms = input.ConsumeIntegral<std::int64_t>();
  }
}

// The claims a caller may keep: above everything issued, in one ms, within the lead and lease.
void check_issued(GeneratorRun& run, const Claim& claim, std::uint32_t wanted,
                  std::int64_t max_lead_ms, std::uint64_t lease_end_tick) {
  const Layout& layout = run.layout;
  const std::uint64_t last_tick = claim.first_tick + claim.count - 1;
  require(claim.count >= 1 && claim.count <= wanted);
  require(claim.first_tick >= run.first_unissued_tick);
  require(layout.ms_of_tick(claim.first_tick) == claim.first_ms);
  require(layout.ms_of_tick(last_tick) == claim.first_ms);
  require(claim.first_ms >= run.now_ms && claim.first_ms <= layout.max_ms());
  require(Wide{claim.first_ms} - run.now_ms <= max_lead_ms);
  require(last_tick < lease_end_tick);
  require(run.state.last_tick.load() == last_tick);
  run.first_unissued_tick = last_tick + 1;
}

// A claim with a fuzzed lead and batch size, checked against the state it started from; a
// refusal must name a reason that really holds and must leave the state alone.
void check_claim(FuzzedDataProvider& input, GeneratorRun& run) {
  const std::int64_t max_lead_ms = input.ConsumeIntegralInRange<std::int64_t>(0, INT64_MAX);
  const std::uint32_t wanted = input.ConsumeIntegralInRange<std::uint32_t>(1, UINT32_MAX);
  const std::uint64_t last_tick_before = run.state.last_tick.load();
  const std::uint64_t lease_end_tick = run.state.lease_end_tick.load();
  const Claim claim = claim_ticks(run.state, run.layout, run.now_ms, max_lead_ms, wanted);
  if (claim.status == ClaimStatus::issued) {
    check_issued(run, claim, wanted, max_lead_ms, lease_end_tick);
    return;
  }
  require(run.state.last_tick.load() == last_tick_before);
  switch (claim.status) {
    case ClaimStatus::clock_before_epoch:
      require(run.now_ms < 0);
      break;
    case ClaimStatus::clock_past_range:
      require(run.now_ms > run.layout.max_ms());
      break;
    case ClaimStatus::clock_behind:
      require(Wide{claim.first_ms} - run.now_ms > max_lead_ms);
      break;
    case ClaimStatus::lease_needed:
      require(claim.first_tick >= lease_end_tick);
      break;
    default:
      require(claim.status == ClaimStatus::range_exhausted && claim.first_ms > run.layout.max_ms());
  }
}

// Lease ends near the clock matter most; any other value must be clamped safely.
std::int64_t fuzzed_lease_end_ms(FuzzedDataProvider& input, std::int64_t now_ms) {
  if (input.ConsumeBool()) return saturating_add(now_ms, input.ConsumeIntegral<std::int16_t>());
  return input.ConsumeIntegral<std::int64_t>();
}

// Publishing a durable lease only ever lengthens it and never touches the issued ticks.
void check_publish_lease(FuzzedDataProvider& input, GeneratorRun& run) {
  const std::int64_t lease_end_ms = fuzzed_lease_end_ms(input, run.now_ms);
  const std::uint64_t last_tick_before = run.state.last_tick.load();
  const std::uint64_t lease_end_tick_before = run.state.lease_end_tick.load();
  publish_lease(run.state, run.layout, lease_end_ms);
  require(run.state.last_tick.load() == last_tick_before);
  require(run.state.lease_end_tick.load() ==
          std::max(lease_end_tick_before, clamped_first_tick(run.layout, lease_end_ms)));
}

// After a restart nothing below the resumed lease may be issued, and nothing issued is undone.
void check_resume_after_lease(FuzzedDataProvider& input, GeneratorRun& run) {
  const std::int64_t lease_end_ms = fuzzed_lease_end_ms(input, run.now_ms);
  const std::uint64_t last_tick_before = run.state.last_tick.load();
  const std::uint64_t lease_end_tick_before = run.state.lease_end_tick.load();
  resume_after_lease(run.state, run.layout, lease_end_ms);
  const std::uint64_t first_allowed_tick = clamped_first_tick(run.layout, lease_end_ms);
  require(run.state.last_tick.load() >= last_tick_before);
  require(run.state.last_tick.load() + 1 >= first_allowed_tick);
  require(run.state.lease_end_tick.load() >= std::max(lease_end_tick_before, first_allowed_tick));
}

// What the server does when a claim asks for a lease: skip it only while the lease still covers
// demand with margin (or the whole range); else lengthen it to cover demand, up to the range end.
void check_renew_lease(GeneratorRun& run) {
  const Layout& layout = run.layout;
  const std::int64_t range_end_ms = layout.max_ms() + 1;
  const std::int64_t next_ms = layout.ms_of_tick(run.state.last_tick.load() + 1);
  const std::int64_t demand_ms = std::max(run.now_ms, next_ms);
  const std::int64_t lease_end_ms = layout.ms_of_tick(run.state.lease_end_tick.load());
  const std::optional<std::int64_t> target = lease_renewal_target_ms(run.state, layout, run.now_ms);
  if (!target) {
    require(Wide{lease_end_ms} - demand_ms > kLeaseRenewMarginMs || lease_end_ms >= range_end_ms);
    return;
  }
  const std::int64_t target_ms = *target;
  require(target_ms > lease_end_ms && target_ms <= range_end_ms);
  require(target_ms >= std::min(demand_ms, range_end_ms));
  publish_lease(run.state, layout, target_ms);
}

// A history of clock moves, claims and lease changes on one generator, checked step by step.
void fuzz_generator(FuzzedDataProvider& input) {
  GeneratorRun run(fuzzed_layout(input, kTwitterEpochUnixMs));
  run.now_ms = input.ConsumeIntegral<std::int64_t>();
  while (input.remaining_bytes() > 0) {
    switch (input.ConsumeIntegralInRange(0, 4)) {
      case 0:
        move_clock(input, run);
        break;
      case 1:
        check_claim(input, run);
        break;
      case 2:
        check_publish_lease(input, run);
        break;
      case 3:
        check_resume_after_lease(input, run);
        break;
      default:
        check_renew_lease(run);
    }
  }
}

}  // namespace
}  // namespace snowflake

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snowflake;
  if (size == 0) return 0;
  FuzzedDataProvider input(data + 1, size - 1);
  switch (static_cast<Mode>(data[0] % kModeCount)) {
    case Mode::layout_round_trip:
      fuzz_layout_round_trip(input);
      break;
    case Mode::decode_any_id:
      fuzz_decode_any_id(input);
      break;
    case Mode::time_math:
      fuzz_time_math(input);
      break;
    case Mode::timestamp_text:
      fuzz_timestamp_text(input);
      break;
    case Mode::generator:
      fuzz_generator(input);
      break;
    case Mode::id_text:
      fuzz_id_text(input);
  }
  return 0;
}
