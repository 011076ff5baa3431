#include "pg/lease_wal.h"

#include "pg/lease.h"

#include <cstring>

extern "C" {
#include "postgres.h"

#include "access/xlog.h"
#include "access/xlog_internal.h"
#include "access/xloginsert.h"
#include "lib/stringinfo.h"
}

namespace snowflake::pg {
namespace {

constexpr std::uint8_t kLeaseRecordInfo = 0x00;

// The record's payload. WAL data need not be aligned: it is copied in and out.
struct LeaseRecord {
  std::int64_t lease_end_unix_ms;
  std::int64_t epoch_unix_ms;
  std::int32_t worker_bits;
  std::int32_t sequence_bits;
  std::int32_t worker_id;
  std::int32_t unused;
};

LeaseRecord read_record(XLogReaderState* record) {
  LeaseRecord lease;
  std::memcpy(&lease, XLogRecGetData(record), sizeof(lease));
  return lease;
}

// Replay (standby, crash recovery): ids up to this lease may have been issued, under the
// layout and worker id it names. A record whose widths no layout has is corrupt.
void redo_lease(XLogReaderState* record) {
  const std::uint8_t info = XLogRecGetInfo(record) & ~XLR_INFO_MASK;
  if (info != kLeaseRecordInfo) elog(PANIC, "snowflake redo: unknown record type %u", info);
  const LeaseRecord lease = read_record(record);
  if (Layout::check(lease.worker_bits, lease.sequence_bits) != LayoutStatus::ok)
    elog(PANIC, "snowflake redo: lease record with %d worker bits and %d sequence bits",
         lease.worker_bits, lease.sequence_bits);
  replay_lease(IssuedIds{Layout(lease.worker_bits, lease.sequence_bits, lease.epoch_unix_ms),
                         lease.worker_id, lease.lease_end_unix_ms});
}

// For pg_walinspect, pg_waldump with the library, and wal_debug.
void describe_lease(StringInfo text, XLogReaderState* record) {
  const LeaseRecord lease = read_record(record);
  appendStringInfo(text,
                   "lease end %lld ms since 1970; epoch %lld, worker bits %d, sequence bits %d, "
                   "worker id %d",
                   static_cast<long long>(lease.lease_end_unix_ms),
                   static_cast<long long>(lease.epoch_unix_ms), lease.worker_bits,
                   lease.sequence_bits, lease.worker_id);
}

// The record's name in WAL listings.
const char* identify_lease(std::uint8_t info) {
  return (info & ~XLR_INFO_MASK) == kLeaseRecordInfo ? "LEASE" : nullptr;
}

}  // namespace

void register_lease_rmgr() {
  static RmgrData lease_rmgr;
  lease_rmgr.rm_name = "snowflake";
  lease_rmgr.rm_redo = redo_lease;
  lease_rmgr.rm_desc = describe_lease;
  lease_rmgr.rm_identify = identify_lease;
  RegisterCustomRmgr(kLeaseRmgrId, &lease_rmgr);
}

std::uint64_t log_lease(const IssuedIds& issued) {
  LeaseRecord lease{issued.lease_end_unix_ms,
                    issued.layout.epoch_unix_ms(),
                    issued.layout.worker_bits(),
                    issued.layout.sequence_bits(),
                    issued.worker_id,
                    0};
  XLogBeginInsert();
  XLogRegisterData(reinterpret_cast<char*>(&lease), sizeof(lease));
  // A lease alone does not make an idle server's WAL worth a checkpoint or a segment switch.
  XLogSetRecordFlags(XLOG_MARK_UNIMPORTANT);
  return XLogInsert(kLeaseRmgrId, kLeaseRecordInfo);
}

}  // namespace snowflake::pg
