// The policy of a worker id claimed from a registry (pg/registry.h), in one place: when the
// holder renews its claim, when a holder that cannot renew stops issuing, and how far its ids
// may go before the registry records that they might.
//
// Safety rests on ids, not clocks. At every renewal the holder records in the registry the
// highest id it may issue (claim_bound_ms), and it never lets its lease pass that bound until
// the registry has recorded a higher one. Whoever takes the worker id over (after the claim
// expired, or was released) starts above the recorded highest id. So no id is ever issued by
// both, whatever either server's clock reads, even if the old holder never stops.
//
// Availability rests on time. A claim lasts ttl on the registry's clock; the holder renews it
// every ttl / kRenewalsPerTtl, and stops issuing at claim_fence_micros, counted on its own
// monotonic clock from when it sent its last successful renewal (and turned into a wall-clock
// time at each renewal, for the hot path to compare with the clock it reads anyway): before
// the registry can see the claim expire, by a margin (claim_fence_margin_ms) for the two clocks
// running at different rates. The fence limits when ids are issued, not how far ahead of the clock
// they run: a holder whose ids are ahead (after a takeover by a server whose clock is behind, or a
// restart above the recorded bound) issues them at once, and stops at its fence all the same.
#pragma once

#include "core/no_postgres.h"

#include "core/lease_policy.h"

#include <algorithm>
#include <cstdint>

namespace snowflake {

inline constexpr std::int64_t kRenewalsPerTtl = 3;
// The shortest and longest ttl the settings allow.
inline constexpr std::int64_t kMinClaimTtlMs = 3 * 1000;
inline constexpr std::int64_t kMaxClaimTtlMs = 24 * 60 * 60 * 1000;
inline constexpr std::int64_t kDefaultClaimTtlMs = 30 * 1000;

// How often the holder renews its claim.
constexpr std::int64_t claim_renewal_interval_ms(std::int64_t ttl_ms) noexcept {
  return ttl_ms / kRenewalsPerTtl;
}

// How much earlier than the registry's expiry the holder stops issuing: a tenth of the ttl,
// and at least one second.
constexpr std::int64_t claim_fence_margin_ms(std::int64_t ttl_ms) noexcept {
  return std::max<std::int64_t>(ttl_ms / 10, 1000);
}

// When (monotonic, us) a holder whose last successful renewal was sent at sent_micros stops
// issuing.
constexpr std::int64_t claim_fence_micros(std::int64_t sent_micros, std::int64_t ttl_ms) noexcept {
  return sent_micros + (ttl_ms - claim_fence_margin_ms(ttl_ms)) * 1000;
}

// The bound a renewal records (ms since the layout's epoch: ids stay below its first id): as
// far past demand as the holder may issue until its fence, plus a lease's span, so that the
// lease never waits for the registry while the claim lasts.
constexpr std::int64_t claim_bound_ms(std::int64_t demand_ms, std::int64_t ttl_ms) noexcept {
  return demand_ms + ttl_ms + kLeaseSpanMs;
}

}  // namespace snowflake
