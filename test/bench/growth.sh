#!/bin/bash
# Cost as a table grows: one table per key type (snowflake_nextval(), bigserial,
# gen_random_uuid(), and uuidv7() on PostgreSQL 18 or later), each grown to GROWTH_ROWS rows by
# concurrent INSERTs whose key is the column's DEFAULT (pgbench, GROWTH_CLIENTS clients), on a
# throwaway server. The tables grow in turns, one GROWTH_STEP at a time, so that a burst of other
# load on the machine falls on all alike. Reports rows per second and WAL bytes per row in each
# step, then the final table and primary-key index sizes; writes the figures to
# GROWTH_OUTPUT/growth-pgMAJOR.tsv (per step) and growth-pgMAJOR-size.tsv, and plots them to
# GROWTH_OUTPUT/growth-pgMAJOR.png with gnuplot. Uses the installed extension; opt-in, not part
# of test/run-all.sh (about 30 minutes at the defaults, and 15 GB of disk).
#
#   test/bench/growth.sh
#   GROWTH_ROWS=2000000 GROWTH_STEP=500000 test/bench/growth.sh
set -euo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
source "$bench_dir/../lib.sh"

GROWTH_ROWS=${GROWTH_ROWS:-50000000}
GROWTH_STEP=${GROWTH_STEP:-5000000}
GROWTH_CLIENTS=${GROWTH_CLIENTS:-4}
# Rows per INSERT statement: one transaction inserts this many rows, each keyed by its DEFAULT.
GROWTH_ROWS_PER_INSERT=${GROWTH_ROWS_PER_INSERT:-1000}
GROWTH_SHARED_BUFFERS=${GROWTH_SHARED_BUFFERS:-1GB}
GROWTH_OUTPUT=${GROWTH_OUTPUT:-$PWD}

for setting in GROWTH_ROWS GROWTH_STEP GROWTH_CLIENTS GROWTH_ROWS_PER_INSERT; do
  if ! [[ ${!setting} =~ ^[1-9][0-9]*$ ]]; then
    echo "$setting must be a positive integer, not '${!setting}'" >&2
    exit 2
  fi
done
transactions_per_client=$((GROWTH_STEP / GROWTH_ROWS_PER_INSERT / GROWTH_CLIENTS))
if [ $((transactions_per_client * GROWTH_ROWS_PER_INSERT * GROWTH_CLIENTS)) -ne "$GROWTH_STEP" ] ||
  [ $((GROWTH_ROWS % GROWTH_STEP)) -ne 0 ]; then
  echo "GROWTH_STEP must be a multiple of GROWTH_ROWS_PER_INSERT * GROWTH_CLIENTS," \
    "and GROWTH_ROWS a multiple of GROWTH_STEP" >&2
  exit 2
fi

install_packages "postgresql-$PG_MAJOR" gnuplot-nox
require_installed_extension
mkdir -p "$GROWTH_OUTPUT"
results=$GROWTH_OUTPUT/growth-pg$PG_MAJOR.tsv
sizes=$GROWTH_OUTPUT/growth-pg$PG_MAJOR-size.tsv
plot=$GROWTH_OUTPUT/growth-pg$PG_MAJOR.png

# PostgreSQL's defaults (fsync and synchronous_commit on, full-page writes, max_wal_size 1GB)
# but for a cache of realistic size and no autovacuum between steps.
start_throwaway_server "shared_buffers = '$GROWTH_SHARED_BUFFERS'" "autovacuum = off"

# Each key type's column definition.
declare -A key_column=(
  [snowflake]='bigint PRIMARY KEY DEFAULT snowflake_nextval()'
  [bigserial]='bigserial PRIMARY KEY'
  [uuidv4]='uuid PRIMARY KEY DEFAULT gen_random_uuid()'
  [uuidv7]='uuid PRIMARY KEY DEFAULT uuidv7()'
)
keys=(snowflake bigserial uuidv4)
[ "$PG_MAJOR" -ge 18 ] && keys+=(uuidv7)

psql_private -c 'CREATE EXTENSION snowflake'
for key in "${keys[@]}"; do
  psql_private -c "CREATE TABLE grow_$key (id ${key_column[$key]}, created_at timestamptz
                  NOT NULL DEFAULT now(), payload int NOT NULL)"
  echo "INSERT INTO grow_$key (payload)" \
    "SELECT g FROM generate_series(1, $GROWTH_ROWS_PER_INSERT) AS g;" >"$workdir/insert_$key.sql"
done

# Grows table grow_$1 by GROWTH_STEP rows; prints the step's rows per second and WAL bytes.
grow_step() {
  local key=$1 wal_before wal_after started elapsed_ms
  wal_before=$(psql_private -c 'SELECT pg_current_wal_insert_lsn()')
  started=$(date +%s%N)
  if ! run_unprivileged pgbench -n -M prepared -c "$GROWTH_CLIENTS" -j "$GROWTH_CLIENTS" \
    -t "$transactions_per_client" -f "$workdir/insert_$key.sql" -h "$workdir" -U postgres \
    postgres >"$workdir/pgbench.out" 2>&1; then
    cat "$workdir/pgbench.out" >&2
    exit 1
  fi
  elapsed_ms=$((($(date +%s%N) - started) / 1000000))
  wal_after=$(psql_private -c "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$wal_before')")
  echo "$((GROWTH_STEP * 1000 / elapsed_ms)) $wal_after"
}

echo "# table growth, $(date -u '+%Y-%m-%d %H:%M UTC'): $(psql_private -c 'SELECT version()' |
  cut -d , -f 1), $(nproc) cores, load $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "# $GROWTH_CLIENTS pgbench clients, $GROWTH_ROWS_PER_INSERT rows per INSERT, steps of" \
  "$GROWTH_STEP rows to $GROWTH_ROWS; shared_buffers $GROWTH_SHARED_BUFFERS, the rest default"
printf 'step\trows\tkey\trows_per_s\twal_bytes_per_row\n' >"$results"
printf '%-10s' "rows (M)"
printf ' %26s' "${keys[@]/%/: rows\/s, WAL B\/row}"
echo
steps=$((GROWTH_ROWS / GROWTH_STEP))
for step in $(seq "$steps"); do
  rows=$((step * GROWTH_STEP))
  printf '%-10s' "$(awk -v r="$rows" 'BEGIN {print r / 1e6}')"
  # The order rotates, so that each key type in turn follows each other one's checkpoint debt.
  for i in "${!keys[@]}"; do
    key=${keys[(i + step - 1) % ${#keys[@]}]}
    read -r rate wal < <(grow_step "$key")
    printf '%s\t%s\t%s\t%s\t%s\n' "$step" "$rows" "$key" "$rate" \
      "$((wal / GROWTH_STEP))" >>"$results"
  done
  for key in "${keys[@]}"; do
    awk -F '\t' -v s="$step" -v k="$key" '$1 == s && $3 == k {printf " %26s", $4 ", " $5}' \
      "$results"
  done
  echo
done

echo
echo "# after $GROWTH_ROWS rows (rows/s: all rows over all steps' time; WAL: mean per row)"
printf 'key\ttable_mb\tindex_mb\n' >"$sizes"
printf '%-10s %10s %10s %12s %10s %12s\n' key "table MB" "index MB" "index B/row" rows/s \
  "WAL B/row"
for key in "${keys[@]}"; do
  psql_private -c "SELECT '$key', pg_relation_size('grow_$key') / 1048576,
                         pg_relation_size('grow_${key}_pkey') / 1048576" >>"$sizes"
  # The per-step file first, then the sizes.
  awk -F '\t' -v k="$key" -v rows="$GROWTH_ROWS" -v step="$GROWTH_STEP" '
    FNR == 1 {next}
    NR == FNR && $3 == k {seconds += step / $4; wal += $5; n++}
    NR != FNR && $1 == k {table = $2; index_mb = $3}
    END {printf "%-10s %10s %10s %12.1f %10d %12d\n", k, table, index_mb,
           index_mb * 1048576 / rows, rows / seconds, wal / n}' "$results" "$sizes"
done

gnuplot -e "results='$results'; keys='${keys[*]}'; output='$plot'" \
  -e "title='PostgreSQL $PG_MAJOR, $GROWTH_CLIENTS clients, $GROWTH_ROWS_PER_INSERT rows per INSERT'" \
  "$bench_dir/growth.gnuplot"
echo "figures: $results, $sizes; plot: $plot"
