// The server's shared memory: one block, owned here, set up by the postmaster at start (and
// again after a crash), then used by every backend, parallel worker and the startup process.
// It holds the generator (core/shared_generator.h) and, after it, the parts of the registry
// (registry.h) and the lease (lease.h).
#pragma once

#include "core/shared_generator.h"

namespace snowflake::pg {

// The generator, or null when the library was not loaded via shared_preload_libraries.
SharedGenerator* shared_generator();

// The generator, for a function that needs it: an ERROR when the library was not preloaded.
SharedGenerator& preloaded_generator();

// Preloading only: asks for the shared memory and sets it up at server start.
void install_shared_memory_hooks();

}  // namespace snowflake::pg
