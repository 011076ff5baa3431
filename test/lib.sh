# Set-up shared by the test scripts: the supported PostgreSQL versions and the one to use, the
# Debian packages they need, building and installing the extension, running PostgreSQL as an
# unprivileged user, and the summary table of test results. Sourced, not run.

SNOWFLAKE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The PostgreSQL versions snowflake supports, and the Debian release each is tested in
# (test/matrix.sh builds a chroot of each). 19 comes from experimental, on top of sid.
SUPPORTED_PG_MAJORS=(15 17 18 19)
declare -A PG_DEBIAN_SUITE=([15]=bookworm [17]=trixie [18]=sid [19]=sid)
declare -A PG_DEBIAN_EXTRA_SUITE=([19]=experimental)

# The PostgreSQL version this Debian release ships, if it is one we support.
debian_release_pg_major() {
  local major codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  for major in "${SUPPORTED_PG_MAJORS[@]}"; do
    [ "${PG_DEBIAN_SUITE[$major]}" = "$codename" ] && echo "$major" && return 0
  done
  echo "no PostgreSQL version known for Debian '$codename': set PG_MAJOR or PG_CONFIG" >&2
  return 1
}

# The PostgreSQL to build and test against: PG_CONFIG if set, else PG_MAJOR, else the version
# this Debian release ships.
if [ -n "${PG_CONFIG:-}" ]; then
  PG_MAJOR=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
else
  PG_MAJOR=${PG_MAJOR:-$(debian_release_pg_major)}
fi
PG_BINDIR=/usr/lib/postgresql/$PG_MAJOR/bin
PG_CONFIG=${PG_CONFIG:-$PG_BINDIR/pg_config}
export PATH="$PG_BINDIR:$PATH"

BUILD_PACKAGES=(make g++ "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR")
# perl brings prove and Test::More for the TAP tests. The fuzzer needs clang's runtime too:
# test_packages adds it for the clang that PGXS uses.
TEST_PACKAGES=(perl libipc-run-perl libgtest-dev libfaketime clang-format)
# The client programs of test/clients: Python ORMs and drivers, the JDBC driver and a JDK, and
# Node.js with npm, which fetches node-postgres. A machine that already has npm (say, Node.js
# from another source, whose package conflicts with Debian's npm) keeps its own.
CLIENT_PACKAGES=(python3-psycopg python3-psycopg2 python3-sqlalchemy python3-django
  libpostgresql-jdbc-java default-jdk-headless)
command -v npm >/dev/null || CLIENT_PACKAGES+=(nodejs npm)
# The failover test of test/ha: Patroni with etcd, driven from Python.
HA_PACKAGES=(patroni etcd-server python3-psycopg)

# TEST_PACKAGES and the runtime of the clang that PGXS compiles bitcode with (its server-dev
# package depends on that clang), which also builds the fuzzer. Call after BUILD_PACKAGES are in.
test_packages() {
  local clang
  clang=$(sed -n 's/^CLANG *= *//p' "$("$PG_CONFIG" --pgxs | sed 's|makefiles/pgxs.mk$||')Makefile.global")
  echo "${TEST_PACKAGES[@]}" "libclang-rt-$("$clang" -dumpversion | cut -d. -f1)-dev"
}

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

# Builds the extension and installs it into the PostgreSQL of PG_CONFIG.
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

# Stops with a message unless the extension is installed in the PostgreSQL of PG_CONFIG: for the
# benchmarks, which measure what is installed and build nothing.
require_installed_extension() {
  local libdir
  libdir=$("$PG_CONFIG" --pkglibdir)
  if [ ! -f "$libdir/snowflake.so" ]; then
    echo "snowflake is not installed in $libdir: run 'make install' first" >&2
    exit 1
  fi
}

# psql on the private server whose socket is in $workdir, one unaligned tab-separated line per
# row.
psql_private() {
  run_unprivileged psql -X -q -At -F $'\t' -v ON_ERROR_STOP=1 -h "$workdir" -U postgres \
    -d postgres "$@"
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

# Prints one table of test results: a row per file VERSION.tsv in directory $1, each holding
# where it ran ("where"), whether its chroot and server packages were made or reused and how
# long that took ("setup"), the server's version ("server"), test/run-all.sh's stages and the
# wall time of it all ("time"); then a closing count of versions.
print_summary() {
  local file passed=0 failed=0 stages=(build format unit fuzz regress isolation tap clients patroni)
  printf '%-7s %-18s %-15s %-12s' version server where setup
  printf ' %-10s' "${stages[@]}"
  printf ' %-6s %s\n' result time
  for file in "$1"/*.tsv; do
    if awk -F '\t' -v version="$(basename "$file" .tsv)" -v stage_names="${stages[*]}" \
      -v optional_names="clients patroni" '
      $1 == "where" { where = $2; next }
      $1 == "server" {
        server = $2
        # The Debian package version where there is one (17.12-0+deb13u1), else 17.12.
        if (match(server, /\(Debian [^)]*\)/)) server = substr(server, RSTART + 8, RLENGTH - 9)
        else sub(/^PostgreSQL /, "", server)
        next
      }
      $1 == "setup" { setup = $2 " " $3 "s"; next }
      $1 == "time" { time = $2 "s"; next }
      { cell[$1] = $2 " " $3 "s"; if ($2 != "PASS") failed = 1 }
      END {
        n = split(stage_names, stages, " ")
        split(optional_names, optional_list, " ")
        for (i in optional_list) optional[optional_list[i]] = 1
        printf "%-7s %-18s %-15s %-12s", version, server, where, setup == "" ? "-" : setup
        for (i = 1; i <= n; i++) {
          if (!(stages[i] in cell) && !(stages[i] in optional)) failed = 1
          printf " %-10s", stages[i] in cell ? cell[stages[i]] : "-"
        }
        printf " %-6s %s\n", failed ? "FAIL" : "PASS", time
        exit failed
      }' "$file"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
  echo "versions: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
