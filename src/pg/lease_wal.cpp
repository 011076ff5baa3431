#include "pg/lease_wal.h"

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

// Version 1.0's record held the payload's first 32 bytes; this one holds all of it.
constexpr std::uint8_t kLeaseWithoutTimeInfo = 0x00;
constexpr std::uint8_t kLeaseInfo = 0x10;
constexpr std::size_t kPayloadWithoutTimeBytes = offsetof(LeasePayload, written_unix_ms);

}  // namespace

std::uint64_t log_lease(const LeasePayload& lease) {
  LeasePayload copy = lease;
  XLogBeginInsert();
  XLogRegisterData(reinterpret_cast<char*>(&copy), sizeof(copy));
  // A lease alone does not make an idle server's WAL worth a checkpoint or a segment switch.
  XLogSetRecordFlags(XLOG_MARK_UNIMPORTANT);
  return XLogInsert(kLeaseRmgrId, kLeaseInfo);
}

std::optional<LeasePayload> read_lease_record(XLogReaderState* record) {
  const std::uint8_t info = XLogRecGetInfo(record) & ~XLR_INFO_MASK;
  const std::size_t expected = info == kLeaseInfo              ? sizeof(LeasePayload)
                               : info == kLeaseWithoutTimeInfo ? kPayloadWithoutTimeBytes
                                                               : 0;
  if (expected == 0 || XLogRecGetDataLen(record) != expected) return std::nullopt;
  // WAL data need not be aligned: it is copied out.
  LeasePayload lease{};
  std::memcpy(&lease, XLogRecGetData(record), expected);
  return lease;
}

void describe_lease_record(StringInfoData* text, XLogReaderState* record) {
  const std::optional<LeasePayload> read = read_lease_record(record);
  if (!read) {
    appendStringInfo(text, "not a lease record this version writes (%u bytes)",
                     XLogRecGetDataLen(record));
    return;
  }
  const LeasePayload& lease = *read;
  appendStringInfo(text,
                   "lease end %lld ms since 1970, written at %lld; epoch %lld, worker bits %d, "
                   "sequence bits %d, worker id %d",
                   static_cast<long long>(lease.lease_end_unix_ms),
                   static_cast<long long>(lease.written_unix_ms),
                   static_cast<long long>(lease.epoch_unix_ms), lease.worker_bits,
                   lease.sequence_bits, lease.worker_id);
}

const char* identify_lease_record(std::uint8_t info) {
  switch (info & ~XLR_INFO_MASK) {
    case kLeaseInfo:
      return "LEASE";
    case kLeaseWithoutTimeInfo:
      return "LEASE (1.0)";
  }
  return nullptr;
}

}  // namespace snowflake::pg
