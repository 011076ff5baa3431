// Library entry point.
#include "pg/lease.h"
#include "pg/lease_worker.h"
#include "pg/registry.h"
#include "pg/settings.h"
#include "pg/shared.h"

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

// The failover guarantee rests on custom WAL resource managers, new in PostgreSQL 15.
#if PG_VERSION_NUM < 150000
#error "snowflake requires PostgreSQL 15 or later"
#endif

PG_MODULE_MAGIC;

void _PG_init(void);
}

// Defines the settings; when preloading, also validates them and sets up the generator. A
// library loaded later (by CREATE EXTENSION or a decode call) only decodes: functions that need
// the generator say that shared_preload_libraries is missing.
void _PG_init(void) {
  const bool preloading = process_shared_preload_libraries_in_progress;
  snowflake::pg::define_settings(preloading);
  if (!preloading) return;
  snowflake::pg::check_settings_at_startup();
  snowflake::pg::install_shared_memory_hooks();
  snowflake::pg::register_lease_rmgr();
  snowflake::pg::register_lease_worker();
  if (snowflake::pg::registry_configured()) snowflake::pg::register_registry_worker();
}
