#include "core/timestamp_text.h"

namespace snowflake {
namespace {

constexpr std::int64_t kMsPerMinute = 60 * 1000;
constexpr std::int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;
constexpr int kMaxOffsetHours = 15;  // PostgreSQL's own limit on UTC offsets

// Days from 1970-01-01 to a proleptic Gregorian date (era arithmetic: 400-year cycles).
constexpr std::int64_t days_since_1970(int year, int month, int day) noexcept {
  const int shifted_year = month <= 2 ? year - 1 : year;
  const int era = (shifted_year >= 0 ? shifted_year : shifted_year - 399) / 400;
  const int year_of_era = shifted_year - era * 400;
  const int day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return static_cast<std::int64_t>(era) * 146097 + day_of_era - 719468;
}

// Gregorian month lengths, for refusing dates such as February 30th.
constexpr int days_in_month(int year, int month) noexcept {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  return month == 2 && leap ? 29 : kDays[month - 1];
}

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

// A read position in a NUL-terminated string; every method consumes only on success.
class Cursor {
 public:
  explicit Cursor(const char* text) noexcept : at_(text) {}

  bool at_end() const noexcept { return *at_ == '\0'; }
  char peek() const noexcept { return *at_; }

  bool take(char expected) noexcept {
    if (*at_ != expected) return false;
    ++at_;
    return true;
  }

  // Exactly `count` digits as a number.
  bool take_digits(int count, int* value) noexcept {
    int result = 0;
    for (int i = 0; i < count; ++i) {
      if (!is_digit(at_[i])) return false;
      result = result * 10 + (at_[i] - '0');
    }
    at_ += count;
    *value = result;
    return true;
  }

  // A word, compared without regard to case.
  bool take_word(const char* word) noexcept {
    int length = 0;
    for (; word[length] != '\0'; ++length)
      if (lower(at_[length]) != word[length]) return false;
    at_ += length;
    return true;
  }

  void skip_spaces() noexcept {
    while (*at_ == ' ') ++at_;
  }

 private:
  const char* at_;
};

struct TimeOfDay {
  int hour = 0, minute = 0, second = 0, milli = 0;
};

// [.fraction]: up to milliseconds; finer digits must be zero.
TimestampTextStatus take_fraction(Cursor& cursor, int* milli) noexcept {
  if (!cursor.take('.')) return TimestampTextStatus::ok;
  if (!is_digit(cursor.peek())) return TimestampTextStatus::bad_syntax;
  int digits = 0;
  bool finer_than_ms = false;
  for (int digit = 0; is_digit(cursor.peek()); ++digits) {
    cursor.take_digits(1, &digit);
    if (digits < 3)
      *milli = *milli * 10 + digit;
    else if (digit != 0)
      finer_than_ms = true;
  }
  for (; digits < 3; ++digits) *milli *= 10;
  return finer_than_ms ? TimestampTextStatus::sub_millisecond : TimestampTextStatus::ok;
}

// [( |T)HH:MM[:SS[.fraction]]]
TimestampTextStatus take_time(Cursor& cursor, TimeOfDay* time) noexcept {
  Cursor probe = cursor;
  if (!probe.take('T') && !probe.take(' ')) return TimestampTextStatus::ok;
  probe.skip_spaces();
  if (!is_digit(probe.peek())) return TimestampTextStatus::ok;  // a space before the zone
  cursor = probe;
  if (!cursor.take_digits(2, &time->hour) || !cursor.take(':') ||
      !cursor.take_digits(2, &time->minute))
    return TimestampTextStatus::bad_syntax;
  if (cursor.take(':')) {
    if (!cursor.take_digits(2, &time->second)) return TimestampTextStatus::bad_syntax;
    const TimestampTextStatus fraction = take_fraction(cursor, &time->milli);
    if (fraction != TimestampTextStatus::ok) return fraction;
  }
  if (time->hour > 23 || time->minute > 59 || time->second > 59)
    return TimestampTextStatus::no_such_date;
  return TimestampTextStatus::ok;
}

// Z | UTC | GMT | (+|-)HH[[:]MM]; sets the zone's offset east of UTC.
TimestampTextStatus take_zone(Cursor& cursor, std::int64_t* offset_ms) noexcept {
  cursor.skip_spaces();
  if (cursor.at_end()) return TimestampTextStatus::no_time_zone;
  if (cursor.take('Z') || cursor.take('z') || cursor.take_word("utc") || cursor.take_word("gmt")) {
    *offset_ms = 0;
    return TimestampTextStatus::ok;
  }
  const bool east = cursor.peek() == '+';
  if (!cursor.take('+') && !cursor.take('-')) return TimestampTextStatus::bad_syntax;
  int hours = 0, minutes = 0;
  if (!cursor.take_digits(2, &hours)) return TimestampTextStatus::bad_syntax;
  const bool colon = cursor.take(':');
  if (!cursor.take_digits(2, &minutes) && colon) return TimestampTextStatus::bad_syntax;
  if (hours > kMaxOffsetHours || minutes > 59) return TimestampTextStatus::no_such_date;
  const std::int64_t magnitude = hours * kMsPerHour + minutes * kMsPerMinute;
  *offset_ms = east ? magnitude : -magnitude;
  return TimestampTextStatus::ok;
}

}  // namespace

ParsedTimestamp parse_timestamp_text(const char* text) noexcept {
  Cursor cursor(text);
  cursor.skip_spaces();
  int year = 0, month = 0, day = 0;
  if (!cursor.take_digits(4, &year) || !cursor.take('-') || !cursor.take_digits(2, &month) ||
      !cursor.take('-') || !cursor.take_digits(2, &day))
    return ParsedTimestamp{TimestampTextStatus::bad_syntax, 0};
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
    return ParsedTimestamp{TimestampTextStatus::no_such_date, 0};

  TimeOfDay time;
  const TimestampTextStatus time_status = take_time(cursor, &time);
  if (time_status != TimestampTextStatus::ok) return ParsedTimestamp{time_status, 0};
  std::int64_t offset_ms = 0;
  const TimestampTextStatus zone_status = take_zone(cursor, &offset_ms);
  if (zone_status != TimestampTextStatus::ok) return ParsedTimestamp{zone_status, 0};
  cursor.skip_spaces();
  if (!cursor.at_end()) return ParsedTimestamp{TimestampTextStatus::bad_syntax, 0};

  const std::int64_t local_ms = days_since_1970(year, month, day) * kMsPerDay +
                                time.hour * kMsPerHour + time.minute * kMsPerMinute +
                                time.second * 1000 + time.milli;
  return ParsedTimestamp{TimestampTextStatus::ok, local_ms - offset_ms};
}

}  // namespace snowflake
