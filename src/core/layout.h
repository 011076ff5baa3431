// The bit layout of a snowflake id and the arithmetic that packs and unpacks it.
//
//   bit 63      62 ............ 22 | 21 ...... 12 | 11 ...... 0     (default layout)
//   sign = 0    ms since the epoch | worker id    | sequence
//
// Worker and sequence widths are settings; the timestamp takes the rest of the 63 bits.
// Internally the generator counts in "ticks": ms << sequence_bits | sequence. One worker's
// ticks and its ids sort the same way, and the tick after the last sequence number of a
// millisecond is sequence 0 of the next one.
#pragma once

#include "core/no_postgres.h"

#include <cassert>
#include <cstdint>

namespace snowflake {

// Bits below the sign bit; the sign bit stays 0 so every id is a non-negative bigint.
inline constexpr int kPayloadBits = 63;
inline constexpr int kDefaultWorkerBits = 10;
inline constexpr int kDefaultSequenceBits = 12;
inline constexpr int kMaxWorkerBits = 22;
inline constexpr int kMaxSequenceBits = 22;
// 2^36 ms is 2.2 years: a layout with fewer timestamp bits runs out too soon to be useful.
inline constexpr int kMinTimestampBits = 36;
// At least one bit must tell the ids of a millisecond apart; it also keeps every millisecond
// and tick arithmetic (up to one past the last millisecond) inside int64.
inline constexpr int kMaxTimestampBits = 62;
// Twitter's epoch, 2010-11-04 01:42:54.657 UTC, in ms since 1970, and as snowflake.epoch
// writes it (test/unit/timestamp_text_test.cpp checks that the two agree).
inline constexpr std::int64_t kTwitterEpochUnixMs = 1288834974657;
inline constexpr const char* kTwitterEpochText = "2010-11-04 01:42:54.657+00";

enum class LayoutStatus : std::uint8_t {
  ok,
  worker_bits_out_of_range,    // not in [0, kMaxWorkerBits]
  sequence_bits_out_of_range,  // not in [0, kMaxSequenceBits]
  too_few_timestamp_bits,      // worker + sequence bits leave under kMinTimestampBits
  too_many_timestamp_bits,     // no worker and no sequence bits
};

// The three fields of an id.
struct IdFields {
  std::int64_t ms_since_epoch;
  std::int32_t worker_id;
  std::int32_t sequence;
};

// A validated layout: widths of the worker and sequence fields plus the epoch. Cheap to copy.
class Layout {
 public:
  // Whether the widths make a usable layout; construct a Layout only from widths that pass.
  [[nodiscard]] static constexpr LayoutStatus check(int worker_bits, int sequence_bits) noexcept {
    if (worker_bits < 0 || worker_bits > kMaxWorkerBits)
      return LayoutStatus::worker_bits_out_of_range;
    if (sequence_bits < 0 || sequence_bits > kMaxSequenceBits)
      return LayoutStatus::sequence_bits_out_of_range;
    if (kPayloadBits - worker_bits - sequence_bits < kMinTimestampBits)
      return LayoutStatus::too_few_timestamp_bits;
    if (kPayloadBits - worker_bits - sequence_bits > kMaxTimestampBits)
      return LayoutStatus::too_many_timestamp_bits;
    return LayoutStatus::ok;
  }

  constexpr Layout(int worker_bits, int sequence_bits, std::int64_t epoch_unix_ms) noexcept
      : worker_bits_(worker_bits), sequence_bits_(sequence_bits), epoch_unix_ms_(epoch_unix_ms) {}

  // The reference design: 41 timestamp bits, 10 worker bits, 12 sequence bits, Twitter's epoch.
  static constexpr Layout twitter() noexcept {
    return Layout(kDefaultWorkerBits, kDefaultSequenceBits, kTwitterEpochUnixMs);
  }

  constexpr int worker_bits() const noexcept { return worker_bits_; }
  constexpr int sequence_bits() const noexcept { return sequence_bits_; }
  constexpr int timestamp_bits() const noexcept {
    return kPayloadBits - worker_bits_ - sequence_bits_;
  }
  constexpr std::int64_t epoch_unix_ms() const noexcept { return epoch_unix_ms_; }

  // The same layout: the same widths and epoch, so the same ids from the same ticks.
  friend constexpr bool operator==(const Layout& a, const Layout& b) noexcept {
    return a.worker_bits_ == b.worker_bits_ && a.sequence_bits_ == b.sequence_bits_ &&
           a.epoch_unix_ms_ == b.epoch_unix_ms_;
  }
  friend constexpr bool operator!=(const Layout& a, const Layout& b) noexcept { return !(a == b); }

  // Whether a worker id fits the worker bits: the precondition of every id this layout makes.
  constexpr bool fits_worker_id(std::int64_t worker_id) const noexcept {
    return worker_id >= 0 && worker_id <= max_worker_id();
  }

  // Largest value each field can hold.
  constexpr std::int64_t max_ms() const noexcept { return mask(timestamp_bits()); }
  constexpr std::int32_t max_worker_id() const noexcept {
    return static_cast<std::int32_t>(mask(worker_bits_));
  }
  constexpr std::int32_t max_sequence() const noexcept {
    return static_cast<std::int32_t>(mask(sequence_bits_));
  }

  // Ticks of a millisecond start at sequence 0. Precondition: 0 <= ms <= max_ms() + 1.
  constexpr std::uint64_t first_tick_of_ms(std::int64_t ms) const noexcept {
    return static_cast<std::uint64_t>(ms) << sequence_bits_;
  }
  constexpr std::int64_t ms_of_tick(std::uint64_t tick) const noexcept {
    return static_cast<std::int64_t>(tick >> sequence_bits_);
  }
  constexpr std::uint64_t last_tick_of_same_ms(std::uint64_t tick) const noexcept {
    return tick | static_cast<std::uint64_t>(mask(sequence_bits_));
  }

  // The id a worker issues for a tick. Precondition: ms_of_tick(tick) <= max_ms() and
  // fits_worker_id(worker_id), which server start checks; a worker id wider than its field
  // would spill into the millisecond bits and repeat ids, so it is asserted here too.
  constexpr std::int64_t id_of_tick(std::uint64_t tick, std::int32_t worker_id) const noexcept {
    assert(fits_worker_id(worker_id));
    const std::uint64_t sequence_mask = static_cast<std::uint64_t>(mask(sequence_bits_));
    const std::uint64_t ms_part = (tick & ~sequence_mask) << worker_bits_;
    const std::uint64_t worker_part = static_cast<std::uint64_t>(worker_id) << sequence_bits_;
    return static_cast<std::int64_t>(ms_part | worker_part | (tick & sequence_mask));
  }

  // Precondition: id >= 0.
  constexpr IdFields decode(std::int64_t id) const noexcept {
    const std::uint64_t bits = static_cast<std::uint64_t>(id);
    return IdFields{
        static_cast<std::int64_t>(bits >> (worker_bits_ + sequence_bits_)),
        static_cast<std::int32_t>((bits >> sequence_bits_) & mask(worker_bits_)),
        static_cast<std::int32_t>(bits & mask(sequence_bits_)),
    };
  }

  // The smallest id of a millisecond (worker 0, sequence 0). Precondition: 0 <= ms <= max_ms().
  constexpr std::int64_t first_id_of_ms(std::int64_t ms) const noexcept {
    return ms << (worker_bits_ + sequence_bits_);
  }

 private:
  static constexpr std::int64_t mask(int bits) noexcept {
    return static_cast<std::int64_t>((std::uint64_t{1} << bits) - 1);
  }

  int worker_bits_;
  int sequence_bits_;
  std::int64_t epoch_unix_ms_;
};

}  // namespace snowflake
