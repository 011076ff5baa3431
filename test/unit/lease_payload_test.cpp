#include "core/lease_payload.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

namespace snowflake {
namespace {

constexpr std::int64_t kLeaseEndUnixMs = kTwitterEpochUnixMs + 500000000000;
constexpr std::int64_t kWrittenUnixMs = kLeaseEndUnixMs - 4000;

TEST(LeasePayload, RoundTripsTheLeaseAndTheTimeOfWriting) {
  const IssuedIds issued{Layout(8, 14, kTwitterEpochUnixMs + 1), 255, kLeaseEndUnixMs};
  const std::optional<DurableLease> lease = lease_of(payload_of(issued, kWrittenUnixMs));
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->issued.layout.worker_bits(), 8);
  EXPECT_EQ(lease->issued.layout.sequence_bits(), 14);
  EXPECT_EQ(lease->issued.layout.epoch_unix_ms(), kTwitterEpochUnixMs + 1);
  EXPECT_EQ(lease->issued.worker_id, 255);
  EXPECT_EQ(lease->issued.lease_end_unix_ms, kLeaseEndUnixMs);
  EXPECT_EQ(lease->written_unix_ms, kWrittenUnixMs);
}

// Redo and the file reader share this check: a payload no layout could have written is damage,
// and must not reach Layout's preconditions.
TEST(LeasePayload, RefusesWidthsNoLayoutHas) {
  LeasePayload payload = payload_of(IssuedIds{Layout::twitter(), 1, kLeaseEndUnixMs}, 0);
  payload.worker_bits = 40;
  EXPECT_FALSE(lease_of(payload).has_value());
  payload.worker_bits = 0;
  payload.sequence_bits = 0;
  EXPECT_FALSE(lease_of(payload).has_value());
}

TEST(LeasePayload, RefusesAWorkerIdTheWidthsCannotHold) {
  LeasePayload payload = payload_of(IssuedIds{Layout::twitter(), 1, kLeaseEndUnixMs}, 0);
  payload.worker_id = 1024;
  EXPECT_FALSE(lease_of(payload).has_value());
  payload.worker_id = -1;
  EXPECT_FALSE(lease_of(payload).has_value());
  payload.worker_id = 1023;
  EXPECT_TRUE(lease_of(payload).has_value());
}

}  // namespace
}  // namespace snowflake
