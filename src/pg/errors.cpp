#include "pg/errors.h"

extern "C" {
#include "postgres.h"
}

namespace snowflake::pg {
namespace {

// Why snowflake_nextval() cannot run on this server, for its error and the install warning.
void report_not_ready(NotReady reason, int elevel) {
  if (reason == NotReady::not_preloaded)
    ereport(elevel,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("snowflake must be loaded via shared_preload_libraries"),
             errdetail("The id generator lives in shared memory, which is set up at server start; "
                       "until then snowflake_nextval() fails. Decoding works."),
             errhint("Add snowflake to shared_preload_libraries in postgresql.conf and restart "
                     "the server.")));
  else
    ereport(elevel,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("snowflake.worker_id is not set"),
             errdetail("Every server that generates ids needs a worker id of its own; two servers "
                       "with the same one can issue the same id."),
             errhint("Set snowflake.worker_id in postgresql.conf to a number no other server "
                     "uses, and restart the server.")));
}

}  // namespace

void report_not_preloaded() {
  report_not_ready(NotReady::not_preloaded, ERROR);
  pg_unreachable();
}

void report_worker_id_unset() {
  report_not_ready(NotReady::worker_id_unset, ERROR);
  pg_unreachable();
}

void warn_not_ready(NotReady reason) { report_not_ready(reason, WARNING); }

void report_negative_id(std::int64_t id) {
  ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                  errmsg("invalid snowflake id %lld", static_cast<long long>(id)),
                  errdetail("%s", kNeverNegativeDetail)));
  pg_unreachable();
}

}  // namespace snowflake::pg
