// The lease as it is made durable, in the lease file and in the WAL record alike: one struct
// and one validator for both. Each codec adds only its own framing (the file's slots, the
// record's header). Fixed-width fields in a fixed order, so the bytes mean the same on every
// build; version 1.0 wrote the first five fields only (its record carried `unused` too).
#pragma once

#include "core/no_postgres.h"

#include "core/issued_ids.h"

#include <cstdint>
#include <optional>

namespace snowflake {

struct LeasePayload {
  std::int64_t lease_end_unix_ms;
  std::int64_t epoch_unix_ms;
  std::int32_t worker_bits;
  std::int32_t sequence_bits;
  std::int32_t worker_id;
  std::int32_t unused;
  // The wall clock when the lease was made durable, so that a restart can tell a clock set
  // back from ids that ran ahead of it; 0 where 1.0 wrote the lease.
  std::int64_t written_unix_ms;
};
static_assert(sizeof(LeasePayload) == 40, "the durable layout is fixed");

// What a server may have issued: the ids of a valid payload, and when it was written.
struct DurableLease {
  IssuedIds issued;
  std::int64_t written_unix_ms;  // 0: not known
};

// The payload that records `issued`, written at written_unix_ms: for the file and the WAL alike.
inline LeasePayload payload_of(const IssuedIds& issued, std::int64_t written_unix_ms) noexcept {
  return LeasePayload{issued.lease_end_unix_ms,
                      issued.layout.epoch_unix_ms(),
                      issued.layout.worker_bits(),
                      issued.layout.sequence_bits(),
                      issued.worker_id,
                      0,
                      written_unix_ms};
}

// The lease a payload holds, or none when no layout has its widths or its worker id does not
// fit them: this code never wrote such a payload, so it is damaged.
[[nodiscard]] inline std::optional<DurableLease> lease_of(const LeasePayload& payload) noexcept {
  if (Layout::check(payload.worker_bits, payload.sequence_bits) != LayoutStatus::ok)
    return std::nullopt;
  const Layout layout(payload.worker_bits, payload.sequence_bits, payload.epoch_unix_ms);
  if (!layout.fits_worker_id(payload.worker_id)) return std::nullopt;
  return DurableLease{IssuedIds{layout, payload.worker_id, payload.lease_end_unix_ms},
                      payload.written_unix_ms};
}

}  // namespace snowflake
