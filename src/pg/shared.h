// The generator's shared memory: one block per server, set up by the postmaster at start (and
// again after a crash), then used by every backend, parallel worker and the startup process.
#pragma once

#include "core/generator.h"
#include "core/stats.h"

namespace snowflake::pg {

struct SharedGenerator {
  // Hot: read and compare-and-swapped by every claim.
  GeneratorState state;
  // Rare writes only.
  GeneratorStats stats;
};

// The generator, or null when the library was not loaded via shared_preload_libraries.
SharedGenerator* shared_generator();

// Preloading only: asks for the shared memory and sets it up at server start.
void install_shared_memory_hooks();

}  // namespace snowflake::pg
