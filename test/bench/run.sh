#!/bin/bash
# Performance benchmark of snowflake against nextval() of a sequence, gen_random_uuid() and a
# plain C function call (the floor), and of INSERT latency at sporadic rates against bigserial,
# on a throwaway server that it starts and removes. Prints one table of medians, ratios and
# PASS/FAIL against the targets; test/bench/README.md explains each figure. Uses the installed
# extension (it builds nothing) and installs the Debian packages it needs. Not part of
# test/run-all.sh: it takes about 50 minutes at the defaults (throughput 20, latency 30).
#
#   test/bench/run.sh
#   BENCH_SECTIONS=latency test/bench/run.sh
#   BENCH_REPEATS=1 BENCH_PGBENCH_SECONDS=1 BENCH_BULK_SIZES="500000 2000000" \
#     BENCH_LATENCY_SECONDS=10 BENCH_LATENCY_INTERVALS="0.1 1" BENCH_LATENCY_IDLE_SECONDS=5 \
#     test/bench/run.sh
set -euo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
source "$bench_dir/../lib.sh"
source "$bench_dir/common.sh"

BENCH_REPEATS=${BENCH_REPEATS:-5}
BENCH_BULK_SIZES=${BENCH_BULK_SIZES:-"5000000 20000000"}
BENCH_BATCH_IDS=${BENCH_BATCH_IDS:-5000000}
BENCH_CAPPED_IDS=${BENCH_CAPPED_IDS:-4096000}
BENCH_PGBENCH_SECONDS=${BENCH_PGBENCH_SECONDS:-5}
BENCH_CLIENTS=${BENCH_CLIENTS:-"1 4 16"}
BENCH_MEMORY_CALLS=${BENCH_MEMORY_CALLS:-1000000}
BENCH_CALLGRIND_CALLS=${BENCH_CALLGRIND_CALLS:-100000}
BENCH_WORK_MEM=${BENCH_WORK_MEM:-4GB}
BENCH_RESULTS=${BENCH_RESULTS:-}
BENCH_SECTIONS=${BENCH_SECTIONS:-"throughput latency"}
BENCH_LATENCY_INTERVALS=${BENCH_LATENCY_INTERVALS:-"0.1 1.5 10"}
BENCH_LATENCY_SECONDS=${BENCH_LATENCY_SECONDS:-60}
BENCH_LATENCY_MIN_INSERTS=${BENCH_LATENCY_MIN_INSERTS:-20}
BENCH_LATENCY_IDLE_SECONDS=${BENCH_LATENCY_IDLE_SECONDS:-70}

for setting in BENCH_REPEATS BENCH_BULK_SIZES BENCH_BATCH_IDS BENCH_CAPPED_IDS \
  BENCH_PGBENCH_SECONDS BENCH_CLIENTS BENCH_MEMORY_CALLS BENCH_CALLGRIND_CALLS \
  BENCH_LATENCY_SECONDS BENCH_LATENCY_MIN_INSERTS BENCH_LATENCY_IDLE_SECONDS; do
  if ! [[ ${!setting} =~ ^[1-9][0-9]*( [1-9][0-9]*)*$ ]]; then
    echo "$setting must be one or more positive integers, not '${!setting}'" >&2
    exit 2
  fi
done
if ! [[ $BENCH_LATENCY_INTERVALS =~ ^[0-9]*\.?[0-9]+( [0-9]*\.?[0-9]+)*$ ]]; then
  echo "BENCH_LATENCY_INTERVALS must be one or more numbers of seconds," \
    "not '$BENCH_LATENCY_INTERVALS'" >&2
  exit 2
fi
for section in $BENCH_SECTIONS; do
  if [ "$section" != throughput ] && [ "$section" != latency ]; then
    echo "BENCH_SECTIONS takes throughput and latency, not '$section'" >&2
    exit 2
  fi
done
# Whether BENCH_SECTIONS names section $1.
runs_section() {
  [[ " $BENCH_SECTIONS " == *" $1 "* ]]
}

# What each bulk variant computes per row of generate_series. g is a bigint, so the floor's
# cast is a no-op and the floor is one C function call per row, like each generator. The floor
# also fetches g from the row, which the generators do not: now() (the transaction's start
# time, a zero-argument C call) and clock_timestamp() (the same plus a clock read) tell apart
# what a call and a clock read cost.
declare -A bulk_expression=(
  [snowflake]='snowflake_nextval()'
  [nextval]="nextval('bench_seq')"
  [uuid]='gen_random_uuid()'
  [floor]='int8inc(g::bigint)'
  [call]='now()'
  [clock]='clock_timestamp()'
)
# The C function behind each variant, as callgrind names it.
declare -A profiled_function=(
  [snowflake]=snowflake_nextval
  [nextval]=nextval_oid
  [uuid]=gen_random_uuid
  [floor]=int8inc
  [batch]=snowflake_nextval_batch
)

install_packages "postgresql-$PG_MAJOR" valgrind
require_installed_extension
# An interrupted run still stops its server and removes its directory (start_throwaway_server's
# exit trap).
trap 'exit 130' INT TERM

# The pgbench scripts, one INSERT each.
write_pgbench_scripts() {
  local table
  for table in snowflake bigserial uuid; do
    echo "INSERT INTO bench_insert_$table DEFAULT VALUES;" >"$workdir/insert_$table.sql"
  done
  for table in snowflake bigserial; do
    echo "INSERT INTO bench_latency_$table (v) VALUES (1);" >"$workdir/latency_$table.sql"
  done
}

# A clean stop, after which single-user mode may take the data directory.
stop_server() {
  run_unprivileged pg_ctl -D "$data" -m fast -w stop >/dev/null
}

# The header: machine, software, and every setting this run used.
print_settings() {
  local cpu clock_source tree version
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  clock_source=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource ||
    echo unknown)
  tree=$(git -C "$SNOWFLAKE_ROOT" describe --always --dirty 2>/dev/null || echo unknown)
  version=$(psql_private -c "SELECT extversion FROM pg_extension WHERE extname = 'snowflake'")
  echo "# snowflake benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine:  $(nproc) cores, ${cpu:-unknown CPU}, clock source $clock_source"
  echo "software: $(psql_private -c 'SELECT version()' | cut -d , -f 1);" \
    "snowflake $version as installed; source tree $tree"
  echo "settings: BENCH_REPEATS=$BENCH_REPEATS BENCH_BULK_SIZES=\"$BENCH_BULK_SIZES\"" \
    "BENCH_BATCH_IDS=$BENCH_BATCH_IDS BENCH_CAPPED_IDS=$BENCH_CAPPED_IDS"
  echo "          BENCH_PGBENCH_SECONDS=$BENCH_PGBENCH_SECONDS BENCH_CLIENTS=\"$BENCH_CLIENTS\"" \
    "BENCH_MEMORY_CALLS=$BENCH_MEMORY_CALLS"
  echo "          BENCH_CALLGRIND_CALLS=$BENCH_CALLGRIND_CALLS BENCH_WORK_MEM=$BENCH_WORK_MEM"
  echo "          BENCH_SECTIONS=\"$BENCH_SECTIONS\"" \
    "BENCH_LATENCY_INTERVALS=\"$BENCH_LATENCY_INTERVALS\"" \
    "BENCH_LATENCY_SECONDS=$BENCH_LATENCY_SECONDS"
  echo "          BENCH_LATENCY_MIN_INSERTS=$BENCH_LATENCY_MIN_INSERTS" \
    "BENCH_LATENCY_IDLE_SECONDS=$BENCH_LATENCY_IDLE_SECONDS"
  echo "server:   jit = off, max_parallel_workers_per_gather = 0, work_mem = $BENCH_WORK_MEM," \
    "autovacuum = off; the rest default (fsync on)"
  echo "load:     $(load_average) before the run, which adds 1 to 2"
  echo
}

# N ids in one statement from each variant, timed in the server. The generators the targets
# compare run next to each other in rotating order, between two runs of the floor (their mean
# is the floor, so that drift in between cancels); gen_random_uuid(), 10 times slower, last.
bulk_round() {
  local repetition=$1 size variant
  for size in $BENCH_BULK_SIZES; do
    for variant in floor $(rotated "$repetition" snowflake nextval clock call) floor uuid; do
      echo "SELECT 'bulk', $size, '$variant', $repetition, bench_ms(\$q\$SELECT" \
        "count(${bulk_expression[$variant]}) FROM generate_series(1, $size::bigint) AS g\$q\$);"
    done
  done | psql_private >>"$results"
}

# One batch of n ids against n single calls, both streamed from a set-returning function in
# the select list; for scale, the batch in FROM (materialized) and the floor in the same shape.
# Three interleaved rounds per repetition, as each statement takes well under a second.
batch_round() {
  local repetition=$1 n=$BENCH_BATCH_IDS round variant
  local series="(SELECT generate_series(1, $n::bigint) AS g) AS s"
  local -A statement_of=(
    [batch]="SELECT count(id) FROM (SELECT snowflake_nextval_batch($n) AS id) AS b"
    [single]="SELECT count(snowflake_nextval()) FROM $series"
    [batch_from]="SELECT count(id) FROM snowflake_nextval_batch($n) AS id"
    [floor]="SELECT count(int8inc(g::bigint)) FROM $series"
  )
  for round in 0 1 2; do
    for variant in $(rotated "$((repetition + round))" batch single batch_from floor); do
      echo "SELECT 'batch', $n, '$variant', $repetition," \
        "bench_ms(\$q\$${statement_of[$variant]}\$q\$);"
    done
  done | psql_private >>"$results"
}

# Prints the tps of one second of INSERT ... DEFAULT VALUES into one keyed table.
insert_tps() {
  local table=$1 commit=$2 clients=$3
  if ! run_unprivileged env PGOPTIONS="-c synchronous_commit=$commit" \
    pgbench -n -M prepared -c "$clients" -j "$((clients < 2 ? clients : 2))" -T 1 \
    -f "$workdir/insert_$table.sql" -h "$workdir" -U postgres postgres \
    >"$workdir/pgbench.out" 2>&1; then
    cat "$workdir/pgbench.out" >&2
    exit 1
  fi
  sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$workdir/pgbench.out"
}

# pgbench into each keyed table, in one-second slices that take turns, so that a burst of
# other load on the machine falls on all three alike. Each setting starts on empty tables
# after a checkpoint. Snowflake and bigserial, which a target compares, take turns going
# first and uuid goes last: each of the two follows uuid's slice, whose random index writes
# leave work for the next slice to pay for, as often as the other.
insert_round() {
  local repetition=$1 commit clients slice table tps
  for commit in on off; do
    for clients in $BENCH_CLIENTS; do
      psql_private -c 'TRUNCATE bench_insert_snowflake, bench_insert_bigserial, bench_insert_uuid' \
        -c CHECKPOINT
      for slice in $(seq "$BENCH_PGBENCH_SECONDS"); do
        for table in $(rotated "$((repetition + slice))" snowflake bigserial) uuid; do
          tps=$(insert_tps "$table" "$commit" "$clients")
          printf 'insert\t%s/%s\t%s\t%s\t%s\n' "$commit" "$clients" "$table" "$repetition" "$tps" \
            >>"$results"
        done
      done
    done
  done
}

# pgbench of script $1 (latency_TABLE) with further pgbench options; appends each transaction's
# latency (us) to the results as section latency, key $2, variant TABLE, repetition $3.
logged_inserts() {
  local table=$1 key=$2 repetition=$3
  shift 3
  local prefix=$workdir/pgbench_log_$table
  if ! run_unprivileged pgbench -n -M prepared -l --log-prefix="$prefix" "$@" \
    -f "$workdir/latency_$table.sql" -h "$workdir" -U postgres postgres \
    >"$workdir/pgbench_$table.out" 2>&1; then
    cat "$workdir/pgbench_$table.out" >&2
    exit 1
  fi
  cat "$prefix".[0-9]* | awk -v k="$key" -v t="$table" -v r="$repetition" \
    '{printf "latency\t%s\t%s\t%s\t%s\n", k, t, r, $3}' >>"$results"
  rm -f "$prefix".*
}

# Single-row INSERT latency into a table keyed by snowflake_nextval() and one keyed by bigserial,
# synchronous commit and fsync on: at each mean interval, pgbench inserts into both tables at
# once (Poisson arrivals, each pgbench with its own seed: the default seed is the time, which
# two runs started together share, so their inserts would always collide in the same order),
# for BENCH_LATENCY_SECONDS or BENCH_LATENCY_MIN_INSERTS inserts, whichever is longer. Then,
# after BENCH_LATENCY_IDLE_SECONDS without a call, one insert into each, the first in turns.
latency_round() {
  local repetition=$1 interval rate seconds table
  psql_private -c CHECKPOINT
  for interval in $BENCH_LATENCY_INTERVALS; do
    rate=$(awk -v i="$interval" 'BEGIN {printf "%.4f", 1 / i}')
    seconds=$(awk -v i="$interval" -v n="$BENCH_LATENCY_MIN_INSERTS" \
      -v s="$BENCH_LATENCY_SECONDS" 'BEGIN {t = i * n + 1; printf "%d", (t > s ? t : s)}')
    logged_inserts snowflake "$interval" "$repetition" -R "$rate" -T "$seconds" \
      --random-seed=rand &
    logged_inserts bigserial "$interval" "$repetition" -R "$rate" -T "$seconds" \
      --random-seed=rand
    wait
  done
  sleep "$BENCH_LATENCY_IDLE_SECONDS"
  for table in $(rotated "$repetition" snowflake bigserial); do
    logged_inserts "$table" idle "$repetition" -t 1
  done
}

# Sets snowflake.max_clock_lead in postgresql.auto.conf (a number of ms, or DEFAULT) and waits
# until new sessions run with it.
set_max_clock_lead() {
  local value=$1 wanted
  if [ "$value" = DEFAULT ]; then
    psql_private -c 'ALTER SYSTEM RESET snowflake.max_clock_lead'
    wanted=boot_val
  else
    psql_private -c "ALTER SYSTEM SET snowflake.max_clock_lead = $value"
    wanted="'$value'"
  fi
  psql_private -c 'SELECT pg_reload_conf()' >/dev/null
  for _ in $(seq 100); do
    [ "$(psql_private -c "SELECT setting = $wanted FROM pg_settings
                        WHERE name = 'snowflake.max_clock_lead'")" = t ] && return 0
    sleep 0.1
  done
  echo "the server did not take snowflake.max_clock_lead = $value" >&2
  exit 1
}

# Waits until no id is ahead of the clock, two minutes at most.
wait_for_clock_to_catch_up() {
  local deadline=$((SECONDS + 120))
  until [ "$(psql_private -c 'SELECT lead_ms FROM snowflake_stats')" = 0 ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "ids stayed ahead of the clock for two minutes" >&2
      exit 1
    fi
    sleep 0.2
  done
}

# Demand above the cap with no borrowing (snowflake.max_clock_lead = 0): the rate the generator
# sustains at 4096 ids per ms when it has to wait for every next millisecond. The statement
# streams its rows, so that no materialization comes before the first id.
capped_round() {
  local repetition=$1 n=$BENCH_CAPPED_IDS
  wait_for_clock_to_catch_up
  set_max_clock_lead 0
  psql_private >>"$results" <<SQL
SELECT 'waits', 'before', 'capped', $repetition, waits FROM snowflake_stats;
SELECT 'capped', $n, 'snowflake', $repetition, bench_ms(\$q\$SELECT count(snowflake_nextval())
  FROM (SELECT generate_series(1, $n::bigint) AS g) AS s\$q\$);
SELECT 'waits', 'after', 'capped', $repetition, waits FROM snowflake_stats;
SQL
  set_max_clock_lead DEFAULT
}

# The generator's shared memory, and a backend's memory growth across one statement of many
# calls (each statement runs once with 10 calls before, so that caches are warm).
memory_check() {
  psql_private >>"$results" <<SQL
SELECT 'memory', 'shmem', 'snowflake', 0, allocated_size FROM pg_shmem_allocations
WHERE name = 'snowflake';
SQL
  local calls variant
  for calls in 10 "$BENCH_MEMORY_CALLS"; do
    for variant in snowflake nextval uuid floor; do
      cat <<SQL
SELECT sum(used_bytes) AS before FROM pg_backend_memory_contexts \gset
SELECT count(${bulk_expression[$variant]}) FROM generate_series(1, $calls::bigint) AS g \g /dev/null
SELECT sum(used_bytes) AS after FROM pg_backend_memory_contexts \gset
SELECT 'memory', 'growth', '$variant', $calls, :after - :before;
SQL
    done
  done | psql_private | awk -F '\t' -v calls="$BENCH_MEMORY_CALLS" '$4 == calls' >>"$results"
}

# Runs one statement in a single-user backend under callgrind and sums up the profile. Further
# arguments are valgrind options.
profile_statement() {
  local variant=$1 section=$2 repetition=$3 statement=$4
  shift 4
  local profile=$workdir/callgrind.$section.$variant.$repetition
  echo "$statement" | run_unprivileged valgrind --tool=callgrind --compress-strings=no \
    --compress-pos=no --callgrind-out-file="$profile" "$@" \
    postgres --single -D "$data" postgres >"$profile.log" 2>&1 || true
  if ! grep -q 'count = "' "$profile.log"; then
    echo "callgrind run of '$statement' failed:" >&2
    cat "$profile.log" >&2
    exit 1
  fi
  perl "$bench_dir/callgrind_summary.pl" "${profiled_function[$variant]}" "$section" \
    "$variant" "$repetition" "$profile" >>"$results"
}

# Instruction and allocation counts, which the machine's noise does not change. Each variant
# runs twice, with n and 2n calls, the whole backend profiled: the difference is what n more
# calls cost, one-time set-up excluded. The statements stream their rows (no tuplestore), and
# the floor shows that such a statement allocates nothing per row. A last run profiles
# snowflake_nextval's subtree alone, to show where its instructions go. Single-user mode
# takes the data directory, so the server must be stopped.
profile_round() {
  local n=$BENCH_CALLGRIND_CALLS variant repetition calls series statement
  for variant in snowflake nextval uuid floor batch; do
    for repetition in 1 2; do
      calls=$((n * repetition))
      if [ "$variant" = batch ]; then
        statement="SELECT count(id) FROM (SELECT snowflake_nextval_batch($calls) AS id) AS b"
      else
        series="(SELECT generate_series(1, $calls::bigint) AS g) AS s"
        statement="SELECT count(${bulk_expression[$variant]}) FROM $series"
      fi
      profile_statement "$variant" callgrind "$repetition" "$statement"
    done
  done
  profile_statement snowflake callgrind_subtree 1 \
    "SELECT count(snowflake_nextval()) FROM (SELECT generate_series(1, $n::bigint) AS g) AS s" \
    --collect-atstart=no --toggle-collect=snowflake_nextval
}

# The same server for every variant: no JIT (it would compile the floor and the generators
# unequally), no parallel plans, generate_series' rows kept in memory, no autovacuum between
# pgbench runs.
start_throwaway_server "jit = off" "max_parallel_workers_per_gather = 0" \
  "work_mem = '$BENCH_WORK_MEM'" "autovacuum = off"
data=$workdir/data
# The raw measurements, in BENCH_RESULTS if set (kept after the run).
results=${BENCH_RESULTS:-$workdir/results.tsv}
: >"$results"
write_pgbench_scripts
psql_private <"$bench_dir/setup.sql"
print_settings
psql_private -c "SELECT 'setting', 'sequence_bits', 'server', 0,
                      current_setting('snowflake.sequence_bits')" \
  -c "SELECT 'setting', 'idle_seconds', 'server', 0, $BENCH_LATENCY_IDLE_SECONDS" >>"$results"

started=$SECONDS
if runs_section throughput; then
  for repetition in $(seq "$BENCH_REPEATS"); do
    echo "== repetition $repetition of $BENCH_REPEATS: bulk statements"
    bulk_round "$repetition"
    echo "== repetition $repetition of $BENCH_REPEATS: batch, inserts, the cap"
    batch_round "$repetition"
    insert_round "$repetition"
    capped_round "$repetition"
  done
  echo "== memory"
  memory_check
  psql_private -c "SELECT 'waits', 'total', 'server', 0, waits FROM snowflake_stats" >>"$results"
fi
if runs_section latency; then
  for repetition in $(seq "$BENCH_REPEATS"); do
    echo "== repetition $repetition of $BENCH_REPEATS: INSERT latency at sporadic rates"
    latency_round "$repetition"
  done
fi
stop_server
if runs_section throughput; then
  echo "== callgrind profiles"
  profile_round
fi
echo "== done in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s;" \
  "load $(load_average)"
echo

perl "$bench_dir/report.pl" "$results"
