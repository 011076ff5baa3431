# The supported PostgreSQL versions and the one to use, and the Debian packages the scripts
# need. Sourced by test/lib.sh.

# The PostgreSQL versions snowflake supports, and the Debian release each is tested in
# (test/lib/chroots.sh makes a chroot of each). 19 comes from experimental, on top of sid.
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
  PG_BINDIR=$("$PG_CONFIG" --bindir)
else
  PG_MAJOR=${PG_MAJOR:-$(debian_release_pg_major)}
  PG_BINDIR=/usr/lib/postgresql/$PG_MAJOR/bin
  PG_CONFIG=$PG_BINDIR/pg_config
fi
export PATH="$PG_BINDIR:$PATH"

BUILD_PACKAGES=(make g++ "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR")
# perl brings prove and Test::More for the TAP tests, socat the proxy the registry's partition
# test freezes. The fuzzer needs clang's runtime too: test_packages adds it for the clang that
# PGXS uses.
TEST_PACKAGES=(perl libipc-run-perl libgtest-dev libfaketime socat clang-format)
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
