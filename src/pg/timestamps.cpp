#include "pg/timestamps.h"

#include "core/time_math.h"

extern "C" {
#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/timestamp.h"
}

namespace snowflake::pg {

bool pg_timestamp_of_layout_ms(const Layout& layout, std::int64_t ms_since_epoch,
                               std::int64_t* pg_timestamp) {
  std::int64_t unix_ms = 0;
  return unix_ms_of_layout_ms(layout, ms_since_epoch, &unix_ms) &&
         pg_timestamp_of_unix_ms(unix_ms, pg_timestamp) && IS_VALID_TIMESTAMP(*pg_timestamp);
}

const char* layout_ms_text(const Layout& layout, std::int64_t ms_since_epoch) {
  std::int64_t pg_timestamp = 0;
  if (!pg_timestamp_of_layout_ms(layout, ms_since_epoch, &pg_timestamp))
    return "a time outside PostgreSQL's timestamp range";
  // timestamptz_to_str reuses one static buffer; a message may name two times.
  return pstrdup(timestamptz_to_str(pg_timestamp));
}

const char* unix_ms_text(std::int64_t unix_ms) { return layout_ms_text(Layout(0, 1, 0), unix_ms); }

}  // namespace snowflake::pg
