#include "core/generator.h"

#include <algorithm>

namespace snowflake {
namespace {

// Ticks of milliseconds outside the layout's range clamp to its ends, so the arithmetic below
// never shifts a negative or oversized value.
std::uint64_t clamped_first_tick_of_ms(const Layout& layout, std::int64_t ms) noexcept {
  return layout.first_tick_of_ms(std::clamp<std::int64_t>(ms, 0, layout.max_ms() + 1));
}

// Raises an atomic to at least `floor`; C++17 has no fetch_max.
void raise_to(std::atomic<std::uint64_t>& value, std::uint64_t floor) noexcept {
  std::uint64_t current = value.load(std::memory_order_relaxed);
  while (current < floor && !value.compare_exchange_weak(current, floor, std::memory_order_acq_rel,
                                                         std::memory_order_relaxed)) {
  }
}

}  // namespace

Claim claim_ticks(GeneratorState& state, const Layout& layout, std::int64_t now_ms,
                  std::int64_t max_lead_ms, std::uint32_t wanted) noexcept {
  if (now_ms < 0) return Claim::refused(ClaimStatus::clock_before_epoch, 0, 0);
  if (now_ms > layout.max_ms())
    return Claim::refused(ClaimStatus::clock_past_range,
                          layout.first_tick_of_ms(layout.max_ms() + 1), layout.max_ms() + 1);
  const std::uint64_t now_tick = layout.first_tick_of_ms(now_ms);
  // The compare-and-swap below validates this load, so it needs no ordering of its own.
  std::uint64_t last = state.last_tick.load(std::memory_order_relaxed);
  for (;;) {
    const std::uint64_t first = std::max(last + 1, now_tick);
    const std::int64_t first_ms = layout.ms_of_tick(first);
    if (first_ms > layout.max_ms())
      return Claim::refused(ClaimStatus::range_exhausted, first, first_ms);
    // Both are in [0, max_ms + 1], far inside int64.
    if (first_ms - now_ms > max_lead_ms)
      return Claim::refused(ClaimStatus::clock_behind, first, first_ms);
    // Pairs with the release in publish_lease: a lease end we see is durable.
    const std::uint64_t lease_end = state.lease_end_tick.load(std::memory_order_acquire);
    if (first >= lease_end) return Claim::refused(ClaimStatus::lease_needed, first, first_ms);

    // Lease ends fall on millisecond boundaries, so the rest of first's millisecond is covered.
    const std::uint64_t room = layout.last_tick_of_same_ms(first) - first + 1;
    const std::uint32_t count = static_cast<std::uint32_t>(std::min<std::uint64_t>(wanted, room));
    const std::uint64_t new_last = first + count - 1;
    if (state.last_tick.compare_exchange_weak(last, new_last, std::memory_order_acq_rel,
                                              std::memory_order_relaxed)) {
      // The claim that moves demand (its next free tick) to where the lease is due renews it.
      const std::int64_t lease_end_ms = layout.ms_of_tick(lease_end);
      const bool renew = !lease_renewal_due(lease_end_ms, layout.ms_of_tick(last + 1)) &&
                         lease_renewal_due(lease_end_ms, layout.ms_of_tick(new_last + 1));
      const bool borrowed = first_ms > now_ms && layout.ms_of_tick(last) < first_ms;
      return Claim::issued(first, count, first_ms, renew, borrowed);
    }
    // Another claim won; `last` now holds its result. Try again above it.
  }
}

std::optional<std::int64_t> lease_renewal_target_ms(const GeneratorState& state,
                                                    const Layout& layout, std::int64_t now_ms,
                                                    std::int64_t min_end_ms) noexcept {
  const std::uint64_t next_tick = state.last_tick.load(std::memory_order_acquire) + 1;
  const std::int64_t demand_ms = std::max(now_ms, layout.ms_of_tick(next_tick));
  const std::int64_t lease_end_ms =
      layout.ms_of_tick(state.lease_end_tick.load(std::memory_order_acquire));
  return lease_renewal_target(lease_end_ms, demand_ms, min_end_ms, layout.max_ms() + 1);
}

void publish_lease(GeneratorState& state, const Layout& layout,
                   std::int64_t lease_end_ms) noexcept {
  raise_to(state.lease_end_tick, clamped_first_tick_of_ms(layout, lease_end_ms));
}

void resume_after_lease(GeneratorState& state, const Layout& layout,
                        std::int64_t lease_end_ms) noexcept {
  const std::uint64_t first_allowed = clamped_first_tick_of_ms(layout, lease_end_ms);
  skip_below(state, first_allowed);
  raise_to(state.lease_end_tick, first_allowed);
}

void withdraw_lease(GeneratorState& state) noexcept {
  state.lease_end_tick.store(0, std::memory_order_release);
}

void skip_below(GeneratorState& state, std::uint64_t first_tick) noexcept {
  if (first_tick > 0) raise_to(state.last_tick, first_tick - 1);
}

}  // namespace snowflake
