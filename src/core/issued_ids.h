// What a server issued before, and whether new ids stay above it: after the layout settings
// or the worker id changed under a lease, and for ids that came from elsewhere
// (snowflake_advance_past).
#pragma once

#include "core/no_postgres.h"

#include "core/layout.h"

#include <cstdint>
#include <optional>

namespace snowflake {

// Ids issued under one layout and worker id, up to (not including) a lease end.
struct IssuedIds {
  Layout layout;
  std::int32_t worker_id;
  std::int64_t lease_end_unix_ms;
};

enum class LayoutChange : std::uint8_t {
  none,                // same layout and worker id
  ids_stay_above,      // changed, but every new id is above every id issued before
  ids_may_sort_below,  // a new worker id in the same widths: no repeat, but new ids may be lower
  ids_may_repeat,      // a new id could equal or fall below an old one
};

// The largest id issued under `issued`, or none when nothing could have been issued.
[[nodiscard]] inline std::optional<std::int64_t> largest_issued_id(
    const IssuedIds& issued) noexcept {
  const Layout& layout = issued.layout;
  std::int64_t last_ms = 0;
  if (__builtin_sub_overflow(issued.lease_end_unix_ms, layout.epoch_unix_ms() + 1, &last_ms) ||
      last_ms < 0)
    return std::nullopt;
  if (last_ms > layout.max_ms()) last_ms = layout.max_ms();
  const std::uint64_t last_tick = layout.last_tick_of_same_ms(layout.first_tick_of_ms(last_ms));
  return layout.id_of_tick(last_tick, issued.worker_id);
}

// The smallest id a server running `layout` with `worker_id` issues after resuming past the
// lease end, or none when that lies past the layout's range (it issues nothing).
[[nodiscard]] inline std::optional<std::int64_t> smallest_id_after(
    const Layout& layout, std::int32_t worker_id, std::int64_t lease_end_unix_ms) noexcept {
  std::int64_t first_ms = 0;
  if (__builtin_sub_overflow(lease_end_unix_ms, layout.epoch_unix_ms(), &first_ms))
    return lease_end_unix_ms < layout.epoch_unix_ms() ? std::optional<std::int64_t>(0)
                                                      : std::nullopt;
  if (first_ms < 0) first_ms = 0;
  if (first_ms > layout.max_ms()) return std::nullopt;
  return layout.id_of_tick(layout.first_tick_of_ms(first_ms), worker_id);
}

// What resuming under `layout` and `worker_id` after the ids of `issued` would do to their order.
[[nodiscard]] inline LayoutChange compare_layouts(const IssuedIds& issued, const Layout& layout,
                                                  std::int32_t worker_id) noexcept {
  const Layout& before = issued.layout;
  const bool same_widths = before.worker_bits() == layout.worker_bits() &&
                           before.sequence_bits() == layout.sequence_bits();
  if (before == layout && issued.worker_id == worker_id) return LayoutChange::none;
  const std::optional<std::int64_t> largest_old = largest_issued_id(issued);
  const std::optional<std::int64_t> smallest_new =
      smallest_id_after(layout, worker_id, issued.lease_end_unix_ms);
  if (!largest_old || !smallest_new || *smallest_new > *largest_old)
    return LayoutChange::ids_stay_above;
  // The same widths put worker ids in the same bits, so two worker ids never share an id.
  if (same_widths && issued.worker_id != worker_id) return LayoutChange::ids_may_sort_below;
  return LayoutChange::ids_may_repeat;
}

// The first tick at which `worker_id` issues only ids above `id`, or none when no tick of the
// layout does. Precondition: id >= 0, 0 <= worker_id <= layout.max_worker_id().
[[nodiscard]] inline std::optional<std::uint64_t> first_tick_above_id(const Layout& layout,
                                                                      std::int32_t worker_id,
                                                                      std::int64_t id) noexcept {
  const IdFields fields = layout.decode(id);
  const std::uint64_t first_tick_of_ms = layout.first_tick_of_ms(fields.ms_since_epoch);
  std::uint64_t tick = 0;
  if (fields.worker_id < worker_id)
    tick = first_tick_of_ms;  // every tick of id's millisecond is above it
  else if (fields.worker_id > worker_id)
    tick = layout.first_tick_of_ms(fields.ms_since_epoch + 1);  // none of that millisecond is
  else
    tick = first_tick_of_ms + static_cast<std::uint64_t>(fields.sequence) + 1;
  if (layout.ms_of_tick(tick) > layout.max_ms()) return std::nullopt;
  return tick;
}

}  // namespace snowflake
