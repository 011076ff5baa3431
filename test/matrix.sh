#!/bin/bash
# Runs the full test command, test/run-all.sh, on each supported PostgreSQL version inside a
# Debian chroot of the release that ships it (every suite that depends on the PostgreSQL
# version: all but the client programs and the Patroni test, which run natively), then prints
# one summary table:
#
#   test/matrix.sh              # every supported version: 15 17 18 19
#   test/matrix.sh 17 19        # some of them
#   test/matrix.sh --run 18 /root/snowflake/test/bench/growth.sh   # one script on one version
#
# The chroots are made once and kept under $MATRIX_DIR (/var/tmp/snowflake-matrix) for the next
# run (test/lib/chroots.sh); every run copies the checkout in afresh, uncommitted changes too.
# Run as root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_root

if [ "${1:-}" = --run ]; then
  if [ $# -lt 3 ] || [ -z "${PG_DEBIAN_SUITE[$2]:-}" ]; then
    echo "usage: test/matrix.sh --run VERSION COMMAND [ARGUMENT...], VERSION one of" \
      "${SUPPORTED_PG_MAJORS[*]}" >&2
    exit 2
  fi
  shift
  run_in_version "$@"
  exit
fi
versions=("$@")
[ $# -gt 0 ] || versions=("${SUPPORTED_PG_MAJORS[@]}")
for major in "${versions[@]}"; do
  if [ -z "${PG_DEBIAN_SUITE[$major]:-}" ]; then
    echo "PostgreSQL $major is not supported (${SUPPORTED_PG_MAJORS[*]} are)" >&2
    exit 2
  fi
done

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
for major in "${versions[@]}"; do
  test_version "$major" "$results/$major.tsv" || status=1
done
print_summary "$results" || status=1
exit $status
