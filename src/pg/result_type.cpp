#include "pg/result_type.h"

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
}

namespace snowflake::pg {

TupleDescData* record_result_type(FunctionCallInfoBaseData* fcinfo) {
  TupleDesc result_type;
  if (get_call_result_type(fcinfo, nullptr, &result_type) != TYPEFUNC_COMPOSITE)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("function returning record called in context that cannot accept "
                           "type record")));
  return BlessTupleDesc(result_type);
}

}  // namespace snowflake::pg
