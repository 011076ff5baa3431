// Parses the text form of snowflake.epoch. The setting fixes the meaning of every id a server
// issues, so its syntax is deliberately narrow: ISO 8601 with an explicit time zone. Nothing
// may depend on the session's TimeZone or DateStyle, and words like 'now' are not timestamps.
#pragma once

#include "core/no_postgres.h"

#include <cstdint>

namespace snowflake {

enum class TimestampTextStatus : std::uint8_t {
  ok,
  bad_syntax,       // not YYYY-MM-DD[ HH:MM[:SS[.fff]]] followed by a zone
  no_time_zone,     // well formed, but the zone is missing
  sub_millisecond,  // a fraction finer than a millisecond (trailing zeros are fine)
  no_such_date,     // e.g. February 30th, hour 24, offset +16
};

struct ParsedTimestamp {
  TimestampTextStatus status;
  std::int64_t unix_ms;  // when ok
};

// Accepts YYYY-MM-DD, optionally followed by ' ' or 'T' and HH:MM[:SS[.fraction]], then a zone:
// Z, UTC, GMT, +HH, +HH:MM or +HHMM (or -). Spaces may precede the zone and end the text.
[[nodiscard]] ParsedTimestamp parse_timestamp_text(const char* text) noexcept;

}  // namespace snowflake
