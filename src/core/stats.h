// Counters behind snowflake_stats(). They are written only on rare paths (a clock step, a
// wait, a lease renewal, the first id of a borrowed millisecond, a refused row), never once per
// id, and live off the hot state's cache line so counting never slows a claim.
//
// Thread safety: every function may run concurrently with any other on the same counters.
#pragma once

#include "core/no_postgres.h"

#include "core/generator.h"

#include <atomic>
#include <cstdint>

namespace snowflake {

struct alignas(kFalseSharingBytes) GeneratorStats {
  std::atomic<std::uint64_t> clock_regressions{0};
  std::atomic<std::uint64_t> largest_regression_ms{0};
  std::atomic<std::uint64_t> borrowed_ms{0};
  std::atomic<std::uint64_t> waits{0};
  std::atomic<std::uint64_t> wait_micros{0};
  std::atomic<std::uint64_t> lease_renewals{0};
  // Rows snowflake_observe() refused because their ids carried this server's worker id.
  std::atomic<std::uint64_t> collisions{0};
  // When each kind of event was last logged, for rate limiting (ms since 1970).
  std::atomic<std::int64_t> last_regression_log_ms{INT64_MIN};
  std::atomic<std::int64_t> last_wait_log_ms{INT64_MIN};
  std::atomic<std::int64_t> last_follow_log_ms{INT64_MIN};

  void record_regression(std::uint64_t step_back_ms) noexcept {
    clock_regressions.fetch_add(1, std::memory_order_relaxed);
    std::uint64_t largest = largest_regression_ms.load(std::memory_order_relaxed);
    while (step_back_ms > largest && !largest_regression_ms.compare_exchange_weak(
                                         largest, step_back_ms, std::memory_order_relaxed)) {
    }
  }

  // A call started to wait for the clock. Its time is added as it passes (record_wait_time),
  // so a wait that a cancel cuts short still counts what it spent.
  void record_wait_start() noexcept { waits.fetch_add(1, std::memory_order_relaxed); }
  void record_wait_time(std::uint64_t micros) noexcept {
    wait_micros.fetch_add(micros, std::memory_order_relaxed);
  }
};

// True for at most one caller per interval across all processes sharing `last_log_ms`: the
// one that gets to write the log line.
[[nodiscard]] inline bool take_log_turn(std::atomic<std::int64_t>& last_log_ms, std::int64_t now_ms,
                                        std::int64_t interval_ms) noexcept {
  std::int64_t last = last_log_ms.load(std::memory_order_relaxed);
  // A clock stepped back by more than the interval must not silence the log until it catches up.
  while (last == INT64_MIN || now_ms - last >= interval_ms || last - now_ms >= interval_ms) {
    if (last_log_ms.compare_exchange_weak(last, now_ms, std::memory_order_relaxed)) return true;
  }
  return false;
}

}  // namespace snowflake
