// The id generator: one GeneratorState per server, shared by every backend and parallel worker,
// claimed from without locks.
//
// Rules (each proven by test/unit/generator_test.cpp):
//  - every claim gets ticks strictly above every tick claimed before it (one compare-and-swap
//    on last_tick decides the order);
//  - a clock that steps back does not stop or repeat anything: claims continue from the last
//    tick, borrowing milliseconds ahead of the clock;
//  - borrowing is bounded: no tick more than max_lead_ms ahead of the clock is handed out
//    (the caller waits for the clock instead);
//  - no tick at or past lease_end_tick is handed out: the caller must first make a longer
//    lease durable, so that a restart can resume past everything ever issued.
//
// Thread safety: every function here may run concurrently with any other on the same state.
#pragma once

#include "core/no_postgres.h"

#include "core/layout.h"

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace snowflake {

// Keep data written by different parties this far apart: x86 prefetches cache lines in pairs.
inline constexpr std::size_t kFalseSharingBytes = 128;

// A lease reserves this much time past demand, so a restart resumes at most this far ahead of
// the clock. Demand that comes within the renewal margin of the lease's end makes the caller
// that crosses that mark renew it, long before anyone has to wait for the fsync.
inline constexpr std::int64_t kLeaseSpanMs = 1000;
inline constexpr std::int64_t kLeaseRenewMarginMs = 500;

// The hot state, one cache line. Lives in shared memory, hence lock-free atomics only.
struct alignas(kFalseSharingBytes) GeneratorState {
  // The tick of the last id issued (or one below the first tick still allowed).
  std::atomic<std::uint64_t> last_tick{0};
  // The first tick the durable lease does not cover.
  std::atomic<std::uint64_t> lease_end_tick{0};
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "the generator state lives in shared memory between processes");

enum class ClaimStatus : std::uint8_t {
  issued,           // first_tick .. first_tick + count - 1 are the caller's
  clock_behind,     // the next free tick is more than max_lead_ms ahead of the clock
  lease_needed,     // the next free tick is not covered by the durable lease
  range_exhausted,  // the timestamp field is full: this layout can issue no more ids
};

struct Claim {
  ClaimStatus status;
  // issued: this claim crossed the lease renewal mark, so its caller should renew now.
  bool renew_lease;
  // issued: this claim was the first into a millisecond ahead of the clock.
  bool borrowed_ms;
  std::uint64_t first_tick;
  std::uint32_t count;
  // The millisecond (since the epoch) of first_tick, or of the tick that was refused.
  std::int64_t first_ms;
};

// Claims up to `wanted` (>= 1) consecutive ticks, all in one millisecond, with one
// compare-and-swap. now_ms is the wall clock in ms since the layout's epoch.
Claim claim_ticks(GeneratorState& state, const Layout& layout, std::int64_t now_ms,
                  std::int64_t max_lead_ms, std::uint32_t wanted) noexcept;

// The lease end (ms since the epoch) a renewal should make durable, or -1 when the current
// lease still reaches kLeaseRenewMarginMs past both the clock and the next free tick, or
// already reaches the end of the layout's range.
std::int64_t lease_renewal_target_ms(const GeneratorState& state, const Layout& layout,
                                     std::int64_t now_ms) noexcept;

// Lets ticks below the start of lease_end_ms be issued, once that lease is durable. Never
// shortens the lease.
void publish_lease(GeneratorState& state, const Layout& layout, std::int64_t lease_end_ms) noexcept;

// After a restart, or when replaying a lease another server made durable: ids up to
// lease_end_ms may have been issued, so no tick below it may ever be issued here.
void resume_after_lease(GeneratorState& state, const Layout& layout,
                        std::int64_t lease_end_ms) noexcept;

}  // namespace snowflake
