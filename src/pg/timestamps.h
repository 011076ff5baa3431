// A layout's milliseconds as PostgreSQL timestamps.
#pragma once

#include "core/layout.h"

#include <cstdint>

namespace snowflake::pg {

// The timestamptz at which a layout's millisecond starts; false outside PostgreSQL's range.
bool pg_timestamp_of_layout_ms(const Layout& layout, std::int64_t ms_since_epoch,
                               std::int64_t* pg_timestamp);

// The same, as text for a message (in the session's time zone).
const char* layout_ms_text(const Layout& layout, std::int64_t ms_since_epoch);

// A Unix millisecond as text for a message.
const char* unix_ms_text(std::int64_t unix_ms);

}  // namespace snowflake::pg
