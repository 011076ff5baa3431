// Registering snowflake's background processes (the lease worker, the registry worker) the one
// way they share.
#pragma once

namespace snowflake::pg {

// Preloading only: registers a process that runs `function` of this library, under `name` in
// pg_stat_activity, on primaries and on standbys once promoted (only a server that can generate
// needs it), and is started again `restart_seconds` after it ends with an error.
void register_background_worker(const char* name, const char* function, int restart_seconds);

}  // namespace snowflake::pg
