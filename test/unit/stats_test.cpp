#include "core/stats.h"
#include "core/clock.h"

#include "parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>

namespace snowflake {
namespace {

constexpr std::int64_t kLogIntervalMs = 60000;
constexpr std::int64_t kNowMs = 1700000000000;

TEST(Stats, RecordRegressionCountsAndKeepsLargest) {
  GeneratorStats stats;
  for (std::uint64_t step_back_ms : {5, 3, 9, 2}) stats.record_regression(step_back_ms);
  EXPECT_EQ(stats.clock_regressions.load(), 4u);
  EXPECT_EQ(stats.largest_regression_ms.load(), 9u);
}

TEST(Stats, ConcurrentRegressionsKeepLargest) {
  GeneratorStats stats;
  run_in_parallel(8, [&stats](int index) {
    for (std::uint64_t step_back_ms = 1; step_back_ms <= 1000; ++step_back_ms)
      stats.record_regression(step_back_ms * 8 + static_cast<std::uint64_t>(index));
  });
  EXPECT_EQ(stats.clock_regressions.load(), 8000u);
  EXPECT_EQ(stats.largest_regression_ms.load(), 8007u);
}

TEST(Stats, WaitsCountStartsAndSumTimeInSlices) {
  GeneratorStats stats;
  stats.record_wait_start();
  stats.record_wait_time(250);
  stats.record_wait_time(750);
  stats.record_wait_start();
  stats.record_wait_time(1000);
  EXPECT_EQ(stats.waits.load(), 2u);
  EXPECT_EQ(stats.wait_micros.load(), 2000u);
}

TEST(Stats, FirstLogTurnIsTaken) {
  std::atomic<std::int64_t> last_log_ms{INT64_MIN};
  EXPECT_TRUE(take_log_turn(last_log_ms, kNowMs, kLogIntervalMs));
  EXPECT_EQ(last_log_ms.load(), kNowMs);
}

TEST(Stats, LogTurnComesOncePerInterval) {
  std::atomic<std::int64_t> last_log_ms{INT64_MIN};
  ASSERT_TRUE(take_log_turn(last_log_ms, kNowMs, kLogIntervalMs));
  EXPECT_FALSE(take_log_turn(last_log_ms, kNowMs, kLogIntervalMs));
  EXPECT_FALSE(take_log_turn(last_log_ms, kNowMs + kLogIntervalMs - 1, kLogIntervalMs));
  EXPECT_TRUE(take_log_turn(last_log_ms, kNowMs + kLogIntervalMs, kLogIntervalMs));
}

TEST(Stats, LogTurnSurvivesClockStepBackBeyondInterval) {
  std::atomic<std::int64_t> last_log_ms{INT64_MIN};
  ASSERT_TRUE(take_log_turn(last_log_ms, kNowMs, kLogIntervalMs));
  EXPECT_FALSE(take_log_turn(last_log_ms, kNowMs - kLogIntervalMs + 1, kLogIntervalMs));
  EXPECT_TRUE(take_log_turn(last_log_ms, kNowMs - kLogIntervalMs - 1, kLogIntervalMs));
  EXPECT_EQ(last_log_ms.load(), kNowMs - kLogIntervalMs - 1);
}

TEST(Stats, ConcurrentCallersGetOneLogTurn) {
  for (int round = 0; round < 50; ++round) {
    std::atomic<std::int64_t> last_log_ms{INT64_MIN};
    std::atomic<int> turns{0};
    run_in_parallel(8, [&](int) {
      if (take_log_turn(last_log_ms, kNowMs, kLogIntervalMs)) turns.fetch_add(1);
    });
    ASSERT_EQ(turns.load(), 1) << "round " << round;
  }
}

TEST(ClockWatch, FirstReadingIsNoStepBack) {
  ClockWatch watch;
  EXPECT_EQ(watch.step_back_ms(kNowMs), 0);
}

TEST(ClockWatch, ForwardReadingIsNoStepBack) {
  ClockWatch watch;
  EXPECT_EQ(watch.step_back_ms(kNowMs), 0);
  EXPECT_EQ(watch.step_back_ms(kNowMs), 0);
  EXPECT_EQ(watch.step_back_ms(kNowMs + 5), 0);
}

TEST(ClockWatch, BackwardReadingIsMeasuredFromPreviousReading) {
  ClockWatch watch;
  EXPECT_EQ(watch.step_back_ms(kNowMs), 0);
  EXPECT_EQ(watch.step_back_ms(kNowMs - 1500), 1500);
  EXPECT_EQ(watch.step_back_ms(kNowMs - 1000), 0);
  EXPECT_EQ(watch.step_back_ms(kNowMs - 1200), 200);
}

}  // namespace
}  // namespace snowflake
