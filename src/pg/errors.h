// The reports more than one file raises: why this server cannot generate ids (for the SQL
// functions, and as a WARNING at CREATE EXTENSION), and a negative id. Every other report lives
// beside the code that owns its condition. SQLSTATEs are PostgreSQL's own classes: 22023 for
// any invalid argument or setting, as PostgreSQL itself uses it; 55000 for what must be set up
// first. The report_ functions never return; callers hold no C++ object with a destructor when
// they call them.
#pragma once

#include <cstdint>

namespace snowflake::pg {

// The detail of every refusal of a negative value.
inline constexpr const char* kNeverNegativeDetail =
    "Snowflake ids are never negative: their sign bit is always 0.";

// A function that needs the generator, on a server that did not preload the library.
[[noreturn]] void report_not_preloaded();
// snowflake_nextval() and its kin on a server with neither a worker id nor a registry.
[[noreturn]] void report_worker_id_unset();
// The same two conditions as a WARNING, at CREATE EXTENSION.
enum class NotReady : std::uint8_t { not_preloaded, worker_id_unset };
void warn_not_ready(NotReady reason);

// A negative value where a snowflake id is expected (kNeverNegativeDetail).
[[noreturn]] void report_negative_id(std::int64_t id);

}  // namespace snowflake::pg
