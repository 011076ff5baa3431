// Reading the clocks. Nothing in the core calls these: callers read the clock and pass the
// reading in, so tests can step it back, freeze it or jump it.
#pragma once

#include "core/no_postgres.h"

#include <cstdint>
#include <ctime>

namespace snowflake {

// The wall clock in ms since 1970: what ids encode. One vDSO call, no syscall.
inline std::int64_t realtime_unix_ms() noexcept {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

// A clock that never steps, for measuring how long something took.
inline std::int64_t monotonic_micros() noexcept {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

// Notices the wall clock stepping back between two readings by the same process. Each backend
// keeps its own, so noticing costs no shared write. Not thread-safe: one per thread.
class ClockWatch {
 public:
  // How many ms the clock went back since the previous reading, or 0.
  [[nodiscard]] std::int64_t step_back_ms(std::int64_t now_ms) noexcept {
    const std::int64_t previous_ms = last_ms_;
    last_ms_ = now_ms;
    return previous_ms > now_ms ? previous_ms - now_ms : 0;
  }

 private:
  std::int64_t last_ms_ = INT64_MIN;
};

}  // namespace snowflake
