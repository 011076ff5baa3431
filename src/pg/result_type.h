// The composite type a record-returning SQL function must build its result as.
#pragma once

struct FunctionCallInfoBaseData;
struct TupleDescData;

namespace snowflake::pg {

// The call's blessed result tuple descriptor; ERROR if the caller cannot take a record.
TupleDescData* record_result_type(FunctionCallInfoBaseData* fcinfo);

}  // namespace snowflake::pg
