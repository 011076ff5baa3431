// What CREATE EXTENSION (and so a restore) says about this server: the install script calls
// snowflake_warn_if_not_ready() once and drops it, so that a server that cannot generate ids
// says so at install time rather than at the first insert.
#include "pg/errors.h"
#include "pg/settings.h"
#include "pg/shared.h"

extern "C" {
#include "postgres.h"

#include "fmgr.h"

PG_FUNCTION_INFO_V1(snowflake_warn_if_not_ready);
}

// A WARNING when snowflake_nextval() would fail here for want of preloading or a worker id
// (neither configured nor to be claimed from a registry).
Datum snowflake_warn_if_not_ready(PG_FUNCTION_ARGS) {
  if (snowflake::pg::shared_generator() == nullptr)
    snowflake::pg::warn_not_ready(snowflake::pg::NotReady::not_preloaded);
  else if (snowflake::pg::worker_id == snowflake::pg::kWorkerIdUnset &&
           !snowflake::pg::registry_configured())
    snowflake::pg::warn_not_ready(snowflake::pg::NotReady::worker_id_unset);
  PG_RETURN_VOID();
}
