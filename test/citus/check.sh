#!/bin/bash
# Runs the Citus tests, test/citus/t, on the PostgreSQL of PG_MAJOR (or PG_CONFIG) with Citus and
# snowflake installed: test/citus/run.sh runs it in the chroot where it installed both. As root,
# the tests run as the postgres user in a copy of the tree (PostgreSQL refuses to run as root;
# TAP tests write next to the sources). prove runs with -v unless PROVE_FLAGS says otherwise, so
# that the output shows the tests' notes, among them the measured table of where DEFAULTs are
# evaluated. PROVE_TESTS picks some of the tests, SNOWFLAKE_CITUS_WORKER_IDS one way of giving the
# nodes their worker ids (static or registry; both by default).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

# prove and the harness's IPC::Run; DBD::Pg for the inserting clients; Citus's own libraries.
install_packages perl libipc-run-perl libdbd-pg-perl liblz4-1 libzstd1

use_test_tree
# Once with worker ids set by hand, once claimed from a registry (test/citus/t/CitusCluster.pm).
# On a failure, the end of each test's log says what the servers and the clients did.
status=0
for mode in ${SNOWFLAKE_CITUS_WORKER_IDS:-static registry}; do
  echo "== Citus tests, worker ids: $mode"
  if ! run_unprivileged env SNOWFLAKE_CITUS_WORKER_IDS="$mode" make -C "$testdir" -s \
    installcheck-tap PG_CONFIG="$PG_CONFIG" PROVE_TESTS="${PROVE_TESTS:-test/citus/t/*.pl}" \
    PROVE_FLAGS="${PROVE_FLAGS:--v}"; then
    for log in "$testdir"/tmp_check/log/regress_log_*; do
      [ -f "$log" ] && echo "== the end of $log" && tail -n 40 "$log"
    done
    status=1
  fi
done
exit $status
