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

// The generator, or ERROR unless this server can generate: the library preloaded, not a
// standby. `function` names the SQL function for the error.
SharedGenerator& ready_generator(const char* function);

// The worker id to make ids with; while there is none yet (claimed from the registry), waits
// for it up to snowflake.clock_wait_timeout, then ERROR saying why.
std::int32_t ready_worker_id(const SharedGenerator& shared);

// A deadline on the monotonic clock snowflake.clock_wait_timeout from now, for the waits of
// registry.h (0: none).
std::int64_t registry_wait_deadline_micros();

// Claims up to `wanted` (>= 1) ids in one run, renewing the lease, waiting for the clock or for
// the worker id's claim as needed; ERROR when the generator cannot run (not preloaded, no
// worker id, a standby) or the clock or the registry stays too far behind.
IdRun next_id_run(std::uint32_t wanted);

}  // namespace snowflake::pg
