// The snowflake.* settings, as the rest of the glue reads them.
#pragma once

#include "core/layout.h"

#include <cstdint>

namespace snowflake::pg {

// snowflake.worker_id when nothing was configured.
inline constexpr int kWorkerIdUnset = -1;

extern int worker_id;
extern std::int64_t max_clock_lead_ms;
extern int clock_wait_timeout_ms;
extern char* registry_conninfo;
extern int registry_ttl_ms;

// snowflake.max_clock_lead's default.
inline constexpr std::int64_t kDefaultMaxClockLeadMs = 60 * 1000;

// Whether snowflake.registry names a registry to claim the worker id from.
bool registry_configured();

// Defines every setting. Settings fixed at server start can only be defined while preloading;
// a library loaded later gets them as reloadable settings, which is enough for decoding.
void define_settings(bool preloading);

// Preloading only: refuses to start the server (FATAL) on a setting rejected above or on
// settings that contradict each other (widths that leave too few timestamp bits, a worker id
// that does not fit the worker bits), and fixes the layout the generator will use. Warns when
// the clock is before the epoch, or the layout's range has ended or ends within a year.
void check_settings_at_startup();

// The layout the generator uses: the settings as they were at server start.
const Layout& generator_layout();

// The layout settings as they are now, not yet checked against each other.
struct LayoutSettings {
  int worker_bits;
  int sequence_bits;
  std::int64_t epoch_unix_ms;
};
LayoutSettings layout_settings();

// The layout the settings describe; ERROR if the widths contradict each other (possible for
// the configuration only when the library was not preloaded, since a preloaded server refuses
// to start, and for arguments a caller passes).
Layout checked_layout(const LayoutSettings& settings);

}  // namespace snowflake::pg
