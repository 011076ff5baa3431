#include "pg/wal.h"

#include "pg/lease.h"
#include "pg/settings.h"
#include "pg/shared.h"

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

struct LeaseRecord {
  std::int64_t lease_end_unix_ms;
};

// The record's payload, copied out: WAL data need not be aligned.
LeaseRecord read_record(XLogReaderState* record) {
  LeaseRecord lease;
  std::memcpy(&lease, XLogRecGetData(record), sizeof(lease));
  return lease;
}

// Replay (standby, crash recovery): ids up to this lease may have been issued.
void redo_lease(XLogReaderState* record) {
  const std::uint8_t info = XLogRecGetInfo(record) & ~XLR_INFO_MASK;
  if (info != kLeaseRecordInfo) elog(PANIC, "snowflake redo: unknown record type %u", info);
  adopt_lease(*shared_generator(), generator_layout(), read_record(record).lease_end_unix_ms);
}

// For pg_walinspect and wal_debug.
void describe_lease(StringInfo text, XLogReaderState* record) {
  appendStringInfo(text, "lease end %lld ms since 1970",
                   static_cast<long long>(read_record(record).lease_end_unix_ms));
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

void log_lease(std::int64_t lease_end_unix_ms) {
  LeaseRecord lease{lease_end_unix_ms};
  XLogBeginInsert();
  XLogRegisterData(reinterpret_cast<char*>(&lease), sizeof(lease));
  XLogFlush(XLogInsert(kLeaseRmgrId, kLeaseRecordInfo));
}

}  // namespace snowflake::pg
