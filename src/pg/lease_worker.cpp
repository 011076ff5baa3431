// The lease worker: a background process that renews the lease ahead of demand (see lease.h),
// registered at server start when the library is preloaded.
#include "pg/lease.h"

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"

PGDLLEXPORT void snowflake_lease_worker_main(Datum argument);
}

namespace snowflake::pg {

void register_lease_worker() {
  BackgroundWorker worker = {};
  snprintf(worker.bgw_name, BGW_MAXLEN, "snowflake lease worker");
  snprintf(worker.bgw_type, BGW_MAXLEN, "snowflake lease worker");
  snprintf(worker.bgw_library_name, BGW_MAXLEN, "snowflake");
  snprintf(worker.bgw_function_name, BGW_MAXLEN, "snowflake_lease_worker_main");
  // Connected to no database (shared catalogs only), so that pg_stat_activity shows it.
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  // Only a server that can generate renews: primaries, and standbys once promoted.
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  // After an error (a full disk, say) it comes back in a while; callers renew meanwhile.
  worker.bgw_restart_time = 10;
  RegisterBackgroundWorker(&worker);
}

}  // namespace snowflake::pg

// Entry point of the lease worker process.
void snowflake_lease_worker_main(Datum /*argument*/) {
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();
  BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
  snowflake::pg::run_lease_worker();
}
