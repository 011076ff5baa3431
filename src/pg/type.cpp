// The snowflake column type: a bigint in every way but one. It is stored, compared, hashed and
// sent in binary exactly like int8 (the install script reuses int8's built-in output, send,
// comparison and hash functions), but it is not a built-in type, so to_json and to_jsonb write
// its text form as a JSON string and JavaScript's 53-bit numbers cannot round it.
//
// What lives here is what int8 lacks: refusing negative values, in the text input, the binary
// input and the casts from integer types alike.
#include "core/id_text.h"
#include "pg/errors.h"

#include <cstdint>

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"

PG_FUNCTION_INFO_V1(snowflake_in);
PG_FUNCTION_INFO_V1(snowflake_recv);
PG_FUNCTION_INFO_V1(snowflake_from_bigint);
PG_FUNCTION_INFO_V1(snowflake_from_integer);
PG_FUNCTION_INFO_V1(snowflake_from_smallint);
}

namespace snowflake::pg {
namespace {

// The input refusing a text: not digits (22P02), or out of range or negative (22003).
[[noreturn]] void report_id_text_status(IdTextStatus status, const char* text) {
  if (status == IdTextStatus::bad_syntax)
    ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
                    errmsg("invalid input syntax for type snowflake: \"%s\"", text),
                    errdetail("A snowflake is written in decimal digits, with no 0x, 0o or 0b "
                              "prefix and no underscores.")));
  ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                  errmsg("value \"%s\" is out of range for type snowflake", text),
                  status == IdTextStatus::negative
                      ? errdetail("%s", kNeverNegativeDetail)
                      : errdetail("The largest snowflake is 9223372036854775807.")));
  pg_unreachable();
}

// A cast or the binary input refusing a negative value.
[[noreturn]] void report_negative_snowflake(std::int64_t value) {
  ereport(ERROR,
          (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
           errmsg("value %lld is out of range for type snowflake", static_cast<long long>(value)),
           errdetail("%s", kNeverNegativeDetail)));
  pg_unreachable();
}

// A value as a snowflake, or ERROR when it is negative.
Datum checked_snowflake(std::int64_t value) {
  if (value < 0) report_negative_snowflake(value);
  return Int64GetDatum(value);
}

}  // namespace
}  // namespace snowflake::pg

// Text input: decimal digits only (core/id_text.h), never a negative value.
Datum snowflake_in(PG_FUNCTION_ARGS) {
  const char* text = PG_GETARG_CSTRING(0);
  const snowflake::ParsedId parsed = snowflake::parse_id_text(text);
  if (parsed.status != snowflake::IdTextStatus::ok)
    snowflake::pg::report_id_text_status(parsed.status, text);
  return Int64GetDatum(parsed.id);
}

// Binary input: int8's eight bytes, so a driver's bigint encoder writes snowflakes too.
Datum snowflake_recv(PG_FUNCTION_ARGS) {
  StringInfo message = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
  return snowflake::pg::checked_snowflake(pq_getmsgint64(message));
}

// The cast from bigint, which DEFAULT snowflake_nextval() goes through.
Datum snowflake_from_bigint(PG_FUNCTION_ARGS) {
  return snowflake::pg::checked_snowflake(PG_GETARG_INT64(0));
}

// The cast from integer, for small literals in INSERT and UPDATE.
Datum snowflake_from_integer(PG_FUNCTION_ARGS) {
  return snowflake::pg::checked_snowflake(PG_GETARG_INT32(0));
}

// The cast from smallint, the type psycopg sends small Python ints as.
Datum snowflake_from_smallint(PG_FUNCTION_ARGS) {
  return snowflake::pg::checked_snowflake(PG_GETARG_INT16(0));
}
