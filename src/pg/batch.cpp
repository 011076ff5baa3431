// snowflake_nextval_batch(n): n ids for bulk inserts. It claims a whole run of sequence numbers
// (up to the rest of a millisecond) with one compare-and-swap and hands them out one per row,
// so the per-id cost is a counter increment instead of a clock read and an atomic operation.
#include "pg/nextval.h"

#include <algorithm>
#include <cstdint>

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"

PG_FUNCTION_INFO_V1(snowflake_nextval_batch);
}

namespace snowflake::pg {
namespace {

// A larger batch is better asked for in several calls: it would hold one statement for
// seconds and push ids that far ahead of the clock.
constexpr std::int32_t kMaxBatchIds = 10 * 1000 * 1000;

// A batch size out of range.
[[noreturn]] void report_batch_size(std::int64_t requested, std::int64_t maximum) {
  ereport(ERROR,
          (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
           errmsg("cannot generate %lld ids in one batch", static_cast<long long>(requested)),
           errdetail("A batch holds from 0 to %lld ids.", static_cast<long long>(maximum))));
  pg_unreachable();
}

// What a batch still has to hand out, in the call's multi-call memory.
struct BatchProgress {
  std::int64_t ids_left;
  std::int64_t next_id;
  std::uint32_t ids_left_in_run;
};

}  // namespace
}  // namespace snowflake::pg

using snowflake::pg::BatchProgress;

// n ids, each as unique and as ordered as a single snowflake_nextval() call's.
Datum snowflake_nextval_batch(PG_FUNCTION_ARGS) {
  if (SRF_IS_FIRSTCALL()) {
    const std::int32_t requested = PG_GETARG_INT32(0);
    if (requested < 0 || requested > snowflake::pg::kMaxBatchIds)
      snowflake::pg::report_batch_size(requested, snowflake::pg::kMaxBatchIds);
    (void)snowflake::pg::ready_generator("snowflake_nextval_batch");
    FuncCallContext* call = SRF_FIRSTCALL_INIT();
    auto* progress = static_cast<BatchProgress*>(
        MemoryContextAllocZero(call->multi_call_memory_ctx, sizeof(BatchProgress)));
    progress->ids_left = requested;
    call->user_fctx = progress;
  }
  FuncCallContext* call = SRF_PERCALL_SETUP();
  auto* progress = static_cast<BatchProgress*>(call->user_fctx);
  if (progress->ids_left == 0) SRF_RETURN_DONE(call);
  if (progress->ids_left_in_run == 0) {
    const snowflake::pg::IdRun run = snowflake::pg::next_id_run(
        static_cast<std::uint32_t>(std::min<std::int64_t>(progress->ids_left, UINT32_MAX)));
    progress->next_id = run.first_id;
    progress->ids_left_in_run = run.count;
  }
  --progress->ids_left;
  --progress->ids_left_in_run;
  SRF_RETURN_NEXT(call, Int64GetDatum(progress->next_id++));
}
