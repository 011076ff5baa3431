// The lease's WAL record, under a custom resource manager: its encoding, and replay. A
// physical standby replays every lease record into its own lease, so after promotion it never
// reissues an id its primary issued in a transaction whose WAL reached it, whatever its own
// worker id.
#pragma once

#include "core/issued_ids.h"

#include <cstdint>

namespace snowflake::pg {

// Resource manager id 214 was chosen because no extension on the PostgreSQL wiki's list of
// custom ids (https://wiki.postgresql.org/wiki/CustomWALResourceManagers) used it; it is not
// registered there, so another extension may take it (the two then cannot be preloaded together).
inline constexpr int kLeaseRmgrId = 214;

// Preloading only.
void register_lease_rmgr();

// WAL-logs a lease (not flushed: see lease.cpp) and returns the end of its record.
std::uint64_t log_lease(const IssuedIds& issued);

}  // namespace snowflake::pg
