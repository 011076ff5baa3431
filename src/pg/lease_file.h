// The lease file, $PGDATA/snowflake.lease: the lease as this server's restarts and crashes
// find it. It holds two 48-byte slots, 512 bytes apart so that a torn write spoils at most one.
// Each renewal writes the slot the newest one is not in and fdatasyncs it; at start the valid slot
// with the higher generation wins. A torn slot is harmless: its lease was never published, so
// no id was issued under it, and the other slot still holds the previous one.
//
// The file is created whole: written under a temporary name, synced and renamed into place,
// so a file under its final name always holds a valid lease, and a missing file means this
// data directory never issued an id. The file is synced directly, also with fsync = off: it
// is written at most a few times a second.
#pragma once

#include "core/issued_ids.h"

#include <cstdint>

namespace snowflake::pg {

enum class LeaseFileRead : std::uint8_t {
  absent,   // no file: no id was ever issued from this data directory
  valid,    // the newest valid slot was read
  damaged,  // the file exists, but no slot of it is valid (or it cannot be read)
};

struct LeaseFileContents {
  LeaseFileRead status;
  IssuedIds issued;          // when valid
  std::uint64_t generation;  // when valid: the write counter of the newest slot
};

// Reads the file; at server start, so it reports trouble as a WARNING but never errors. Also
// removes the temporary file of a creation that did not finish.
LeaseFileContents read_lease_file();

// Writes generation `generation` of the lease (1 creates the file) and waits until it is on
// disk. False, with errno set, if that failed; the file then still holds the previous lease.
// PANICs if fsync fails and data_sync_retry is off, as PostgreSQL does for its own files.
bool write_lease_file(const IssuedIds& issued, std::uint64_t generation);

}  // namespace snowflake::pg
