#include "core/time_math.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>

namespace snowflake {
namespace {

constexpr Layout kTwitter = Layout::twitter();

TEST(TimeMath, FloorDivRoundsTowardMinusInfinity) {
  EXPECT_EQ(floor_div(7, 2), 3);
  EXPECT_EQ(floor_div(-7, 2), -4);
  EXPECT_EQ(floor_div(7, -2), -4);
  EXPECT_EQ(floor_div(-7, -2), 3);
  EXPECT_EQ(floor_div(-1, 1000), -1);
  EXPECT_EQ(floor_div(-1000, 1000), -1);
  EXPECT_EQ(floor_div(-1001, 1000), -2);
  EXPECT_EQ(floor_div(INT64_MIN, 1000), -9223372036854776);
}

TEST(TimeMath, PgTimestampBelongsToTheMsThatContainsIt) {
  EXPECT_EQ(unix_ms_of_pg_timestamp(0), kPostgresEpochUnixMs);
  EXPECT_EQ(unix_ms_of_pg_timestamp(999), kPostgresEpochUnixMs);
  EXPECT_EQ(unix_ms_of_pg_timestamp(1000), kPostgresEpochUnixMs + 1);
  EXPECT_EQ(unix_ms_of_pg_timestamp(-1), 946684799999);
  EXPECT_EQ(unix_ms_of_pg_timestamp(-1000), 946684799999);
  EXPECT_EQ(unix_ms_of_pg_timestamp(-1001), 946684799998);
}

TEST(TimeMath, UnixMsOfPgTimestampCannotOverflow) {
  EXPECT_EQ(unix_ms_of_pg_timestamp(INT64_MIN), -9222425352054776);
  EXPECT_EQ(unix_ms_of_pg_timestamp(INT64_MAX), 9224318721654775);
}

TEST(TimeMath, PgTimestampOfUnixMsRoundTrips) {
  std::int64_t pg_micros = 0;
  ASSERT_TRUE(pg_timestamp_of_unix_ms(kTwitterEpochUnixMs, &pg_micros));
  EXPECT_EQ(pg_micros, (kTwitterEpochUnixMs - kPostgresEpochUnixMs) * 1000);
  EXPECT_EQ(unix_ms_of_pg_timestamp(pg_micros), kTwitterEpochUnixMs);
}

TEST(TimeMath, PgTimestampOfUnixMsReportsOverflow) {
  const std::int64_t last_ms = kPostgresEpochUnixMs + INT64_MAX / 1000;
  const std::int64_t first_ms = kPostgresEpochUnixMs + INT64_MIN / 1000;
  std::int64_t pg_micros = 0;
  EXPECT_TRUE(pg_timestamp_of_unix_ms(last_ms, &pg_micros));
  EXPECT_FALSE(pg_timestamp_of_unix_ms(last_ms + 1, &pg_micros));
  EXPECT_TRUE(pg_timestamp_of_unix_ms(first_ms, &pg_micros));
  EXPECT_FALSE(pg_timestamp_of_unix_ms(first_ms - 1, &pg_micros));
  EXPECT_FALSE(pg_timestamp_of_unix_ms(INT64_MAX, &pg_micros));
  EXPECT_FALSE(pg_timestamp_of_unix_ms(INT64_MIN, &pg_micros));
}

TEST(TimeMath, UnixMsOfLayoutMsReportsOverflow) {
  std::int64_t unix_ms = 0;
  EXPECT_TRUE(unix_ms_of_layout_ms(kTwitter, 5, &unix_ms));
  EXPECT_EQ(unix_ms, kTwitterEpochUnixMs + 5);
  EXPECT_FALSE(unix_ms_of_layout_ms(kTwitter, INT64_MAX, &unix_ms));
}

TEST(TimeMath, FirstIdAtEpochIsZero) {
  const FirstId first = first_id_at_unix_ms(kTwitter, kTwitterEpochUnixMs);
  EXPECT_EQ(first.status, TimestampStatus::ok);
  EXPECT_EQ(first.id, 0);
}

TEST(TimeMath, FirstIdIsWorkerZeroSequenceZeroOfTheMs) {
  const FirstId first = first_id_at_unix_ms(kTwitter, kTwitterEpochUnixMs + 5);
  EXPECT_EQ(first.status, TimestampStatus::ok);
  EXPECT_EQ(first.id, 5 << 22);
}

TEST(TimeMath, FirstIdBeforeEpochIsRefused) {
  EXPECT_EQ(first_id_at_unix_ms(kTwitter, kTwitterEpochUnixMs - 1).status,
            TimestampStatus::before_epoch);
}

TEST(TimeMath, FirstIdInLastMsOfRangeIsOk) {
  const FirstId first = first_id_at_unix_ms(kTwitter, kTwitterEpochUnixMs + kTwitter.max_ms());
  EXPECT_EQ(first.status, TimestampStatus::ok);
  EXPECT_EQ(first.id, kTwitter.max_ms() << 22);
}

TEST(TimeMath, FirstIdPastRangeIsRefused) {
  EXPECT_EQ(first_id_at_unix_ms(kTwitter, kTwitterEpochUnixMs + kTwitter.max_ms() + 1).status,
            TimestampStatus::past_range);
}

// Both subtractions overflow: INT64_MIN minus a positive epoch, INT64_MAX minus a negative one.
TEST(TimeMath, FirstIdAtExtremeUnixMsDoesNotOverflow) {
  EXPECT_EQ(first_id_at_unix_ms(kTwitter, INT64_MIN).status, TimestampStatus::before_epoch);
  EXPECT_EQ(first_id_at_unix_ms(kTwitter, INT64_MAX).status, TimestampStatus::past_range);
  const Layout epoch_before_1970(kDefaultWorkerBits, kDefaultSequenceBits, -1);
  EXPECT_EQ(first_id_at_unix_ms(epoch_before_1970, INT64_MIN).status,
            TimestampStatus::before_epoch);
  EXPECT_EQ(first_id_at_unix_ms(epoch_before_1970, INT64_MAX).status, TimestampStatus::past_range);
}

TEST(TimeMath, DefaultRangeEndsOn2080July10) {
  std::int64_t last_unix_ms = 0;
  ASSERT_TRUE(unix_ms_of_layout_ms(kTwitter, kTwitter.max_ms(), &last_unix_ms));
  EXPECT_EQ(last_unix_ms, 3487858230208);
  const std::time_t last_second = static_cast<std::time_t>(last_unix_ms / 1000);
  std::tm utc{};
  ASSERT_NE(gmtime_r(&last_second, &utc), nullptr);
  EXPECT_EQ(utc.tm_year + 1900, 2080);
  EXPECT_EQ(utc.tm_mon + 1, 7);
  EXPECT_EQ(utc.tm_mday, 10);
}

}  // namespace
}  // namespace snowflake
