// The errors and warnings of the SQL functions and of server start, one function each, so that
// message, detail, hint and SQLSTATE stay together. SQLSTATEs are PostgreSQL's own classes:
// 22023 for any invalid argument or setting, as PostgreSQL itself uses it; 58000 for a system
// clock that makes ids impossible. Reported where they happen instead: lease file I/O errors
// (errcode_for_file_access()) and the warning for a damaged lease file, in the lease code; the
// LOG lines of clock steps and waits; the PANICs of WAL redo on a record this code never writes;
// and PostgreSQL's own error for a record-returning function called where no record fits
// (result_type.cpp). The report_ and refuse_ functions never return; callers hold no C++ object
// with a destructor when they call them.
#pragma once

#include "core/id_text.h"
#include "core/issued_ids.h"
#include "core/layout.h"
#include "core/time_math.h"
#include "core/timestamp_text.h"

#include <cstdint>

namespace snowflake::pg {

// A sentence saying what is wrong with a timestamp text, for errdetail.
const char* timestamp_text_problem(TimestampTextStatus status);

// Widths that Layout::check refused: an ERROR for a caller's arguments, FATAL at server start.
[[noreturn]] void report_bad_layout(LayoutStatus status, int worker_bits, int sequence_bits);
[[noreturn]] void refuse_layout_at_startup(LayoutStatus status, int worker_bits, int sequence_bits);
[[noreturn]] void refuse_worker_id_at_startup(int worker_id, const Layout& layout);
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
// The same two conditions as a WARNING, at CREATE EXTENSION.
enum class NotReady : std::uint8_t { not_preloaded, worker_id_unset };
void warn_not_ready(NotReady reason);
[[noreturn]] void report_in_recovery(const char* function);
[[noreturn]] void report_range_exhausted(const Layout& layout);
// behind_ms: how far the last id issued is ahead of the clock.
[[noreturn]] void report_clock_behind(std::int64_t behind_ms, std::int64_t needed_ms,
                                      std::int64_t waited_ms);

[[noreturn]] void report_clock_before_epoch(const Layout& layout, std::int64_t now_unix_ms);
[[noreturn]] void report_clock_past_range(const Layout& layout, std::int64_t now_unix_ms,
                                          std::int64_t last_issued_ms);
[[noreturn]] void report_layout_changed(const IssuedIds& issued, const Layout& layout,
                                        int worker_id);
[[noreturn]] void report_lease_file_damaged();
[[noreturn]] void report_lease_wait_interrupted();
[[noreturn]] void report_id_past_range(std::int64_t id);
[[noreturn]] void report_id_too_far_ahead(std::int64_t id, std::int64_t ahead_ms);

// Not errors. At server start, a WARNING when the clock is before the epoch, or the layout's
// range has ended or ends within a year, so the operator hears of it before
// snowflake_nextval() fails.
void warn_about_clock_at_startup(const Layout& layout, std::int64_t now_unix_ms);
// When the lease was issued under another layout or worker id: a LOG line if new ids stay
// above the old, else a WARNING.
void note_layout_change(LayoutChange change, const IssuedIds& issued, const Layout& layout,
                        int worker_id);
void note_layout_change_accepted(const IssuedIds& issued, const Layout& layout, int worker_id);
// A WARNING while WAL replay cannot write the lease file (errno says why).
void report_lease_replay_write_failed();

}  // namespace snowflake::pg
