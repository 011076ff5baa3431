// The lease's WAL record, under a custom resource manager. Replay on a standby adopts each
// lease, so after promotion it never reissues an id its primary issued in a transaction whose
// WAL reached it.
#pragma once

#include <cstdint>

namespace snowflake::pg {

// Resource manager id 214 is ours. The PostgreSQL wiki keeps the list of ids in use
// (https://wiki.postgresql.org/wiki/CustomWALResourceManagers); 214 was free there.
inline constexpr int kLeaseRmgrId = 214;

// Preloading only.
void register_lease_rmgr();

// WAL-logs a lease end and waits until the record is flushed, whatever synchronous_commit says.
void log_lease(std::int64_t lease_end_unix_ms);

}  // namespace snowflake::pg
