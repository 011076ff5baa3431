// Every condition the extension reports, one function each, each with its own SQLSTATE.
// They never return; callers hold no C++ object with a destructor when they call them.
#pragma once

#include "core/id_text.h"
#include "core/layout.h"
#include "core/time_math.h"
#include "core/timestamp_text.h"

#include <cstdint>

namespace snowflake::pg {

// A sentence saying what is wrong with a timestamp text, for errdetail.
const char* timestamp_text_problem(TimestampTextStatus status);

[[noreturn]] void report_layout_status(LayoutStatus status, int worker_bits, int sequence_bits,
                                       int elevel);
[[noreturn]] void report_negative_id(std::int64_t id);
// The snowflake type's input refusing a text, and its casts and binary input a negative value.
[[noreturn]] void report_id_text_status(IdTextStatus status, const char* text);
[[noreturn]] void report_negative_snowflake(std::int64_t value);
[[noreturn]] void report_id_time_out_of_range(const Layout& layout, std::int64_t id);
[[noreturn]] void report_timestamp_status(TimestampStatus status, const Layout& layout,
                                          std::int64_t pg_timestamp);
[[noreturn]] void report_infinite_timestamp();
[[noreturn]] void report_bad_epoch_argument(std::int64_t pg_timestamp);
[[noreturn]] void report_batch_size(std::int64_t requested, std::int64_t maximum);

[[noreturn]] void report_not_preloaded();
[[noreturn]] void report_worker_id_unset();
[[noreturn]] void report_in_recovery();
[[noreturn]] void report_range_exhausted(const Layout& layout);
// behind_ms: how far the last id issued is ahead of the clock.
[[noreturn]] void report_clock_behind(std::int64_t behind_ms, std::int64_t needed_ms,
                                      std::int64_t waited_ms);

// Not an error: a WARNING at server start when the layout's range has ended or ends within a
// year, so the operator hears of it long before snowflake_nextval() fails.
void warn_if_range_ends_soon(const Layout& layout, std::int64_t now_unix_ms);

}  // namespace snowflake::pg
