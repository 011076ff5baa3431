#include "core/issued_ids.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace snowflake {
namespace {

constexpr std::int64_t kLeaseEndUnixMs = kTwitterEpochUnixMs + 500000000000;  // 2026
constexpr std::int64_t kDay = 24 * 60 * 60 * 1000;

IssuedIds issued_by_twitter_layout(std::int32_t worker_id) {
  return IssuedIds{Layout::twitter(), worker_id, kLeaseEndUnixMs};
}

TEST(CompareLayouts, SameLayoutAndWorkerIsNoChange) {
  EXPECT_EQ(compare_layouts(issued_by_twitter_layout(1), Layout::twitter(), 1), LayoutChange::none);
}

// After a failover to a member with its own worker id: resuming past the lease keeps ids rising.
TEST(CompareLayouts, NewWorkerIdInSameLayoutStaysAbove) {
  EXPECT_EQ(compare_layouts(issued_by_twitter_layout(1), Layout::twitter(), 0),
            LayoutChange::ids_stay_above);
  EXPECT_EQ(compare_layouts(issued_by_twitter_layout(0), Layout::twitter(), 1023),
            LayoutChange::ids_stay_above);
}

TEST(CompareLayouts, EarlierEpochStaysAbove) {
  const Layout earlier(10, 12, kTwitterEpochUnixMs - kDay);
  EXPECT_EQ(compare_layouts(issued_by_twitter_layout(1), earlier, 1), LayoutChange::ids_stay_above);
}

// The classic mistake: a later epoch makes every new id smaller, and some equal old ones.
TEST(CompareLayouts, LaterEpochMayRepeat) {
  const Layout later(10, 12, kTwitterEpochUnixMs + kDay);
  EXPECT_EQ(compare_layouts(issued_by_twitter_layout(1), later, 1), LayoutChange::ids_may_repeat);
  const Layout one_ms_later(10, 12, kTwitterEpochUnixMs + 1);
  EXPECT_EQ(compare_layouts(issued_by_twitter_layout(1), one_ms_later, 1),
            LayoutChange::ids_may_repeat);
}

TEST(CompareLayouts, LaterEpochWithNewWorkerIdMaySortBelowButNeverRepeats) {
  const Layout later(10, 12, kTwitterEpochUnixMs + kDay);
  EXPECT_EQ(compare_layouts(issued_by_twitter_layout(1), later, 2),
            LayoutChange::ids_may_sort_below);
}

// Widening the fields moves the timestamp up: ids grow. Narrowing them shrinks ids.
TEST(CompareLayouts, WiderFieldsStayAboveNarrowerMayRepeat) {
  EXPECT_EQ(compare_layouts(issued_by_twitter_layout(1), Layout(10, 13, kTwitterEpochUnixMs), 1),
            LayoutChange::ids_stay_above);
  EXPECT_EQ(compare_layouts(issued_by_twitter_layout(1), Layout(11, 12, kTwitterEpochUnixMs), 1),
            LayoutChange::ids_stay_above);
  EXPECT_EQ(compare_layouts(issued_by_twitter_layout(1), Layout(10, 11, kTwitterEpochUnixMs), 1),
            LayoutChange::ids_may_repeat);
  // Other widths put worker ids in other bits: a new worker id does not rule out repeats.
  EXPECT_EQ(compare_layouts(issued_by_twitter_layout(1), Layout(5, 8, kTwitterEpochUnixMs), 2),
            LayoutChange::ids_may_repeat);
}

// The verdict is exact: the smallest new id against the largest old one.
TEST(CompareLayouts, VerdictMatchesTheBoundaryIds) {
  const IssuedIds issued = issued_by_twitter_layout(7);
  const std::int64_t largest = *largest_issued_id(issued);
  const IdFields fields = Layout::twitter().decode(largest);
  EXPECT_EQ(fields.ms_since_epoch, kLeaseEndUnixMs - kTwitterEpochUnixMs - 1);
  EXPECT_EQ(fields.worker_id, 7);
  EXPECT_EQ(fields.sequence, 4095);
  EXPECT_GT(*smallest_id_after(Layout::twitter(), 0, kLeaseEndUnixMs), largest);
}

TEST(CompareLayouts, NothingIssuedBeforeTheEpochStaysAbove) {
  const IssuedIds none_issued{Layout::twitter(), 1, kTwitterEpochUnixMs};
  EXPECT_EQ(largest_issued_id(none_issued), std::nullopt);
  EXPECT_EQ(compare_layouts(none_issued, Layout(10, 12, kTwitterEpochUnixMs + kDay), 1),
            LayoutChange::ids_stay_above);
}

TEST(CompareLayouts, ExtremeLeaseEndsDoNotOverflow) {
  for (std::int64_t lease_end : {INT64_MIN, INT64_MIN + 1, std::int64_t{0}, INT64_MAX}) {
    const IssuedIds issued{Layout(0, 1, 0), 0, lease_end};
    (void)compare_layouts(issued, Layout(22, 5, kTwitterEpochUnixMs), 5);
    (void)compare_layouts(issued, Layout::twitter(), 5);
  }
}

TEST(FirstTickAboveId, SameWorkerContinuesAfterTheId) {
  const Layout layout = Layout::twitter();
  const std::uint64_t tick = layout.first_tick_of_ms(1000) + 17;
  const std::int64_t id = layout.id_of_tick(tick, 3);
  EXPECT_EQ(first_tick_above_id(layout, 3, id), tick + 1);
}

TEST(FirstTickAboveId, LowerWorkerSkipsTheMillisecondHigherWorkerTakesIt) {
  const Layout layout = Layout::twitter();
  const std::int64_t id = layout.id_of_tick(layout.first_tick_of_ms(1000) + 4095, 3);
  EXPECT_EQ(first_tick_above_id(layout, 2, id), layout.first_tick_of_ms(1001));
  EXPECT_EQ(first_tick_above_id(layout, 4, id), layout.first_tick_of_ms(1000));
}

// Whatever the id and worker, the tick found is the first whose id is above it.
TEST(FirstTickAboveId, IsTheFirstTickAbove) {
  const Layout layout(3, 2, 0);
  for (std::int64_t id = 0; id < 2000; ++id) {
    for (std::int32_t worker = 0; worker <= layout.max_worker_id(); ++worker) {
      const std::uint64_t tick = *first_tick_above_id(layout, worker, id);
      ASSERT_GT(layout.id_of_tick(tick, worker), id);
      if (tick > 0) {
        ASSERT_LE(layout.id_of_tick(tick - 1, worker), id);
      }
    }
  }
}

TEST(FirstTickAboveId, NoneAfterTheLastId) {
  const Layout layout = Layout::twitter();
  EXPECT_EQ(first_tick_above_id(layout, 1023, INT64_MAX), std::nullopt);
  EXPECT_EQ(first_tick_above_id(layout, 5, INT64_MAX), std::nullopt);
}

}  // namespace
}  // namespace snowflake
