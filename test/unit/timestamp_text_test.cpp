#include "core/timestamp_text.h"

#include "core/layout.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace snowflake {
namespace {

// 2024-01-01 00:00:00 UTC, an instant to spell in many ways.
constexpr std::int64_t kNewYear2024UnixMs = 1704067200000;

void expect_parses_to(const char* text, std::int64_t unix_ms) {
  const ParsedTimestamp parsed = parse_timestamp_text(text);
  EXPECT_EQ(parsed.status, TimestampTextStatus::ok) << '"' << text << '"';
  EXPECT_EQ(parsed.unix_ms, unix_ms) << '"' << text << '"';
}

void expect_rejected(const char* text, TimestampTextStatus status) {
  EXPECT_EQ(parse_timestamp_text(text).status, status) << '"' << text << '"';
}

TEST(TimestampText, ParsesTwitterEpoch) {
  expect_parses_to("2010-11-04 01:42:54.657+00", 1288834974657);
}

// snowflake.epoch's default text is the epoch the layout's default number names.
TEST(TimestampText, DefaultEpochTextIsTwitterEpoch) {
  expect_parses_to(kTwitterEpochText, kTwitterEpochUnixMs);
}

TEST(TimestampText, AcceptsTSeparator) {
  expect_parses_to("2010-11-04T01:42:54.657+00", 1288834974657);
}

TEST(TimestampText, AcceptsUtcByName) {
  expect_parses_to("2024-01-01 00:00:00Z", kNewYear2024UnixMs);
  expect_parses_to("2024-01-01 00:00:00 UTC", kNewYear2024UnixMs);
  expect_parses_to("2024-01-01 00:00:00 utc", kNewYear2024UnixMs);
  expect_parses_to("2024-01-01 00:00:00 GMT", kNewYear2024UnixMs);
}

TEST(TimestampText, OffsetsAreHoursEastOfUtc) {
  expect_parses_to("2024-01-01 05:30:00+05:30", kNewYear2024UnixMs);
  expect_parses_to("2023-12-31 16:00:00-0800", kNewYear2024UnixMs);
  expect_parses_to("2024-01-01 05:00:00+05", kNewYear2024UnixMs);
  expect_parses_to("2024-01-01 15:59+15:59", kNewYear2024UnixMs);
}

TEST(TimestampText, DateWithZoneIsMidnight) {
  expect_parses_to("2024-01-01+00", kNewYear2024UnixMs);
  expect_parses_to("2024-01-01 UTC", kNewYear2024UnixMs);
}

TEST(TimestampText, SecondsAreOptional) {
  expect_parses_to("2024-01-01 00:01Z", kNewYear2024UnixMs + 60000);
}

TEST(TimestampText, FractionIsMilliseconds) {
  expect_parses_to("2024-01-01 00:00:00.6Z", kNewYear2024UnixMs + 600);
  expect_parses_to("2024-01-01 00:00:00.657Z", kNewYear2024UnixMs + 657);
  expect_parses_to("2024-01-01 00:00:00.657000Z", kNewYear2024UnixMs + 657);
}

TEST(TimestampText, SpacesAroundAreIgnored) {
  expect_parses_to("  2024-01-01 00:00:00 +00  ", kNewYear2024UnixMs);
}

TEST(TimestampText, LeapDayExistsOnlyInLeapYears) {
  expect_parses_to("2024-02-29+00", 1709164800000);
  expect_parses_to("2000-02-29+00", 951782400000);
  expect_rejected("2023-02-29+00", TimestampTextStatus::no_such_date);
  expect_rejected("1900-02-29+00", TimestampTextStatus::no_such_date);
}

// The meaning of every id must not depend on the session's TimeZone.
TEST(TimestampText, MissingZoneIsRejected) {
  expect_rejected("2024-01-01 00:00:00", TimestampTextStatus::no_time_zone);
  expect_rejected("2024-01-01", TimestampTextStatus::no_time_zone);
  expect_rejected("2024-01-01 00:00:00.657  ", TimestampTextStatus::no_time_zone);
}

TEST(TimestampText, WordsAndGarbageAreBadSyntax) {
  expect_rejected("now", TimestampTextStatus::bad_syntax);
  expect_rejected("infinity", TimestampTextStatus::bad_syntax);
  expect_rejected("", TimestampTextStatus::bad_syntax);
  expect_rejected("   ", TimestampTextStatus::bad_syntax);
  expect_rejected("tomorrow at noon", TimestampTextStatus::bad_syntax);
  expect_rejected("2024-01-01 00:00:00 PST", TimestampTextStatus::bad_syntax);
  expect_rejected("2024-01-01 00:00:00.Z", TimestampTextStatus::bad_syntax);
  expect_rejected("2024-01-01 00:00:00+05:3", TimestampTextStatus::bad_syntax);
}

TEST(TimestampText, FieldsNeedAllTheirDigits) {
  expect_rejected("2024-1-01+00", TimestampTextStatus::bad_syntax);
  expect_rejected("24-01-01+00", TimestampTextStatus::bad_syntax);
  expect_rejected("2024-01-01 0:00+00", TimestampTextStatus::bad_syntax);
  expect_rejected("2024-01-01 00:00:0+00", TimestampTextStatus::bad_syntax);
  expect_rejected("2024-01-01 00:00+5", TimestampTextStatus::bad_syntax);
}

TEST(TimestampText, TrailingJunkIsBadSyntax) {
  expect_rejected("2024-01-01 00:00:00+00 x", TimestampTextStatus::bad_syntax);
  expect_rejected("2024-01-01 00:00:00+00:00:00", TimestampTextStatus::bad_syntax);
  expect_rejected("2024-01-01 00:00:00 UTCX", TimestampTextStatus::bad_syntax);
}

TEST(TimestampText, FractionFinerThanMillisecondIsRejected) {
  expect_rejected("2024-01-01 00:00:00.6571Z", TimestampTextStatus::sub_millisecond);
  expect_rejected("2024-01-01 00:00:00.000001Z", TimestampTextStatus::sub_millisecond);
}

TEST(TimestampText, OutOfRangeFieldsAreNoSuchDate) {
  expect_rejected("2024-13-01+00", TimestampTextStatus::no_such_date);
  expect_rejected("2024-00-01+00", TimestampTextStatus::no_such_date);
  expect_rejected("2024-04-31+00", TimestampTextStatus::no_such_date);
  expect_rejected("2024-01-00+00", TimestampTextStatus::no_such_date);
  expect_rejected("2024-01-01 24:00+00", TimestampTextStatus::no_such_date);
  expect_rejected("2024-01-01 00:60+00", TimestampTextStatus::no_such_date);
  expect_rejected("2024-01-01 00:00:60+00", TimestampTextStatus::no_such_date);
  expect_rejected("2024-01-01 00:00+16", TimestampTextStatus::no_such_date);
  expect_rejected("2024-01-01 00:00+05:60", TimestampTextStatus::no_such_date);
}

}  // namespace
}  // namespace snowflake
