#!/bin/bash
# INSERT latency at sporadic rates: a table keyed by snowflake_nextval() against one keyed by
# bigserial, in the same run, on a throwaway server with synchronous_commit and fsync on (the
# defaults). pgbench inserts into both tables at the same time, at each mean interval between
# inserts (Poisson arrivals, pgbench --rate), and logs every transaction's latency; then, after
# each of several idle periods, one insert into each table. Prints mean, median and p99 per
# table and their ratios, and each run's figures. Uses the installed extension; opt-in, not part
# of test/run-all.sh.
#
#   test/bench/latency.sh
#   LATENCY_INTERVALS="0.1 1.5" LATENCY_SECONDS=60 LATENCY_IDLE_RUNS=1 test/bench/latency.sh
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

# Mean seconds between inserts, and how long each rate runs (at least 100 inserts per table).
LATENCY_INTERVALS=${LATENCY_INTERVALS:-"0.1 1.5 10"}
LATENCY_MIN_INSERTS=${LATENCY_MIN_INSERTS:-100}
# Idle periods (seconds) before a first insert, and how many.
LATENCY_IDLE_SECONDS=${LATENCY_IDLE_SECONDS:-60}
LATENCY_IDLE_RUNS=${LATENCY_IDLE_RUNS:-5}

install_packages "${BUILD_PACKAGES[@]}"
start_throwaway_server "autovacuum = off"

# psql on the throwaway server.
psql_latency() {
  run_unprivileged psql -X -q -At -v ON_ERROR_STOP=1 -h "$workdir" -U postgres -d postgres "$@"
}

psql_latency -c 'CREATE EXTENSION snowflake' \
  -c 'CREATE TABLE t_snowflake (id bigint PRIMARY KEY DEFAULT snowflake_nextval(), v int)' \
  -c 'CREATE TABLE t_bigserial (id bigserial PRIMARY KEY, v int)'
for table in snowflake bigserial; do
  echo "INSERT INTO t_$table (v) VALUES (1);" >"$workdir/insert_$table.sql"
done

# Runs pgbench on one table with the given options and appends each transaction's latency (us)
# to $workdir/$log.log.
logged_pgbench() {
  local table=$1 log=$2
  shift 2
  run_unprivileged pgbench -n -M prepared -l --log-prefix="$workdir/pgbench_$table" "$@" \
    -f "$workdir/insert_$table.sql" -h "$workdir" -U postgres postgres \
    >/dev/null 2>"$workdir/pgbench_$table.err" ||
    { cat "$workdir/pgbench_$table.err" >&2; return 1; }
  cat "$workdir"/pgbench_"$table".[0-9]* | awk '{print $3}' >>"$workdir/$log.log"
  rm -f "$workdir"/pgbench_"$table".*
}

# mean, median and p99 of the latencies in a file (one per line, us), in ms.
summarize() {
  sort -n "$1" | awk '{v[NR] = $1; sum += $1}
    END {if (NR == 0) {print "- - - 0"; exit}
         p99 = v[int(NR * 0.99 + 0.999)]; if (p99 == "") p99 = v[NR];
         printf "%.3f %.3f %.3f %d\n", sum / NR / 1000, v[int((NR + 1) / 2)] / 1000, p99 / 1000, NR}'
}

# One row of the table: `label`, then both tables' figures from $workdir/${log}_TABLE.log.
print_row() {
  local label=$1 log=$2 sf_mean sf_p50 sf_p99 sf_n bs_mean bs_p50 bs_p99
  read -r sf_mean sf_p50 sf_p99 sf_n < <(summarize "$workdir/${log}_snowflake.log")
  read -r bs_mean bs_p50 bs_p99 _ < <(summarize "$workdir/${log}_bigserial.log")
  printf '%-22s %8s %10s %10s %10s %10s %10s %10s %7.2f %7.2f\n' "$label" "$sf_n" \
    "$sf_mean" "$sf_p50" "$sf_p99" "$bs_mean" "$bs_p50" "$bs_p99" \
    "$(awk -v a="$sf_mean" -v b="$bs_mean" 'BEGIN {print a / b}')" \
    "$(awk -v a="$sf_p99" -v b="$bs_p99" 'BEGIN {print a / b}')"
}

echo "# INSERT latency, snowflake against bigserial; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# $(psql_latency -c 'SELECT version()' | cut -d , -f 1); load $(cut -d ' ' -f 1-3 /proc/loadavg)"
printf '%-22s %8s %10s %10s %10s %10s %10s %10s %7s %7s\n' "interval" "inserts" \
  "sf mean" "sf p50" "sf p99" "bs mean" "bs p50" "bs p99" "mean x" "p99 x"
# At each rate both tables take inserts at once. Each pgbench draws its own arrival times
# (pgbench's default seed is the time, the same for two runs started together, whose inserts
# would then always collide in the same order).
for interval in $LATENCY_INTERVALS; do
  rate=$(awk -v i="$interval" 'BEGIN {printf "%.4f", 1 / i}')
  seconds=$(awk -v i="$interval" -v n="$LATENCY_MIN_INSERTS" 'BEGIN {printf "%d", i * n + 1}')
  rm -f "$workdir"/rate_*.log
  logged_pgbench snowflake rate_snowflake -R "$rate" -T "$seconds" --random-seed=rand &
  logged_pgbench bigserial rate_bigserial -R "$rate" -T "$seconds" --random-seed=rand
  wait
  print_row "every ${interval} s" rate
done

# After each idle period, one insert into each table, in alternating order.
for run in $(seq "$LATENCY_IDLE_RUNS"); do
  sleep "$LATENCY_IDLE_SECONDS"
  tables="snowflake bigserial"
  [ $((run % 2)) -eq 0 ] && tables="bigserial snowflake"
  for table in $tables; do logged_pgbench "$table" "idle_$table" -t 1; done
done
print_row "first after ${LATENCY_IDLE_SECONDS} s idle" idle
echo "each first insert after idle, ms: snowflake $(awk '{printf "%.3f ", $1 / 1000}' \
  "$workdir/idle_snowflake.log" 2>/dev/null)| bigserial $(awk '{printf "%.3f ", $1 / 1000}' \
  "$workdir/idle_bigserial.log" 2>/dev/null)"
