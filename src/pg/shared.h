// The generator's shared memory: one block per server, set up by the postmaster at start (and
// again after a crash), then used by every backend, parallel worker and the startup process.
#pragma once

#include "core/generator.h"
#include "core/stats.h"

#include <cstdint>

struct LWLock;

namespace snowflake::pg {

struct SharedGenerator {
  // Hot: read and compare-and-swapped by every claim.
  GeneratorState state;
  // Rare writes only.
  GeneratorStats stats;
  // The fields below change only under lease_lock, which only lease renewal takes.
  LWLock* lease_lock;
  // What the lease file holds: ids may have been issued up to this time (ms since 1970).
  std::int64_t durable_lease_end_unix_ms;
  // Write counter of the newest valid slot in the lease file; 0 before the file exists.
  std::uint64_t lease_file_generation;
  // The lease file exists but no slot of it is valid: see lease.cpp.
  bool lease_file_unreadable;
};

// The generator, or null when the library was not loaded via shared_preload_libraries.
SharedGenerator* shared_generator();

// Preloading only: asks for the shared memory and sets it up at server start.
void install_shared_memory_hooks();

}  // namespace snowflake::pg
