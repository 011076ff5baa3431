// Issuing ids from the shared generator, for the SQL functions that return them.
#pragma once

#include "core/shared_generator.h"

#include <cstdint>

namespace snowflake::pg {

// A run of ids: first_id, first_id + 1, ... (count of them, consecutive sequence numbers of
// one millisecond).
struct IdRun {
  std::int64_t first_id;
  std::uint32_t count;
};

// The generator, or ERROR unless this server can generate: the library preloaded, a worker id
// set, not a standby. `function` names the SQL function for the error.
SharedGenerator& ready_generator(const char* function);

// Claims up to `wanted` (>= 1) ids in one run, renewing the lease or waiting for the clock as
// needed; ERROR when the generator cannot run (not preloaded, no worker id, a standby) or the
// clock stays too far behind.
IdRun next_id_run(std::uint32_t wanted);

}  // namespace snowflake::pg
