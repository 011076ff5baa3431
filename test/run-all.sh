#!/bin/bash
# Runs every test of snowflake: a clang-format check, GoogleTest unit tests of the core, a short
# libFuzzer run over it, pg_regress with and without the library preloaded, isolation tests, the
# TAP tests in test/t, the client programs in test/clients (ORMs and drivers) and failovers
# under Patroni (test/ha). Installs the Debian packages it needs first. Every server it starts
# is private (a unix socket in a temporary directory, or 127.0.0.1 for JDBC and the Patroni
# cluster) and is stopped by its test.
#
#   test/run-all.sh                      # the PostgreSQL this Debian release ships
#   PG_MAJOR=17 test/run-all.sh          # or PG_CONFIG=/path/to/pg_config
#
# A suite that fails does not stop the others; the script fails if any did. With
# SNOWFLAKE_RESULTS set, it also appends the server's version and one line per stage (name, PASS
# or FAIL, seconds) to that file, for the summary tables of test/matrix.sh and
# test/run-all-versions.sh. With SNOWFLAKE_CORE_SUITES_ONLY set (test/matrix.sh sets it), the
# client programs and the Patroni test, which depend on the Debian release's ORMs, JDK, Node.js
# and Patroni rather than on the PostgreSQL version, are left out.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

results=${SNOWFLAKE_RESULTS:-/dev/null}
failed=()
passed=0

# Runs one stage and records its result and wall time; a failure is counted, not fatal.
stage() {
  local name=$1 start=$SECONDS status=PASS
  shift
  echo "== $name"
  "$@" || status=FAIL
  printf '%s\t%s\t%s\n' "$name" "$status" $((SECONDS - start)) >>"$results"
  if [ "$status" = PASS ]; then passed=$((passed + 1)); else failed+=("$name"); fi
}

# Installs what the build needs, builds and installs the extension.
build() {
  install_packages "${BUILD_PACKAGES[@]}" && build_and_install
}

# pg_regress, isolation and TAP tests write next to the sources, and PostgreSQL will not run as
# root: as root, they run as the postgres user in a copy of the tree.
installcheck() {
  if ! run_unprivileged make -C "$testdir" -s "installcheck-$1" PG_CONFIG="$PG_CONFIG"; then
    for diffs in "$testdir"/regression.diffs "$testdir"/output_*/regression.diffs; do
      [ -f "$diffs" ] && cat "$diffs"
    done
    return 1
  fi
}

echo "== $("$PG_CONFIG" --version 2>/dev/null || echo "PostgreSQL $PG_MAJOR") ($PG_CONFIG)"
stage build build
if [ ${#failed[@]} -ne 0 ]; then
  echo "0 passed, 1 failed: the build failed"
  exit 1
fi
printf 'server\t%s\n' "$("$PG_CONFIG" --version)" >>"$results"
# shellcheck disable=SC2046 # one word per package
install_packages $(test_packages)

stage format make -C "$SNOWFLAKE_ROOT" -s check-format PG_CONFIG="$PG_CONFIG"
stage unit make -C "$SNOWFLAKE_ROOT" -s unittest PG_CONFIG="$PG_CONFIG"
# Longer: make fuzz FUZZ_SECONDS=600.
stage fuzz make -C "$SNOWFLAKE_ROOT" -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-10}" \
  PG_CONFIG="$PG_CONFIG"

testdir=$SNOWFLAKE_ROOT
if [ "$(id -u)" -eq 0 ]; then
  testdir=$(make_private_dir)
  trap 'rm -rf "$testdir"' EXIT
  cp -a "$SNOWFLAKE_ROOT/." "$testdir/"
  chown -R postgres: "$testdir"
fi
stage regress installcheck regress
stage isolation installcheck isolation
stage tap installcheck tap

if [ -z "${SNOWFLAKE_CORE_SUITES_ONLY:-}" ]; then
  install_packages "${CLIENT_PACKAGES[@]}" "${HA_PACKAGES[@]}"
  stage clients env SNOWFLAKE_INSTALLED=1 "$SNOWFLAKE_ROOT/test/clients/run.sh"
  stage patroni run_unprivileged /usr/bin/python3 "$testdir/test/ha/patroni_failover.py"
fi

if [ ${#failed[@]} -eq 0 ]; then
  echo "== all tests passed"
else
  echo "== failed: ${failed[*]}"
fi
echo "$passed passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
