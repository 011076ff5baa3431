// snowflake_observe(): a trigger for tables that receive rows by logical replication, where
// ids made by other servers arrive (ENABLE ALWAYS TRIGGER, so that apply workers fire it). Its
// arguments name the id columns (default id). For each id of a row:
//  - applied by replication (session_replication_role = replica: the apply workers of built-in
//    logical replication and of pglogical) and made with this server's own worker id: another
//    server makes ids with the same worker id, so the two can issue the same id. The row is
//    refused, and counted in snowflake_stats.collisions; replication retries it until an
//    operator acts, so nothing lands meanwhile.
//  - otherwise this server's generator moves past it, when that is within
//    snowflake.max_clock_lead of its clock: an id made here after the row arrived is greater
//    than the row's, even when this server's clock is behind the other's (a hybrid logical
//    clock: causal order across servers). Ids further ahead are left alone, and the first of
//    every ten seconds is logged.
#include "core/clock.h"
#include "core/generator.h"
#include "core/issued_ids.h"
#include "core/layout.h"
#include "core/stats.h"
#include "pg/settings.h"
#include "pg/shared.h"

#include <cstring>
#include <optional>
#include <type_traits>

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(snowflake_observe);
}

namespace snowflake::pg {
namespace {

static_assert(std::is_trivially_destructible_v<std::optional<std::uint64_t>>);

constexpr const char* kDefaultIdColumn = "id";
constexpr std::int64_t kLogIntervalMs = 10 * 1000;

// Only a per-row BEFORE trigger on INSERT or UPDATE sees the row it may refuse.
void check_trigger_use(FunctionCallInfo fcinfo) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("snowflake_observe() must be called as a trigger")));
  const TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
  if (!TRIGGER_FIRED_FOR_ROW(trigger->tg_event) || !TRIGGER_FIRED_BEFORE(trigger->tg_event) ||
      !(TRIGGER_FIRED_BY_INSERT(trigger->tg_event) || TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)))
    ereport(ERROR,
            (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
             errmsg("snowflake_observe() must be fired BEFORE INSERT OR UPDATE FOR EACH ROW")));
}

// Whether a type is the extension's snowflake type (whose OID differs in every database).
bool is_snowflake_type(Oid type) {
  const HeapTuple tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
  if (!HeapTupleIsValid(tuple)) return false;
  const bool named_snowflake =
      std::strcmp(NameStr(reinterpret_cast<Form_pg_type>(GETSTRUCT(tuple))->typname),
                  "snowflake") == 0;
  ReleaseSysCache(tuple);
  return named_snowflake;
}

// The column's number, or ERROR unless it holds ids: bigint, or the snowflake type.
AttrNumber id_column(Relation relation, const char* name) {
  const TupleDesc columns = RelationGetDescr(relation);
  const int number = SPI_fnumber(columns, name);
  if (number <= 0)
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                    errmsg("column \"%s\" of relation \"%s\" does not exist", name,
                           RelationGetRelationName(relation)),
                    errhint("The arguments of snowflake_observe() name the id columns.")));
  const Oid type = TupleDescAttr(columns, number - 1)->atttypid;
  const Oid base_type = getBaseType(type);
  if (base_type != INT8OID && !is_snowflake_type(base_type))
    ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                    errmsg("column \"%s\" of relation \"%s\" is of type %s, not bigint or "
                           "snowflake",
                           name, RelationGetRelationName(relation), format_type_be(type))));
  return static_cast<AttrNumber>(number);
}

// An id whose worker id is this server's own, applied by replication: refused.
[[noreturn]] void refuse_collision(SharedGenerator& shared, Relation relation, const char* column,
                                   std::int64_t id, std::int32_t worker) {
  shared.stats.collisions.fetch_add(1, std::memory_order_relaxed);
  ereport(ERROR,
          (errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
           errmsg("id %lld in column \"%s\" of relation \"%s\" was made with this server's "
                  "worker id %d",
                  static_cast<long long>(id), column, RelationGetRelationName(relation), worker),
           errdetail("Another server makes ids with worker id %d too, so the two can issue the "
                     "same id. The row is refused; replication retries it until one of the "
                     "servers makes ids with another worker id.",
                     worker),
           errhint("Give every server its own worker id, or have them claim worker ids from "
                   "snowflake.registry.")));
  pg_unreachable();
}

// Moves the generator past `id` when that is within snowflake.max_clock_lead of the clock.
void follow(SharedGenerator& shared, const Layout& layout, std::int32_t worker, std::int64_t id) {
  // Without a worker id yet, past the id's whole millisecond.
  const std::optional<std::uint64_t> first_tick =
      worker != kNoWorkerId ? first_tick_above_id(layout, worker, id)
                            : std::optional<std::uint64_t>(
                                  layout.first_tick_of_ms(layout.decode(id).ms_since_epoch + 1));
  if (!first_tick) return;
  const std::int64_t now_unix_ms = realtime_unix_ms();
  const std::int64_t ahead_ms =
      layout.ms_of_tick(*first_tick) - (now_unix_ms - layout.epoch_unix_ms());
  if (ahead_ms <= max_clock_lead_ms) {
    skip_below(shared.state, *first_tick);
    return;
  }
  if (take_log_turn(shared.stats.last_follow_log_ms, now_unix_ms, kLogIntervalMs))
    ereport(LOG, (errmsg("snowflake_observe() saw id %lld, %lld ms ahead of the system clock",
                         static_cast<long long>(id), static_cast<long long>(ahead_ms)),
                  errdetail("It is further ahead than snowflake.max_clock_lead = %lld ms: ids "
                            "made here may sort below it.",
                            static_cast<long long>(max_clock_lead_ms))));
}

}  // namespace
}  // namespace snowflake::pg

// The trigger: checks and follows the ids of the new row, and lets it through unchanged.
Datum snowflake_observe(PG_FUNCTION_ARGS) {
  using namespace snowflake::pg;
  check_trigger_use(fcinfo);
  snowflake::SharedGenerator& shared = preloaded_generator();
  const TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
  const HeapTuple row =
      TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) ? trigger->tg_newtuple : trigger->tg_trigtuple;
  const snowflake::Layout& layout = generator_layout();
  const std::int32_t worker = shared.state.worker_id.load(std::memory_order_acquire);
  const bool replicated = SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA;
  const int named = trigger->tg_trigger->tgnargs;
  for (int i = 0; i < (named == 0 ? 1 : named); ++i) {
    const char* column = named == 0 ? kDefaultIdColumn : trigger->tg_trigger->tgargs[i];
    const AttrNumber number = id_column(trigger->tg_relation, column);
    bool is_null = false;
    const Datum value = heap_getattr(row, number, RelationGetDescr(trigger->tg_relation), &is_null);
    const std::int64_t id = DatumGetInt64(value);
    if (is_null || id < 0) continue;
    if (replicated && worker != snowflake::kNoWorkerId && layout.decode(id).worker_id == worker)
      refuse_collision(shared, trigger->tg_relation, column, id, worker);
    follow(shared, layout, worker, id);
  }
  return PointerGetDatum(row);
}
