# Private PostgreSQL servers: run as an unprivileged user, in a temporary directory, listening
# only on a unix socket there. Sourced by test/lib.sh.

# PostgreSQL refuses to run as root: as root, run it as the postgres user instead, from / since
# the current directory (say, a checkout under /root) may be closed to that user. Callers pass
# absolute paths, and feed files from the checkout on standard input.
run_unprivileged() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# A fresh directory the unprivileged user owns; the caller removes it.
make_private_dir() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/snowflake.XXXXXX")
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  echo "$dir"
}

# Sets testdir to where the tests that write next to the sources (pg_regress, isolation, TAP)
# run: the tree itself, or, as root, a copy the unprivileged user owns, removed when the script
# exits (PostgreSQL will not run as root).
use_test_tree() {
  testdir=$SNOWFLAKE_ROOT
  if [ "$(id -u)" -eq 0 ]; then
    testdir=$(make_private_dir)
    trap 'rm -rf "$testdir"' EXIT
    cp -a "$SNOWFLAKE_ROOT/." "$testdir/"
    chown -R postgres: "$testdir"
  fi
}

# A new cluster in $1 that preloads snowflake with worker id 1 and listens only on a unix socket
# in $2; callers append their own settings.
init_private_cluster() {
  local data=$1 socket_dir=$2
  run_unprivileged initdb -D "$data" -A trust -U postgres --no-sync >/dev/null
  cat >>"$data/postgresql.conf" <<CONF
shared_preload_libraries = 'snowflake'
snowflake.worker_id = 1
listen_addresses = ''
unix_socket_directories = '$socket_dir'
CONF
}

# psql on the private server whose socket is in $workdir, one unaligned tab-separated line per
# row.
psql_private() {
  run_unprivileged psql -X -q -At -F $'\t' -v ON_ERROR_STOP=1 -h "$workdir" -U postgres \
    -d postgres "$@"
}

# Starts a throwaway server in a new private directory, $workdir (its data directory in
# $workdir/data), with each argument as one more postgresql.conf line; when the script exits,
# the server is stopped and the directory removed.
start_throwaway_server() {
  workdir=$(make_private_dir)
  trap stop_throwaway_server EXIT
  init_private_cluster "$workdir/data" "$workdir"
  local line
  for line in "$@"; do echo "$line" >>"$workdir/data/postgresql.conf"; done
  run_unprivileged pg_ctl -D "$workdir/data" -l "$workdir/server.log" -w start >/dev/null
}

# Stops the throwaway server at once and removes its directory.
stop_throwaway_server() {
  run_unprivileged pg_ctl -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
