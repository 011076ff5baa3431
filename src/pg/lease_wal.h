// The lease's WAL record, under a custom resource manager: its encoding only. The lease
// (lease.h) registers the resource manager and owns redo: a physical standby replays every
// lease record into its own lease, so after promotion it never reissues an id its primary
// issued in a transaction whose WAL reached it, whatever its own worker id.
#pragma once

#include "core/lease_payload.h"

#include <cstdint>
#include <optional>

struct XLogReaderState;
struct StringInfoData;

namespace snowflake::pg {

// Resource manager id 214 was chosen because no extension on the PostgreSQL wiki's list of
// custom ids (https://wiki.postgresql.org/wiki/CustomWALResourceManagers) used it; it is not
// registered there, so another extension may take it (the two then cannot be preloaded together).
inline constexpr int kLeaseRmgrId = 214;
inline constexpr const char* kLeaseRmgrName = "snowflake";

// WAL-logs a lease (not flushed: see lease.h) and returns the end of its record.
std::uint64_t log_lease(const LeasePayload& lease);

// The payload of a lease record, also of one version 1.0 wrote (written_unix_ms 0); none for a
// record type or length this code never writes (redo PANICs on it, a description says so).
std::optional<LeasePayload> read_lease_record(XLogReaderState* record);

// For pg_walinspect, pg_waldump with the library, and wal_debug.
void describe_lease_record(StringInfoData* text, XLogReaderState* record);
const char* identify_lease_record(std::uint8_t info);

}  // namespace snowflake::pg
