// Parses the text form of the snowflake column type: decimal only, spaces around an optionally
// signed run of decimal digits. That is the text bigint writes, and what bigint reads on every
// PostgreSQL version, so every bigint's text reads back as the same snowflake. From PostgreSQL 16
// bigint also reads 0x, 0o and 0b prefixes and _ between digits; a snowflake refuses them on every
// version, so that a text means the same id everywhere or nothing. Negative values are refused
// too: no snowflake id has its sign bit set.
#pragma once

#include "core/no_postgres.h"

#include <cstdint>

namespace snowflake {

enum class IdTextStatus : std::uint8_t {
  ok,
  bad_syntax,    // not spaces, an optional sign, at least one digit, spaces
  out_of_range,  // above 9223372036854775807
  negative,      // a minus sign before a nonzero value
};

struct ParsedId {
  IdTextStatus status;
  std::int64_t id;  // when ok
};

// Reads a NUL-terminated text; "-0" is 0, as it is for bigint.
ParsedId parse_id_text(const char* text) noexcept;

}  // namespace snowflake
