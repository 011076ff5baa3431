#!/bin/bash
# Runs every test of snowflake: a clang-format check, GoogleTest unit tests of the core, a short
# libFuzzer run over it, pg_regress with and without the library preloaded, isolation tests,
# the TAP tests in test/t, the client programs in test/clients (ORMs and drivers) and
# failovers under Patroni (test/ha). Installs the Debian packages it needs first. Every server
# it starts is private (a unix socket in a temporary directory, or 127.0.0.1 for JDBC and the
# Patroni cluster) and is stopped by its test.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${CLIENT_PACKAGES[@]}"
build_and_install

echo "== formatting"
make -C "$SNOWFLAKE_ROOT" -s check-format PG_CONFIG="$PG_CONFIG"

echo "== unit tests"
make -C "$SNOWFLAKE_ROOT" -s unittest PG_CONFIG="$PG_CONFIG"

echo "== fuzzing the core for ${FUZZ_SECONDS:=10} s (longer: make fuzz FUZZ_SECONDS=600)"
make -C "$SNOWFLAKE_ROOT" -s fuzz FUZZ_SECONDS="$FUZZ_SECONDS" PG_CONFIG="$PG_CONFIG"

# pg_regress, isolation and TAP tests write next to the sources, and PostgreSQL will not run as
# root: as root, run them as the postgres user in a copy of the tree.
testdir=$SNOWFLAKE_ROOT
if [ "$(id -u)" -eq 0 ]; then
  testdir=$(make_private_dir)
  trap 'rm -rf "$testdir"' EXIT
  cp -a "$SNOWFLAKE_ROOT/." "$testdir/"
  chown -R postgres: "$testdir"
fi

echo "== pg_regress, isolation and TAP tests"
if ! run_unprivileged make -C "$testdir" -s installcheck PG_CONFIG="$PG_CONFIG"; then
  for diffs in "$testdir"/regression.diffs "$testdir"/output_*/regression.diffs; do
    [ -f "$diffs" ] && cat "$diffs"
  done
  exit 1
fi

echo "== clients: SQLAlchemy, Django, node-postgres, psycopg, JDBC"
SNOWFLAKE_INSTALLED=1 "$SNOWFLAKE_ROOT/test/clients/run.sh"

echo "== Patroni failover"
run_unprivileged /usr/bin/python3 "$testdir/test/ha/patroni_failover.py"
echo "== all tests passed"
