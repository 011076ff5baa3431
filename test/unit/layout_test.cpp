#include "core/layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <tuple>
#include <vector>

namespace snowflake {
namespace {

// The default layout and the extremes check() accepts.
constexpr Layout kLayouts[] = {Layout::twitter(), Layout(5, 8, 0),  Layout(0, 22, 0),
                               Layout(22, 5, 0),  Layout(22, 0, 0), Layout(1, 0, 0),
                               Layout(0, 1, 0)};

std::tuple<std::int64_t, std::int32_t, std::int32_t> as_tuple(IdFields fields) {
  return {fields.ms_since_epoch, fields.worker_id, fields.sequence};
}

std::uint64_t tick_of(const Layout& layout, IdFields fields) {
  return layout.first_tick_of_ms(fields.ms_since_epoch) |
         static_cast<std::uint64_t>(fields.sequence);
}

// Both ends of every field in all combinations, then pseudo-random fields.
std::vector<IdFields> sample_fields(const Layout& layout) {
  std::vector<IdFields> samples;
  for (std::int64_t ms : {std::int64_t{0}, layout.max_ms()})
    for (std::int32_t worker : {0, layout.max_worker_id()})
      for (std::int32_t sequence : {0, layout.max_sequence()})
        samples.push_back({ms, worker, sequence});
  std::mt19937_64 random(20240101);
  std::uniform_int_distribution<std::int64_t> ms(0, layout.max_ms());
  std::uniform_int_distribution<std::int32_t> worker(0, layout.max_worker_id());
  std::uniform_int_distribution<std::int32_t> sequence(0, layout.max_sequence());
  for (int i = 0; i < 2000; ++i) samples.push_back({ms(random), worker(random), sequence(random)});
  return samples;
}

TEST(Layout, CheckAcceptsWidthsFromZeroToMax) {
  EXPECT_EQ(Layout::check(1, 0), LayoutStatus::ok);
  EXPECT_EQ(Layout::check(0, 1), LayoutStatus::ok);
  EXPECT_EQ(Layout::check(kMaxWorkerBits, 0), LayoutStatus::ok);
  EXPECT_EQ(Layout::check(0, kMaxSequenceBits), LayoutStatus::ok);
  EXPECT_EQ(Layout::check(kDefaultWorkerBits, kDefaultSequenceBits), LayoutStatus::ok);
}

TEST(Layout, CheckRejectsWidthsOutsideTheirRange) {
  EXPECT_EQ(Layout::check(-1, 0), LayoutStatus::worker_bits_out_of_range);
  EXPECT_EQ(Layout::check(kMaxWorkerBits + 1, 0), LayoutStatus::worker_bits_out_of_range);
  EXPECT_EQ(Layout::check(0, -1), LayoutStatus::sequence_bits_out_of_range);
  EXPECT_EQ(Layout::check(0, kMaxSequenceBits + 1), LayoutStatus::sequence_bits_out_of_range);
}

// With neither, ids of one millisecond could not differ, and 63 timestamp bits would overflow
// the arithmetic one past the last millisecond.
TEST(Layout, CheckRequiresAWorkerOrSequenceBit) {
  EXPECT_EQ(Layout::check(0, 0), LayoutStatus::too_many_timestamp_bits);
}

TEST(Layout, CheckRequiresMinTimestampBits) {
  EXPECT_EQ(Layout::check(14, 13), LayoutStatus::ok);
  EXPECT_EQ(Layout::check(14, 14), LayoutStatus::too_few_timestamp_bits);
  EXPECT_EQ(Layout::check(13, 15), LayoutStatus::too_few_timestamp_bits);
  EXPECT_EQ(Layout::check(kMaxWorkerBits, kMaxSequenceBits), LayoutStatus::too_few_timestamp_bits);
}

// Equal layouts: equal widths and epoch; any one of the three differing makes them unequal.
TEST(Layout, EqualOnlyWithTheSameWidthsAndEpoch) {
  const Layout base(10, 12, 1000);
  EXPECT_TRUE(base == Layout(10, 12, 1000));
  EXPECT_FALSE(base != Layout(10, 12, 1000));
  EXPECT_NE(base, Layout(11, 12, 1000));
  EXPECT_NE(base, Layout(10, 11, 1000));
  EXPECT_NE(base, Layout(10, 12, 1001));
}

TEST(Layout, DefaultIsTwitterLayout) {
  constexpr Layout layout = Layout::twitter();
  EXPECT_EQ(layout.timestamp_bits(), 41);
  EXPECT_EQ(layout.worker_bits(), 10);
  EXPECT_EQ(layout.sequence_bits(), 12);
  EXPECT_EQ(layout.epoch_unix_ms(), 1288834974657);
  EXPECT_EQ(layout.max_ms(), (std::int64_t{1} << 41) - 1);
  EXPECT_EQ(layout.max_worker_id(), 1023);
  EXPECT_EQ(layout.max_sequence(), 4095);
}

TEST(Layout, IdOfTickPlacesFieldsAtTwitterBitPositions) {
  constexpr Layout layout = Layout::twitter();
  EXPECT_EQ(layout.id_of_tick(layout.first_tick_of_ms(1) | 7, 5), (1 << 22) | (5 << 12) | 7);
}

TEST(Layout, WorkerIdMustFitTheWorkerBits) {
  EXPECT_TRUE(Layout::twitter().fits_worker_id(1023));
  EXPECT_FALSE(Layout::twitter().fits_worker_id(1024));
  EXPECT_FALSE(Layout::twitter().fits_worker_id(-1));
  EXPECT_TRUE(Layout(0, 22, 0).fits_worker_id(0));
  EXPECT_FALSE(Layout(0, 22, 0).fits_worker_id(5));
}

// With no worker bits, worker id 5 would be ORed into the millisecond field and repeat ids.
TEST(LayoutDeathTest, IdOfTickRefusesAWorkerIdWiderThanItsField) {
  const Layout no_worker_bits(0, 22, 0);
  EXPECT_DEATH((void)no_worker_bits.id_of_tick(no_worker_bits.first_tick_of_ms(1), 5),
               "fits_worker_id");
}

TEST(Layout, LargestIdDecodesToEveryFieldsMax) {
  EXPECT_EQ(as_tuple(Layout::twitter().decode(INT64_MAX)),
            std::make_tuple((std::int64_t{1} << 41) - 1, 1023, 4095));
}

TEST(Layout, DecodeInvertsIdOfTick) {
  for (const Layout& layout : kLayouts) {
    for (const IdFields& fields : sample_fields(layout)) {
      const std::int64_t id = layout.id_of_tick(tick_of(layout, fields), fields.worker_id);
      ASSERT_GE(id, 0);
      ASSERT_EQ(as_tuple(layout.decode(id)), as_tuple(fields))
          << "worker_bits " << layout.worker_bits() << " sequence_bits " << layout.sequence_bits();
    }
  }
}

TEST(Layout, IdOfTickInvertsDecode) {
  std::mt19937_64 random(7);
  std::uniform_int_distribution<std::int64_t> any_id(0, INT64_MAX);
  for (const Layout& layout : kLayouts) {
    for (int i = 0; i < 2000; ++i) {
      const std::int64_t id = any_id(random);
      const IdFields fields = layout.decode(id);
      ASSERT_EQ(layout.id_of_tick(tick_of(layout, fields), fields.worker_id), id)
          << "worker_bits " << layout.worker_bits() << " sequence_bits " << layout.sequence_bits();
    }
  }
}

TEST(Layout, FirstIdOfMsIsWorkerZeroSequenceZero) {
  for (const Layout& layout : kLayouts) {
    for (const IdFields& fields : sample_fields(layout)) {
      const std::int64_t first_id = layout.first_id_of_ms(fields.ms_since_epoch);
      ASSERT_EQ(as_tuple(layout.decode(first_id)), std::make_tuple(fields.ms_since_epoch, 0, 0));
      ASSERT_LE(first_id, layout.id_of_tick(tick_of(layout, fields), fields.worker_id));
    }
  }
}

// One worker's ids must sort like its ticks, including across the end of a millisecond.
TEST(Layout, IdsOfConsecutiveTicksRise) {
  for (const Layout& layout : kLayouts) {
    for (const IdFields& fields : sample_fields(layout)) {
      if (fields.ms_since_epoch == layout.max_ms()) continue;
      const std::uint64_t last_of_ms = layout.last_tick_of_same_ms(tick_of(layout, fields));
      for (std::uint64_t tick = last_of_ms - std::min<std::uint64_t>(last_of_ms, 2);
           tick <= last_of_ms; ++tick)
        ASSERT_LT(layout.id_of_tick(tick, fields.worker_id),
                  layout.id_of_tick(tick + 1, fields.worker_id));
    }
  }
}

TEST(Layout, SequenceOverflowCarriesIntoNextMs) {
  for (const Layout& layout : kLayouts) {
    for (const IdFields& fields : sample_fields(layout)) {
      if (fields.ms_since_epoch == layout.max_ms()) continue;
      const std::uint64_t next = layout.last_tick_of_same_ms(tick_of(layout, fields)) + 1;
      ASSERT_EQ(next, layout.first_tick_of_ms(fields.ms_since_epoch + 1));
      ASSERT_EQ(as_tuple(layout.decode(layout.id_of_tick(next, fields.worker_id))),
                std::make_tuple(fields.ms_since_epoch + 1, fields.worker_id, 0));
    }
  }
}

}  // namespace
}  // namespace snowflake
