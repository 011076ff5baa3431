// Conversions between Unix milliseconds, a layout's milliseconds since its epoch and
// PostgreSQL timestamps (microseconds since 2000-01-01). Every input here can come from a user
// (an id, a timestamp, an epoch), so each conversion that can overflow says so.
#pragma once

#include "core/no_postgres.h"

#include "core/layout.h"

#include <cstdint>

namespace snowflake {

// 2000-01-01 00:00:00 UTC, PostgreSQL's timestamp origin, in ms since 1970.
inline constexpr std::int64_t kPostgresEpochUnixMs = 946684800000;
inline constexpr std::int64_t kMicrosPerMilli = 1000;

// Rounds toward minus infinity: a time before an origin belongs to the ms that starts before it.
constexpr std::int64_t floor_div(std::int64_t dividend, std::int64_t divisor) noexcept {
  const std::int64_t quotient = dividend / divisor;
  const bool inexact = quotient * divisor != dividend;
  return (inexact && ((dividend < 0) != (divisor < 0))) ? quotient - 1 : quotient;
}

// The Unix millisecond that contains a PostgreSQL timestamp. Cannot overflow.
constexpr std::int64_t unix_ms_of_pg_timestamp(std::int64_t pg_micros) noexcept {
  return floor_div(pg_micros, kMicrosPerMilli) + kPostgresEpochUnixMs;
}

// The PostgreSQL timestamp of the start of a Unix millisecond; false if it overflows int64.
[[nodiscard]] inline bool pg_timestamp_of_unix_ms(std::int64_t unix_ms,
                                                  std::int64_t* pg_micros) noexcept {
  std::int64_t since_2000_ms = 0;
  return !__builtin_sub_overflow(unix_ms, kPostgresEpochUnixMs, &since_2000_ms) &&
         !__builtin_mul_overflow(since_2000_ms, kMicrosPerMilli, pg_micros);
}

// The Unix millisecond of a layout's millisecond; false if it overflows int64.
[[nodiscard]] inline bool unix_ms_of_layout_ms(const Layout& layout, std::int64_t ms_since_epoch,
                                               std::int64_t* unix_ms) noexcept {
  return !__builtin_add_overflow(layout.epoch_unix_ms(), ms_since_epoch, unix_ms);
}

enum class TimestampStatus : std::uint8_t {
  ok,
  before_epoch,  // earlier than the layout's epoch
  past_range,    // later than the last millisecond the timestamp bits can hold
};

struct FirstId {
  TimestampStatus status;
  std::int64_t id;  // when ok: the smallest id of the millisecond (worker 0, sequence 0)
};

// The smallest id of the millisecond containing unix_ms, so that ids made in [a, b) are
// exactly those with first_id(a) <= id < first_id(b).
[[nodiscard]] inline FirstId first_id_at_unix_ms(const Layout& layout,
                                                 std::int64_t unix_ms) noexcept {
  std::int64_t ms_since_epoch = 0;
  if (__builtin_sub_overflow(unix_ms, layout.epoch_unix_ms(), &ms_since_epoch))
    return FirstId{unix_ms < layout.epoch_unix_ms() ? TimestampStatus::before_epoch
                                                    : TimestampStatus::past_range,
                   0};
  if (ms_since_epoch < 0) return FirstId{TimestampStatus::before_epoch, 0};
  if (ms_since_epoch > layout.max_ms()) return FirstId{TimestampStatus::past_range, 0};
  return FirstId{TimestampStatus::ok, layout.first_id_of_ms(ms_since_epoch)};
}

}  // namespace snowflake
