// Starting threads so that they really race: each waits until all exist before running.
#pragma once

#include <atomic>
#include <thread>
#include <vector>

namespace snowflake {

// Runs body(thread_index) on thread_count threads at once and returns when all have finished.
template <typename Body>
void run_in_parallel(int thread_count, Body body) {
  std::atomic<int> not_started{thread_count};
  std::vector<std::thread> threads;
  for (int index = 0; index < thread_count; ++index) {
    threads.emplace_back([&not_started, &body, index] {
      not_started.fetch_sub(1);
      while (not_started.load() > 0) std::this_thread::yield();
      body(index);
    });
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace snowflake
