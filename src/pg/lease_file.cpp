#include "pg/lease_file.h"

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <optional>

extern "C" {
#include "postgres.h"

#include <fcntl.h>
#include <unistd.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "port/pg_crc32c.h"
#include "storage/fd.h"
#include "utils/wait_event.h"
}

namespace snowflake::pg {
namespace {

constexpr const char* kLeaseTempFileName = "snowflake.lease.tmp";
constexpr std::uint32_t kLeaseMagic = 0x534e4f57;  // "SNOW"
// Format 3 adds the time each lease was written to format 2 (version 1.0's), which recorded
// the layout and worker id the ids were issued under.
constexpr std::uint32_t kLeaseFormat = 3;
constexpr std::uint32_t kLeaseFormatWithoutTime = 2;
constexpr off_t kSlotStride = 512;

struct LeaseSlot {
  std::uint32_t magic;
  std::uint32_t format;
  std::uint64_t generation;
  LeasePayload lease;
  pg_crc32c crc;  // of the fields above
  std::uint32_t unused;
};
static_assert(sizeof(LeaseSlot) == 64, "the on-disk slot layout is fixed");

// A slot as version 1.0 wrote it.
struct LeaseSlotWithoutTime {
  std::uint32_t magic;
  std::uint32_t format;
  std::uint64_t generation;
  std::int64_t lease_end_unix_ms;
  std::int64_t epoch_unix_ms;
  std::int32_t worker_bits;
  std::int32_t sequence_bits;
  std::int32_t worker_id;
  pg_crc32c crc;  // of the fields above
};
static_assert(sizeof(LeaseSlotWithoutTime) == 48, "version 1.0's slot layout is fixed");

// The checksum that tells a whole slot from a torn or damaged one: of its first `length` bytes.
pg_crc32c crc_of(const void* slot, std::size_t length) {
  pg_crc32c crc;
  INIT_CRC32C(crc);
  COMP_CRC32C(crc, slot, length);
  FIN_CRC32C(crc);
  return crc;
}

// A slot read back, when valid: ours, of a format this code reads, written at least once,
// intact, and holding a lease (lease_of).
struct ReadSlot {
  std::uint64_t generation;
  DurableLease lease;
};

// The slot as read, if it is a valid one (above).
std::optional<ReadSlot> valid_slot(const LeaseSlot& slot, ssize_t read_bytes) {
  if (read_bytes == sizeof(LeaseSlot) && slot.magic == kLeaseMagic && slot.format == kLeaseFormat &&
      slot.generation > 0 && EQ_CRC32C(slot.crc, crc_of(&slot, offsetof(LeaseSlot, crc)))) {
    const std::optional<DurableLease> lease = lease_of(slot.lease);
    if (lease) return ReadSlot{slot.generation, *lease};
    return std::nullopt;
  }
  LeaseSlotWithoutTime old;
  static_assert(sizeof(old) <= sizeof(slot));
  std::memcpy(&old, &slot, sizeof(old));
  if (read_bytes < static_cast<ssize_t>(sizeof(old)) || old.magic != kLeaseMagic ||
      old.format != kLeaseFormatWithoutTime || old.generation == 0 ||
      !EQ_CRC32C(old.crc, crc_of(&old, offsetof(LeaseSlotWithoutTime, crc))))
    return std::nullopt;
  const std::optional<DurableLease> lease =
      lease_of(LeasePayload{old.lease_end_unix_ms, old.epoch_unix_ms, old.worker_bits,
                            old.sequence_bits, old.worker_id, 0, 0});
  if (lease) return ReadSlot{old.generation, *lease};
  return std::nullopt;
}

// What a sync makes durable: a file's data and what reading it back needs (its size), or a
// directory, whose entries name the files in it.
enum class SyncScope { file_data, directory };

// Syncs the file or directory `name` to disk; not pg_fsync, which fsync = off turns into a
// no-op.
bool sync_to_disk(int fd, SyncScope scope, const char* name) {
  pgstat_report_wait_start(PG_WAIT_EXTENSION);
  const bool synced = (scope == SyncScope::file_data ? fdatasync(fd) : fsync(fd)) == 0;
  pgstat_report_wait_end();
  if (!synced && !data_sync_retry)
    ereport(PANIC, (errcode_for_file_access(),
                    errmsg(scope == SyncScope::file_data ? "could not fsync file \"%s\": %m"
                                                         : "could not fsync directory \"%s\": %m",
                           name)));
  return synced;
}

// Writes a slot at its offset of the open file `name` and syncs its data; false with errno on
// failure. fdatasync, as PostgreSQL syncs its WAL: it leaves only timestamps unsynced, which
// spares a renewal (an overwrite inside the file) the file system's journal commit.
bool write_slot(int fd, const LeaseSlot& slot, const char* name) {
  const off_t offset = static_cast<off_t>(slot.generation % 2) * kSlotStride;
  errno = 0;
  pgstat_report_wait_start(PG_WAIT_EXTENSION);
  const bool written = pg_pwrite(fd, &slot, sizeof(slot), offset) == sizeof(slot);
  pgstat_report_wait_end();
  if (!written) {
    if (errno == 0) errno = ENOSPC;  // a short write without errno means the disk is full
    return false;
  }
  return sync_to_disk(fd, SyncScope::file_data, name);
}

// Closes fd keeping errno, and returns false: the end of every failed write.
bool fail_closing(int fd) {
  const int saved_errno = errno;
  CloseTransientFile(fd);
  errno = saved_errno;
  return false;
}

// The slot of generation `generation` of a lease, with its checksum.
LeaseSlot slot_of(const LeasePayload& lease, std::uint64_t generation) {
  LeaseSlot slot{kLeaseMagic, kLeaseFormat, generation, lease, 0, 0};
  slot.crc = crc_of(&slot, offsetof(LeaseSlot, crc));
  return slot;
}

}  // namespace

LeaseFileContents read_lease_file() {
  LeaseFileContents contents{LeaseFileRead::absent,
                             DurableLease{IssuedIds{Layout::twitter(), 0, 0}, 0}, 0};
  const int fd = OpenTransientFile(kLeaseFileName, O_RDONLY | PG_BINARY);
  if (fd < 0) {
    if (errno == ENOENT) return contents;
    ereport(WARNING,
            (errcode_for_file_access(), errmsg("could not open file \"%s\": %m", kLeaseFileName)));
    contents.status = LeaseFileRead::damaged;
    return contents;
  }
  contents.status = LeaseFileRead::damaged;
  for (off_t slot_index = 0; slot_index < 2; ++slot_index) {
    LeaseSlot slot;
    const ssize_t read_bytes = pg_pread(fd, &slot, sizeof(slot), slot_index * kSlotStride);
    const std::optional<ReadSlot> valid = valid_slot(slot, read_bytes);
    if (!valid ||
        (contents.status == LeaseFileRead::valid && valid->generation <= contents.generation))
      continue;
    contents.status = LeaseFileRead::valid;
    contents.generation = valid->generation;
    contents.lease = valid->lease;
  }
  CloseTransientFile(fd);
  return contents;
}

void remove_unfinished_lease_file() {
  if (unlink(kLeaseTempFileName) != 0 && errno != ENOENT)
    ereport(WARNING, (errcode_for_file_access(),
                      errmsg("could not remove file \"%s\": %m", kLeaseTempFileName)));
}

bool update_lease_file(const LeasePayload& lease, std::uint64_t generation) {
  const int fd = OpenTransientFile(kLeaseFileName, O_WRONLY | PG_BINARY);
  if (fd < 0) return false;
  if (!write_slot(fd, slot_of(lease, generation), kLeaseFileName)) return fail_closing(fd);
  return CloseTransientFile(fd) == 0;
}

// A temporary file holding the slot, synced, renamed into place, and the directory synced, so
// that the new name cannot outlive a crash without its content.
bool create_lease_file(const LeasePayload& lease, std::uint64_t generation) {
  const int fd = OpenTransientFile(kLeaseTempFileName, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);
  if (fd < 0) return false;
  if (!write_slot(fd, slot_of(lease, generation), kLeaseTempFileName)) return fail_closing(fd);
  if (CloseTransientFile(fd) != 0 || rename(kLeaseTempFileName, kLeaseFileName) != 0) return false;
  const int directory = OpenTransientFile(".", O_RDONLY | PG_BINARY);
  if (directory < 0) return false;
  if (!sync_to_disk(directory, SyncScope::directory, DataDir)) return fail_closing(directory);
  return CloseTransientFile(directory) == 0;
}

}  // namespace snowflake::pg
