# Set-up shared by test/demo.sh and test/run-all.sh: the Debian packages they need, building
# and installing the extension, and running PostgreSQL as an unprivileged user.
# Sourced, not run.

SNOWFLAKE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BINDIR=/usr/lib/postgresql/15/bin
PG_CONFIG=$PG_BINDIR/pg_config
export PATH="$PG_BINDIR:$PATH"

BUILD_PACKAGES=(make g++ postgresql-15 postgresql-server-dev-15)
# perl brings prove and Test::More for the TAP tests; clang-14 and its runtime build the fuzzer;
# patroni, etcd-server and python3-psycopg run the failover test (test/ha).
TEST_PACKAGES=(perl libipc-run-perl libgtest-dev libfaketime clang-14 libclang-rt-14-dev
  clang-format patroni etcd-server python3-psycopg)
# The client programs of test/clients: Python ORMs and drivers, the JDBC driver and a JDK, and
# Node.js with npm, which fetches node-postgres. A machine that already has npm (say, Node.js
# from another source, whose package conflicts with Debian's npm) keeps its own.
CLIENT_PACKAGES=(python3-psycopg python3-psycopg2 python3-sqlalchemy python3-django
  libpostgresql-jdbc-java default-jdk-headless)
command -v npm >/dev/null || CLIENT_PACKAGES+=(nodejs npm)

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs whichever of the named Debian packages are missing.
install_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' ||
      missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Builds the extension and installs it into PostgreSQL 15.
build_and_install() {
  echo "== building and installing snowflake"
  make -C "$SNOWFLAKE_ROOT" -s -j2 PG_CONFIG="$PG_CONFIG"
  as_root make -C "$SNOWFLAKE_ROOT" -s install PG_CONFIG="$PG_CONFIG"
}

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

# Starts a throwaway server in a new private directory, $workdir, with each argument as one more
# postgresql.conf line; when the script exits, the server is stopped and the directory removed.
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
