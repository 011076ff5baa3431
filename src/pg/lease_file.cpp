#include "pg/lease_file.h"

#include <cerrno>
#include <cstddef>

extern "C" {
#include "postgres.h"

#include <fcntl.h>
#include <unistd.h>

#include "pgstat.h"
#include "port/pg_crc32c.h"
#include "storage/fd.h"
#include "utils/wait_event.h"
}

namespace snowflake::pg {
namespace {

constexpr const char* kLeaseFileName = "snowflake.lease";
constexpr const char* kLeaseTempFileName = "snowflake.lease.tmp";
constexpr std::uint32_t kLeaseMagic = 0x534e4f57;  // "SNOW"
// Format 2 records the layout and worker id the ids were issued under.
constexpr std::uint32_t kLeaseFormat = 2;
constexpr off_t kSlotStride = 512;

struct LeaseSlot {
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
static_assert(sizeof(LeaseSlot) == 48, "the on-disk slot layout is fixed");

// The checksum that tells a whole slot from a torn or damaged one.
pg_crc32c slot_crc(const LeaseSlot& slot) {
  pg_crc32c crc;
  INIT_CRC32C(crc);
  COMP_CRC32C(crc, &slot, offsetof(LeaseSlot, crc));
  FIN_CRC32C(crc);
  return crc;
}

// A slot counts only if it is ours, of this format, written at least once, intact, and
// describes a layout this code could have issued ids with.
bool slot_is_valid(const LeaseSlot& slot) {
  return slot.magic == kLeaseMagic && slot.format == kLeaseFormat && slot.generation > 0 &&
         EQ_CRC32C(slot.crc, slot_crc(slot)) &&
         Layout::check(slot.worker_bits, slot.sequence_bits) == LayoutStatus::ok &&
         Layout(slot.worker_bits, slot.sequence_bits, 0).fits_worker_id(slot.worker_id);
}

// How much of a file a sync makes durable: its data and what reading it back needs (its size),
// or everything, timestamps included.
enum class SyncScope { data, everything };

// Syncs a file or directory to disk; not pg_fsync, which fsync = off turns into a no-op.
bool sync_to_disk(int fd, SyncScope scope) {
  pgstat_report_wait_start(PG_WAIT_EXTENSION);
  const bool synced = (scope == SyncScope::data ? fdatasync(fd) : fsync(fd)) == 0;
  pgstat_report_wait_end();
  if (!synced && !data_sync_retry)
    ereport(PANIC,
            (errcode_for_file_access(), errmsg("could not fsync file \"%s\": %m", kLeaseFileName)));
  return synced;
}

// Writes a slot at its offset of an open file and syncs its data; false with errno on failure.
// fdatasync, as PostgreSQL syncs its WAL: it leaves only timestamps unsynced, which spares a
// renewal (an overwrite inside the file) the file system's journal commit.
bool write_slot(int fd, const LeaseSlot& slot) {
  const off_t offset = static_cast<off_t>(slot.generation % 2) * kSlotStride;
  errno = 0;
  pgstat_report_wait_start(PG_WAIT_EXTENSION);
  const bool written = pg_pwrite(fd, &slot, sizeof(slot), offset) == sizeof(slot);
  pgstat_report_wait_end();
  if (!written) {
    if (errno == 0) errno = ENOSPC;  // a short write without errno means the disk is full
    return false;
  }
  return sync_to_disk(fd, SyncScope::data);
}

// Closes fd keeping errno, and returns false: the end of every failed write.
bool fail_closing(int fd) {
  const int saved_errno = errno;
  CloseTransientFile(fd);
  errno = saved_errno;
  return false;
}

// Creates the file whole: a temporary file holding the first slot, synced, renamed into place,
// and the directory synced, so that the new name cannot outlive a crash without its content.
bool create_lease_file(const LeaseSlot& first_slot) {
  const int fd = OpenTransientFile(kLeaseTempFileName, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);
  if (fd < 0) return false;
  if (!write_slot(fd, first_slot)) return fail_closing(fd);
  if (CloseTransientFile(fd) != 0 || rename(kLeaseTempFileName, kLeaseFileName) != 0) return false;
  const int directory = OpenTransientFile(".", O_RDONLY | PG_BINARY);
  if (directory < 0) return false;
  if (!sync_to_disk(directory, SyncScope::everything)) return fail_closing(directory);
  return CloseTransientFile(directory) == 0;
}

}  // namespace

LeaseFileContents read_lease_file() {
  LeaseFileContents contents{LeaseFileRead::absent, IssuedIds{Layout::twitter(), 0, 0}, 0};
  if (unlink(kLeaseTempFileName) != 0 && errno != ENOENT)
    ereport(WARNING, (errcode_for_file_access(),
                      errmsg("could not remove file \"%s\": %m", kLeaseTempFileName)));
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
    if (read_bytes != sizeof(slot) || !slot_is_valid(slot) ||
        (contents.status == LeaseFileRead::valid && slot.generation <= contents.generation))
      continue;
    contents.status = LeaseFileRead::valid;
    contents.generation = slot.generation;
    contents.issued = IssuedIds{Layout(slot.worker_bits, slot.sequence_bits, slot.epoch_unix_ms),
                                slot.worker_id, slot.lease_end_unix_ms};
  }
  CloseTransientFile(fd);
  return contents;
}

bool write_lease_file(const IssuedIds& issued, std::uint64_t generation) {
  LeaseSlot slot{kLeaseMagic,
                 kLeaseFormat,
                 generation,
                 issued.lease_end_unix_ms,
                 issued.layout.epoch_unix_ms(),
                 issued.layout.worker_bits(),
                 issued.layout.sequence_bits(),
                 issued.worker_id,
                 0};
  slot.crc = slot_crc(slot);
  if (generation == 1) return create_lease_file(slot);
  const int fd = OpenTransientFile(kLeaseFileName, O_WRONLY | PG_BINARY);
  if (fd < 0) return false;
  if (!write_slot(fd, slot)) return fail_closing(fd);
  return CloseTransientFile(fd) == 0;
}

}  // namespace snowflake::pg
