// The lease file. It holds two 32-byte slots, 512 bytes apart so that a torn write spoils at
// most one. Each renewal writes the slot the newest one is not in, then fsyncs; at start the
// valid slot with the higher generation wins. A torn slot is harmless: its lease was never
// published, so no id was issued under it, and the other slot still holds the previous one.
//
// Locking: renewal and replay hold lease_lock; claims never take it.
#include "pg/lease.h"

#include "core/clock.h"
#include "pg/errors.h"
#include "pg/shared.h"
#include "pg/wal.h"

#include <cerrno>
#include <cstddef>

extern "C" {
#include "postgres.h"

#include <fcntl.h>
#include <unistd.h>

#include "port/pg_crc32c.h"
#include "storage/fd.h"
#include "storage/lwlock.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
}

namespace snowflake::pg {
namespace {

constexpr const char* kLeaseFileName = "snowflake.lease";
constexpr std::uint32_t kLeaseMagic = 0x534e4f57;  // "SNOW"
constexpr std::uint32_t kLeaseFormat = 1;
constexpr off_t kSlotStride = 512;

struct LeaseSlot {
  std::uint32_t magic;
  std::uint32_t format;
  std::uint64_t generation;
  std::int64_t lease_end_unix_ms;
  pg_crc32c crc;  // of the fields above
  std::uint32_t reserved;
};
static_assert(sizeof(LeaseSlot) == 32, "the on-disk slot layout is fixed");

// The checksum that tells a whole slot from a torn or damaged one.
pg_crc32c slot_crc(const LeaseSlot& slot) {
  pg_crc32c crc;
  INIT_CRC32C(crc);
  COMP_CRC32C(crc, &slot, offsetof(LeaseSlot, crc));
  FIN_CRC32C(crc);
  return crc;
}

// A slot counts only if it is ours, of this format, written at least once, and intact.
bool slot_is_valid(const LeaseSlot& slot) {
  return slot.magic == kLeaseMagic && slot.format == kLeaseFormat && slot.generation > 0 &&
         EQ_CRC32C(slot.crc, slot_crc(slot));
}

enum class LeaseFileRead { absent, ok, unreadable };

// Finds the newest valid slot; in the postmaster at start, so it reports but never errors.
LeaseFileRead read_lease_file(LeaseSlot* newest) {
  const int fd = OpenTransientFile(kLeaseFileName, O_RDONLY | PG_BINARY);
  if (fd < 0) {
    if (errno == ENOENT) return LeaseFileRead::absent;
    ereport(WARNING,
            (errcode_for_file_access(), errmsg("could not open file \"%s\": %m", kLeaseFileName)));
    return LeaseFileRead::unreadable;
  }
  bool found = false;
  for (off_t slot_index = 0; slot_index < 2; ++slot_index) {
    LeaseSlot slot;
    const ssize_t read_bytes = pg_pread(fd, &slot, sizeof(slot), slot_index * kSlotStride);
    if (read_bytes == sizeof(slot) && slot_is_valid(slot) &&
        (!found || slot.generation > newest->generation)) {
      *newest = slot;
      found = true;
    }
  }
  CloseTransientFile(fd);
  return found ? LeaseFileRead::ok : LeaseFileRead::unreadable;
}

// Writes the next slot and waits until it is on disk. ERROR (PANIC if fsync fails and
// data_sync_retry is off, as for PostgreSQL's own files) leaves the old lease in force.
void write_lease_file(SharedGenerator& shared, std::int64_t lease_end_unix_ms) {
  LeaseSlot slot{
      kLeaseMagic, kLeaseFormat, shared.lease_file_generation + 1, lease_end_unix_ms, 0, 0};
  slot.crc = slot_crc(slot);
  const off_t offset = static_cast<off_t>(slot.generation % 2) * kSlotStride;

  const int fd = OpenTransientFile(kLeaseFileName, O_RDWR | O_CREAT | PG_BINARY);
  if (fd < 0)
    ereport(ERROR,
            (errcode_for_file_access(), errmsg("could not open file \"%s\": %m", kLeaseFileName)));
  pgstat_report_wait_start(PG_WAIT_EXTENSION);
  errno = 0;
  if (pg_pwrite(fd, &slot, sizeof(slot), offset) != sizeof(slot)) {
    // A short write without errno means the disk is full.
    if (errno == 0) errno = ENOSPC;
    ereport(ERROR,
            (errcode_for_file_access(), errmsg("could not write file \"%s\": %m", kLeaseFileName)));
  }
  if (pg_fsync(fd) != 0)
    ereport(data_sync_elevel(ERROR),
            (errcode_for_file_access(), errmsg("could not fsync file \"%s\": %m", kLeaseFileName)));
  pgstat_report_wait_end();
  CloseTransientFile(fd);
  // A new file is durable only once its directory entry is.
  if (shared.lease_file_generation == 0) fsync_fname(".", true);

  shared.lease_file_generation = slot.generation;
  shared.durable_lease_end_unix_ms = lease_end_unix_ms;
}

// Without a readable lease no id is safe to issue: refuse, and say how to recover.
void report_lease_unreadable() {
  ereport(ERROR,
          (errcode(ERRCODE_DATA_CORRUPTED),
           errmsg("snowflake lease file \"%s\" is unreadable", kLeaseFileName),
           errdetail("It records how far this server may have issued ids; without it a new id "
                     "could repeat an old one."),
           errhint("Restore the file from a backup of this data directory, or remove it once "
                   "the system clock is past the newest id this server issued, then restart "
                   "the server.")));
}

}  // namespace

void load_lease(SharedGenerator& shared, const Layout& layout) {
  LeaseSlot newest{};
  switch (read_lease_file(&newest)) {
    case LeaseFileRead::absent:
      return;
    case LeaseFileRead::unreadable:
      shared.lease_file_unreadable = true;
      ereport(WARNING, (errmsg("snowflake lease file \"%s\" has no valid record", kLeaseFileName),
                        errdetail("snowflake_nextval() will refuse to run.")));
      return;
    case LeaseFileRead::ok:
      break;
  }
  shared.lease_file_generation = newest.generation;
  shared.durable_lease_end_unix_ms = newest.lease_end_unix_ms;
  resume_after_lease(shared.state, layout, newest.lease_end_unix_ms - layout.epoch_unix_ms());

  // A lease never reaches more than its span past the clock, so a clock further behind it than
  // that stepped back while the server was down.
  const std::int64_t step_back_ms = newest.lease_end_unix_ms - kLeaseSpanMs - realtime_unix_ms();
  if (step_back_ms > 0) {
    shared.stats.record_regression(static_cast<std::uint64_t>(step_back_ms));
    ereport(LOG, (errmsg("snowflake: the system clock is %lld ms behind the last lease",
                         static_cast<long long>(step_back_ms)),
                  errdetail("New ids continue after the last lease, ahead of the clock.")));
  }
}

void renew_lease(SharedGenerator& shared, const Layout& layout, std::int64_t now_ms) {
  LWLockAcquire(shared.lease_lock, LW_EXCLUSIVE);
  if (shared.lease_file_unreadable) report_lease_unreadable();
  const std::int64_t target_ms = lease_renewal_target_ms(shared.state, layout, now_ms);
  if (target_ms >= 0) {
    const std::int64_t target_unix_ms = layout.epoch_unix_ms() + target_ms;
    // File first, then WAL: a base backup that starts after the WAL record was flushed then
    // either replays it or copies a file that already holds it. (The other order leaves a
    // moment when a backup could miss both.)
    write_lease_file(shared, target_unix_ms);
    log_lease(target_unix_ms);
    publish_lease(shared.state, layout, target_ms);
    shared.stats.lease_renewals.fetch_add(1, std::memory_order_relaxed);
  }
  LWLockRelease(shared.lease_lock);
}

void adopt_lease(SharedGenerator& shared, const Layout& layout, std::int64_t lease_end_unix_ms) {
  LWLockAcquire(shared.lease_lock, LW_EXCLUSIVE);
  if (lease_end_unix_ms > shared.durable_lease_end_unix_ms && !shared.lease_file_unreadable)
    write_lease_file(shared, lease_end_unix_ms);
  resume_after_lease(shared.state, layout, lease_end_unix_ms - layout.epoch_unix_ms());
  LWLockRelease(shared.lease_lock);
}

}  // namespace snowflake::pg
