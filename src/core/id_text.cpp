#include "core/id_text.h"

#include <limits>

namespace snowflake {
namespace {

// The characters C's isspace() accepts in the C locale, without depending on the locale.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

ParsedId parse_id_text(const char* text) noexcept {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const char* next = text;
  while (is_space(*next)) ++next;
  const bool minus = *next == '-';
  if (*next == '-' || *next == '+') ++next;
  if (!is_digit(*next)) return {IdTextStatus::bad_syntax, 0};

  std::int64_t value = 0;
  bool overflow = false;
  for (; is_digit(*next); ++next) {
    const int digit = *next - '0';
    if (value > (kMax - digit) / 10) overflow = true;
    if (!overflow) value = value * 10 + digit;
  }
  while (is_space(*next)) ++next;
  if (*next != '\0') return {IdTextStatus::bad_syntax, 0};
  if (minus && (overflow || value != 0)) return {IdTextStatus::negative, 0};
  if (overflow) return {IdTextStatus::out_of_range, 0};
  return {IdTextStatus::ok, value};
}

}  // namespace snowflake
