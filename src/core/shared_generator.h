// Everything one server's generator keeps in shared memory: the hot state every claim
// compare-and-swaps, and the counters written only on rare events, each on its own cache lines.
#pragma once

#include "core/no_postgres.h"

#include "core/generator.h"
#include "core/stats.h"

namespace snowflake {

struct SharedGenerator {
  GeneratorState state;
  GeneratorStats stats;
};

}  // namespace snowflake
