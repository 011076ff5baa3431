// The id generator: one GeneratorState per server, shared by every backend and parallel worker,
// claimed from without locks.
//
// Rules (each proven by test/unit/generator_test.cpp):
//  - every claim gets ticks strictly above every tick claimed before it (one compare-and-swap
//    on last_tick decides the order);
//  - a clock before the epoch or past the end of the layout's range issues nothing: no tick
//    could encode it;
//  - a clock that steps back does not stop or repeat anything: claims continue from the last
//    tick, borrowing milliseconds ahead of the clock;
//  - borrowing is bounded: no tick more than max_lead_ms ahead of the clock is handed out
//    (the caller waits for the clock instead);
//  - no tick at or past lease_end_tick is handed out: the caller must first make a longer
//    lease durable, so that a restart can resume past everything ever issued.
//
// Thread safety: every function here may run concurrently with any other on the same state.
//
// Memory ordering. The state is three words in shared memory, written by many processes.
//  - last_tick is the generator's one decision: a claim is the compare-and-swap that moves it
//    from the value it read to its new last tick. Nothing else is published with it (an id is
//    computed from the claim's own tick), so the CAS needs only atomicity; acq_rel keeps each
//    claim ordered after the lease-end load that allowed it.
//  - lease_end_tick is published with release only after the lease is durable (file and WAL);
//    a claim loads it with acquire, so a claim that sees a lease end also sees every effect of
//    making it durable, and never issues a tick the durable lease does not cover.
//  - worker_id is published with release once the server may generate with it (at start, or
//    at the first renewal of a claim the registry granted, after the generator was moved past
//    its earlier holders' ids), and set back to kNoWorkerId when a claim is lost; a caller
//    loads it with acquire before each attempt at a claim, so one that waited (for the clock,
//    the lease or the registry) makes its id with the worker id of the moment.
//  - All are lock-free atomics (static_assert below), and lock-free atomics are address-free:
//    the same object works when mapped at different addresses in different processes, as
//    shared memory may be.
#pragma once

#include "core/no_postgres.h"

#include "core/layout.h"
#include "core/lease_policy.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace snowflake {

// Keep data written by different parties this far apart: x86 prefetches cache lines in pairs.
inline constexpr std::size_t kFalseSharingBytes = 128;

// GeneratorState::worker_id while the server has none (not configured, or not yet claimed).
inline constexpr std::int32_t kNoWorkerId = -1;

// The hot state, one cache line. Lives in shared memory, hence lock-free atomics only.
struct alignas(kFalseSharingBytes) GeneratorState {
  // The tick of the last id issued (or one below the first tick still allowed).
  std::atomic<std::uint64_t> last_tick{0};
  // The first tick the durable lease does not cover.
  std::atomic<std::uint64_t> lease_end_tick{0};
  // The worker id ids are made with, read by every claim from the line it loads anyway;
  // written rarely (at start, and when a claim is granted or lost) with release.
  std::atomic<std::int32_t> worker_id{kNoWorkerId};
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free &&
                  std::atomic<std::int32_t>::is_always_lock_free,
              "the generator state lives in shared memory between processes");

enum class ClaimStatus : std::uint8_t {
  issued,              // first_tick .. first_tick + count - 1 are the caller's
  clock_before_epoch,  // the clock reads before the layout's epoch
  clock_past_range,    // the clock reads past the last millisecond the layout can hold
  clock_behind,        // the next free tick is more than max_lead_ms ahead of the clock
  lease_needed,        // the next free tick is not covered by the durable lease
  range_exhausted,     // the last tick of the range was issued: this layout has no more ids
};

struct Claim {
  ClaimStatus status;
  // issued: this claim made the lease due for renewal, so its caller should renew it now.
  bool renew_lease;
  // issued: this claim was the first into a millisecond ahead of the clock.
  bool borrowed_ms;
  std::uint64_t first_tick;
  std::uint32_t count;
  // The millisecond (since the epoch) of first_tick, or of the tick that was refused.
  std::int64_t first_ms;

  static constexpr Claim issued(std::uint64_t first_tick, std::uint32_t count,
                                std::int64_t first_ms, bool renew_lease,
                                bool borrowed_ms) noexcept {
    return Claim{ClaimStatus::issued, renew_lease, borrowed_ms, first_tick, count, first_ms};
  }
  static constexpr Claim refused(ClaimStatus status, std::uint64_t first_tick,
                                 std::int64_t first_ms) noexcept {
    return Claim{status, false, false, first_tick, 0, first_ms};
  }
};

// Claims up to `wanted` (>= 1) consecutive ticks, all in one millisecond, with one
// compare-and-swap. now_ms is the wall clock in ms since the layout's epoch.
[[nodiscard]] Claim claim_ticks(GeneratorState& state, const Layout& layout, std::int64_t now_ms,
                                std::int64_t max_lead_ms, std::uint32_t wanted) noexcept;

// The lease end (ms since the epoch) a renewal should make durable now (lease_renewal_target
// in core/lease_policy.h, at the generator's demand and lease end), or none.
[[nodiscard]] std::optional<std::int64_t> lease_renewal_target_ms(
    const GeneratorState& state, const Layout& layout, std::int64_t now_ms,
    std::int64_t min_end_ms = 0) noexcept;

// Lets ticks below the start of lease_end_ms be issued, once that lease is durable. Never
// shortens the lease.
void publish_lease(GeneratorState& state, const Layout& layout, std::int64_t lease_end_ms) noexcept;

// After a restart, or when replaying a lease another server made durable: ids up to
// lease_end_ms may have been issued, so no tick below it may ever be issued here.
void resume_after_lease(GeneratorState& state, const Layout& layout,
                        std::int64_t lease_end_ms) noexcept;

// Takes the lease back: nothing is issued until a new one is published. Only while no claim
// can run (at server start, during recovery).
void withdraw_lease(GeneratorState& state) noexcept;

// No tick below first_tick may be issued from now on (ids that came from elsewhere). Never
// moves the generator back.
void skip_below(GeneratorState& state, std::uint64_t first_tick) noexcept;

}  // namespace snowflake
