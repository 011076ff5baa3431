// The lease policy, in one place: how far a lease reaches, when it is due for renewal, and
// when the lease worker renews it. The generator flags due leases by it (generator.h), the
// lease makes leases durable by it (pg/lease.h), and the lease worker (pg/lease_worker.cpp)
// follows its schedule.
//
// A lease reaches kLeaseSpanMs past demand (the later of the clock and the next free tick), so
// a restart resumes at most that far past demand. Once demand comes within kLeaseRenewMarginMs
// of the lease's end the lease is due, long before anyone has to wait for the disk. The lease
// worker looks every kLeaseWorkerPollMs and renews a due lease while the generator is in use
// (an id was issued within kLeaseInUseMs): one sync to disk then serves
// kLeaseSpanMs - kLeaseRenewMarginMs of demand at any rate, and an idle server renews nothing.
#pragma once

#include "core/no_postgres.h"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace snowflake {

inline constexpr std::int64_t kLeaseSpanMs = 4 * 1000;
inline constexpr std::int64_t kLeaseRenewMarginMs = 2 * 1000;
inline constexpr std::int64_t kLeaseInUseMs = 60 * 1000;
inline constexpr std::int64_t kLeaseWorkerPollMs = 1000;
static_assert(kLeaseWorkerPollMs < kLeaseRenewMarginMs,
              "the worker must look again before a due lease runs out");

// Whether a lease ending at lease_end_ms is due for renewal at demand_ms: the one definition
// both the claims that flag a renewal and the renewal itself use.
[[nodiscard]] constexpr bool lease_renewal_due(std::int64_t lease_end_ms,
                                               std::int64_t demand_ms) noexcept {
  return lease_end_ms - demand_ms <= kLeaseRenewMarginMs;
}

// The lease end (ms since the layout's epoch) a renewal should make durable: kLeaseSpanMs past
// demand, at least min_end_ms, and never past range_end_ms (one past the layout's last
// millisecond). None while the lease is not due and already reaches min_end_ms, or when the
// target is not past the lease's end (at the end of the range it cannot grow). Written so
// that no reading of the clock can overflow it.
[[nodiscard]] constexpr std::optional<std::int64_t> lease_renewal_target(
    std::int64_t lease_end_ms, std::int64_t demand_ms, std::int64_t min_end_ms,
    std::int64_t range_end_ms) noexcept {
  if (!lease_renewal_due(lease_end_ms, demand_ms) && lease_end_ms >= min_end_ms)
    return std::nullopt;
  const std::int64_t span_end_ms =
      demand_ms >= range_end_ms - kLeaseSpanMs ? range_end_ms : demand_ms + kLeaseSpanMs;
  const std::int64_t target_ms = std::min(std::max(span_end_ms, min_end_ms), range_end_ms);
  if (target_ms <= lease_end_ms) return std::nullopt;
  return target_ms;
}

}  // namespace snowflake
