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
# Each stage runs and is reported on its own, and so does each TAP file: one that fails stops
# none of the others, and the script fails if any did, naming each that failed. With
# SNOWFLAKE_RESULTS set, it also writes the server's version, a line per stage or TAP file and
# its verdict to that file (test/lib/results.sh), for the summary tables of test/matrix.sh and
# test/run-all-versions.sh. With SNOWFLAKE_SERVER_SUITES_ONLY set (test/lib/chroots.sh sets it
# for the versions tested in chroots) only the suites whose outcome can depend on the PostgreSQL
# version run: the format check, the unit tests and the fuzzer, which never see a PostgreSQL
# header, and the client programs and the Patroni test, which exercise the Debian release's ORMs,
# JDK, Node.js and Patroni, are left out.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

results=${SNOWFLAKE_RESULTS:-/dev/null}
failed=()
passed=0

# Runs one stage (or one piece of one, named STAGE/PART) and records its result and wall time; a
# failure is counted, not fatal.
stage() {
  local name=$1 start=$SECONDS status=PASS
  shift
  echo "== $name"
  "$@" || status=FAIL
  record_result "$results" "$name" "$status" $((SECONDS - start))
  if [ "$status" = PASS ]; then passed=$((passed + 1)); else failed+=("$name"); fi
}

# Installs what the build needs, builds and installs the extension.
build() {
  install_packages "${BUILD_PACKAGES[@]}" && build_and_install
}

# Runs target installcheck-$1 of the Makefile, with make arguments $3..., in $testdir as the
# unprivileged user; when it fails, prints file $2, what it left to read (pg_regress's diffs, a
# TAP file's log).
installcheck() {
  local target=installcheck-$1 evidence=$2
  shift 2
  run_unprivileged make -C "$testdir" -s "$target" PG_CONFIG="$PG_CONFIG" "$@" && return 0
  if [ -f "$evidence" ]; then
    echo "== ${evidence#"$testdir"/}"
    cat "$evidence"
  fi
  return 1
}

# Prints the count of stages and, when any failed, their names; records the verdict and
# returns it.
finish() {
  if [ ${#failed[@]} -eq 0 ]; then
    echo "== all tests passed"
    record_result "$results" result PASS
  else
    echo "== failed: ${failed[*]}"
    record_result "$results" result FAIL
  fi
  echo "$passed passed, ${#failed[@]} failed"
  [ ${#failed[@]} -eq 0 ]
}

echo "== $("$PG_CONFIG" --version 2>/dev/null || echo "PostgreSQL $PG_MAJOR") ($PG_CONFIG)"
stage build build
[ ${#failed[@]} -eq 0 ] || { finish; exit 1; }
record_result "$results" server "$("$PG_CONFIG" --version)"
# shellcheck disable=SC2046 # one word per package
install_packages $(test_packages)

if [ -z "${SNOWFLAKE_SERVER_SUITES_ONLY:-}" ]; then
  stage format make -C "$SNOWFLAKE_ROOT" -s check-format PG_CONFIG="$PG_CONFIG"
  stage unit make -C "$SNOWFLAKE_ROOT" -s unittest PG_CONFIG="$PG_CONFIG"
  # Longer: make fuzz FUZZ_SECONDS=600.
  stage fuzz make -C "$SNOWFLAKE_ROOT" -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-10}" \
    PG_CONFIG="$PG_CONFIG"
fi

# As root, pg_regress, isolation and TAP tests run as the postgres user in a copy of the tree.
use_test_tree
stage no_preload installcheck no-preload "$testdir/output_no_preload/regression.diffs"
stage regress installcheck regress "$testdir/regression.diffs"
stage isolation installcheck isolation "$testdir/output_iso/regression.diffs"
# One prove run per file: a file that stops early (a die, or BAIL_OUT in PostgreSQL's own test
# modules) stops no other.
for tap_file in "$testdir"/test/t/*.pl; do
  tap_name=$(basename "$tap_file" .pl)
  stage "tap/$tap_name" installcheck tap "$testdir/tmp_check/log/regress_log_$tap_name" \
    PROVE_TESTS="test/t/$tap_name.pl"
done

if [ -z "${SNOWFLAKE_SERVER_SUITES_ONLY:-}" ]; then
  install_packages "${CLIENT_PACKAGES[@]}" "${HA_PACKAGES[@]}"
  stage clients env SNOWFLAKE_INSTALLED=1 "$SNOWFLAKE_ROOT/test/clients/run.sh"
  stage patroni run_unprivileged /usr/bin/python3 "$testdir/test/ha/patroni_failover.py"
fi
finish
