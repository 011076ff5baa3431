// The lease file, $PGDATA/snowflake.lease: the lease as this server's restarts and crashes
// find it. It holds two slots, 512 bytes apart so that a torn write spoils at most one. Each
// renewal writes the slot the newest one is not in and fdatasyncs it; at start the valid slot
// with the higher generation wins. A torn slot is harmless: its lease was never published, so
// no id was issued under it, and the other slot still holds the previous one.
//
// The file is created whole: written under a temporary name, synced and renamed into place,
// so a file under its final name always holds a valid lease. The file is synced directly, also
// with fsync = off: it is written at most a few times a second. This is a codec: it reads and
// writes what it is given; the lease (lease.h) decides what and when.
#pragma once

#include "core/lease_payload.h"

#include <cstdint>

namespace snowflake::pg {

// The file's name in the data directory, for messages.
inline constexpr const char* kLeaseFileName = "snowflake.lease";

enum class LeaseFileRead : std::uint8_t {
  absent,   // no file
  valid,    // the newest valid slot was read
  damaged,  // the file exists, but no slot of it is valid (or it cannot be read)
};

struct LeaseFileContents {
  LeaseFileRead status;
  DurableLease lease;        // when valid
  std::uint64_t generation;  // when valid: the write counter of the newest slot
};

// Reads the file, also slots written by version 1.0. It never errors: it runs at server start,
// before each write of a lease (to see whether the file is still as written), in the lease
// worker's checks and during replay.
LeaseFileContents read_lease_file();

// Server start: removes the temporary file of a creation that did not finish (WARNING if that
// fails).
void remove_unfinished_lease_file();

// Writes generation `generation` of the lease into its slot of the existing file and waits
// until it is on disk. False, with errno set, if that failed (ENOENT: there is no file); the
// file then still holds the previous lease. PANICs if the sync fails and data_sync_retry is
// off, as PostgreSQL does for its own files.
bool update_lease_file(const LeasePayload& lease, std::uint64_t generation);

// Creates the file whole, holding generation `generation` of the lease, replacing whatever is
// under its name. Same failure rules as update_lease_file.
bool create_lease_file(const LeasePayload& lease, std::uint64_t generation);

}  // namespace snowflake::pg
