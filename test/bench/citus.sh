#!/bin/bash
# Inserts per second on a Citus cluster of a coordinator and two workers, each with its own
# worker id, into a table distributed by a snowflake_nextval() key and one distributed by a
# bigserial key (whose sequence Citus handles: the coordinator's own, and a range of its own on
# each worker), side by side in one run: through the coordinator alone, and through all three
# nodes at once. Prints one table of medians and ratios; test/bench/README.md explains it. Uses
# the installed snowflake and Citus; test/citus/run.sh installs both in the chroot of
# PostgreSQL 17 and runs it there, leaving its output in the current directory:
#
#   test/citus/run.sh /root/snowflake/test/bench/citus.sh
#   BENCH_REPEATS=1 BENCH_PGBENCH_SECONDS=5 test/citus/run.sh /root/snowflake/test/bench/citus.sh
set -euo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
source "$bench_dir/../lib.sh"
source "$bench_dir/common.sh"

BENCH_REPEATS=${BENCH_REPEATS:-5}
BENCH_PGBENCH_SECONDS=${BENCH_PGBENCH_SECONDS:-15}
BENCH_SLICE_SECONDS=${BENCH_SLICE_SECONDS:-5}
BENCH_CITUS_CLIENTS=${BENCH_CITUS_CLIENTS:-"3 12"}
BENCH_RESULTS=${BENCH_RESULTS:-}

for setting in BENCH_REPEATS BENCH_PGBENCH_SECONDS BENCH_SLICE_SECONDS BENCH_CITUS_CLIENTS; do
  if ! [[ ${!setting} =~ ^[1-9][0-9]*( [1-9][0-9]*)*$ ]]; then
    echo "$setting must be one or more positive integers, not '${!setting}'" >&2
    exit 2
  fi
done
if [ $((BENCH_PGBENCH_SECONDS % BENCH_SLICE_SECONDS)) -ne 0 ]; then
  echo "BENCH_PGBENCH_SECONDS must be a multiple of BENCH_SLICE_SECONDS" >&2
  exit 2
fi
for clients in $BENCH_CITUS_CLIENTS; do
  if [ $((clients % 3)) -ne 0 ]; then
    echo "BENCH_CITUS_CLIENTS must be multiples of 3 (split among the three nodes)," \
      "not '$clients'" >&2
    exit 2
  fi
done

require_installed_extension
if [ ! -f "$("$PG_CONFIG" --pkglibdir)/citus.so" ]; then
  echo "Citus is not installed in $("$PG_CONFIG" --pkglibdir): run this through" \
    "test/citus/run.sh" >&2
  exit 1
fi

# The nodes, by port, all on a unix socket in the private directory; the coordinator first.
coordinator_port=5432
node_ports=(5432 5433 5434)
workdir=$(make_private_dir)
results=$workdir/results.tsv

# Stops the servers, keeps the raw measurements if asked to, removes the private directory.
cleanup() {
  local port
  for port in "${node_ports[@]}"; do
    run_unprivileged pg_ctl -D "$workdir/node$port" -m immediate stop >/dev/null 2>&1 || true
  done
  if [ -n "$BENCH_RESULTS" ] && [ -f "$results" ]; then cp "$results" "$BENCH_RESULTS"; fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# psql on the node at port $1.
psql_node() {
  local port=$1
  shift
  psql_private -p "$port" "$@"
}

# A node preloading Citus (first, as it requires) and snowflake, with worker id $2, started.
# Autovacuum is off so that it runs between no two slices.
start_node() {
  local port=$1 worker_id=$2 data=$workdir/node$1
  init_private_cluster "$data" "$workdir"
  cat >>"$data/postgresql.conf" <<CONF
port = $port
shared_preload_libraries = 'citus,snowflake'
snowflake.worker_id = $worker_id
autovacuum = off
CONF
  run_unprivileged pg_ctl -D "$data" -l "$workdir/node$port.log" -w start >/dev/null
  psql_node "$port" -c 'CREATE EXTENSION citus'
}

# The cluster: the coordinator (worker id 1) and two workers (2 and 3) that hold the shards and
# route statements themselves; the two tables, distributed by their keys.
create_cluster() {
  local port worker_id=1
  for port in "${node_ports[@]}"; do
    start_node "$port" "$worker_id"
    worker_id=$((worker_id + 1))
  done
  psql_node "$coordinator_port" -c "SELECT citus_set_coordinator_host('$workdir', $coordinator_port)" \
    >/dev/null
  for port in "${node_ports[@]:1}"; do
    psql_node "$coordinator_port" -c "SELECT citus_add_node('$workdir', $port)" >/dev/null
  done
  psql_node "$coordinator_port" >/dev/null <<SQL
CREATE EXTENSION snowflake;
CREATE TABLE bench_snowflake (id bigint PRIMARY KEY DEFAULT snowflake_nextval(), v int);
SELECT create_distributed_table('bench_snowflake', 'id');
CREATE TABLE bench_bigserial (id bigserial PRIMARY KEY, v int);
SELECT create_distributed_table('bench_bigserial', 'id');
SQL
  local table
  for table in snowflake bigserial; do
    echo "INSERT INTO bench_$table (v) VALUES (1);" >"$workdir/insert_$table.sql"
  done
}

# Sets synchronous_commit on every node and waits until new sessions run with it.
set_synchronous_commit() {
  local value=$1 port
  for port in "${node_ports[@]}"; do
    psql_node "$port" -c "ALTER SYSTEM SET synchronous_commit = $value" \
      -c 'SELECT pg_reload_conf()' >/dev/null
    for _ in $(seq 100); do
      [ "$(psql_node "$port" -c 'SHOW synchronous_commit')" = "$value" ] && continue 2
      sleep 0.1
    done
    echo "the node at port $port did not take synchronous_commit = $value" >&2
    exit 1
  done
}

# One slice, BENCH_SLICE_SECONDS of pgbench inserting into bench_$1 through the nodes of route $2
# (coordinator, or all), $3 clients in all, split evenly among those nodes; prints their summed
# tps. A session that Citus routes through opens its own connections to the workers and loads
# Citus's metadata on its first inserts, which pgbench counts: slices of a few seconds keep
# that a small part, as in an application that keeps its connections.
slice() {
  local table=$1 route=$2 clients=$3 ports=("${node_ports[@]}") port pid pids=() status=0
  [ "$route" = coordinator ] && ports=("$coordinator_port")
  local per_node=$((clients / ${#ports[@]}))
  for port in "${ports[@]}"; do
    run_unprivileged pgbench -n -M prepared -c "$per_node" -j "$per_node" -T "$BENCH_SLICE_SECONDS" \
      -f "$workdir/insert_$table.sql" -h "$workdir" -p "$port" -U postgres postgres \
      >"$workdir/pgbench.$port" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
  if [ $status -ne 0 ]; then
    cat "$workdir"/pgbench.* >&2
    exit 1
  fi
  cat "${ports[@]/#/$workdir/pgbench.}" | awk '/^tps = / {sum += $3} END {printf "%.1f\n", sum}'
}

# Each route, client count and commit setting on emptied tables after a checkpoint: the two
# tables take turns in slices, the first alternating, so that a burst of other load falls on
# both alike. A repetition's tps is the mean of its slices.
insert_round() {
  local repetition=$1 commit clients route slice_number table port tps
  for commit in on off; do
    set_synchronous_commit "$commit"
    for clients in $BENCH_CITUS_CLIENTS; do
      for route in coordinator all; do
        psql_node "$coordinator_port" -c 'TRUNCATE bench_snowflake, bench_bigserial'
        for port in "${node_ports[@]}"; do psql_node "$port" -c CHECKPOINT; done
        for slice_number in $(seq $((BENCH_PGBENCH_SECONDS / BENCH_SLICE_SECONDS))); do
          for table in $(rotated "$((repetition + slice_number))" snowflake bigserial); do
            tps=$(slice "$table" "$route" "$clients")
            printf 'inserts\t%s\t%s\t%s\t%s\t%s\t%s\n' "$route" "$clients" "$commit" "$table" \
              "$repetition" "$tps" >>"$results"
          done
        done
      done
    done
  done
}

# The header: machine, software, and every setting this run used.
print_settings() {
  local cpu tree
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  tree=$(git -C "$SNOWFLAKE_ROOT" describe --always --dirty 2>/dev/null || echo unknown)
  echo "# snowflake on Citus: inserts per second, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine:  $(nproc) cores, ${cpu:-unknown CPU}"
  echo "software: $(psql_node "$coordinator_port" -c 'SELECT version()' | cut -d , -f 1);" \
    "Citus $(psql_node "$coordinator_port" -c "SELECT extversion FROM pg_extension
                                             WHERE extname = 'citus'");" \
    "snowflake $(psql_node "$coordinator_port" -c "SELECT extversion FROM pg_extension
                                                  WHERE extname = 'snowflake'");" \
    "source tree $tree"
  echo "settings: BENCH_REPEATS=$BENCH_REPEATS BENCH_PGBENCH_SECONDS=$BENCH_PGBENCH_SECONDS" \
    "BENCH_SLICE_SECONDS=$BENCH_SLICE_SECONDS BENCH_CITUS_CLIENTS=\"$BENCH_CITUS_CLIENTS\""
  echo "cluster:  a coordinator and two workers on one machine, unix sockets, 32 shards per" \
    "table; autovacuum off, the rest default (fsync on)"
  echo "load:     $(load_average) before the run"
  echo
}

create_cluster
print_settings
started=$SECONDS
for repetition in $(seq "$BENCH_REPEATS"); do
  echo "== repetition $repetition of $BENCH_REPEATS"
  insert_round "$repetition"
done
echo "== done in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s;" \
  "load $(load_average)"
# Which nodes made the ids of the last run (all three nodes): snowflake's by worker id, and
# bigserial's by the node group whose range Citus gives each node's sequence (the top 16 bits).
echo "ids of the last run in bench_snowflake, by worker id:" \
  "$(psql_node "$coordinator_port" -c "SELECT string_agg(w || ': ' || n, ', ' ORDER BY w)
    FROM (SELECT (snowflake_decode(id)).worker_id AS w, count(*) AS n FROM bench_snowflake
          GROUP BY 1) AS c")"
echo "ids of the last run in bench_bigserial, by node group (id >> 48):" \
  "$(psql_node "$coordinator_port" -c "SELECT string_agg(g || ': ' || n, ', ' ORDER BY g)
    FROM (SELECT id >> 48 AS g, count(*) AS n FROM bench_bigserial GROUP BY 1) AS c")"
echo
perl "$bench_dir/citus_report.pl" "$results"
