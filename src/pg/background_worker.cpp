#include "pg/background_worker.h"

extern "C" {
#include "postgres.h"

#include "postmaster/bgworker.h"
}

namespace snowflake::pg {

void register_background_worker(const char* name, const char* function, int restart_seconds) {
  BackgroundWorker worker = {};
  snprintf(worker.bgw_name, BGW_MAXLEN, "%s", name);
  snprintf(worker.bgw_type, BGW_MAXLEN, "%s", name);
  snprintf(worker.bgw_library_name, BGW_MAXLEN, "snowflake");
  snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", function);
  // Connected to no database (shared catalogs only), so that pg_stat_activity shows it.
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = restart_seconds;
  RegisterBackgroundWorker(&worker);
}

}  // namespace snowflake::pg
