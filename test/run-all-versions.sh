#!/bin/bash
# Every test on every supported version, the command README.md gives and .ci/run runs. On a fresh
# clone on a fresh Debian machine (run as root) it runs test/run-all.sh on the machine's own
# PostgreSQL (15 on bookworm), then the same on every other supported version in its Debian
# chroot (test/lib/chroots.sh); then the PGXN archive and the Debian package of every version
# (test/packages.sh), and the Citus stage on 17 (test/citus/run.sh); and prints one summary table
# of every version and stage (test/lib/results.sh). A failure on one version or stage does not
# stop the others.
set -euo pipefail
cd "$(dirname "$0")/.."
source test/lib.sh
require_root

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0

native=$results/$PG_MAJOR.tsv
record_result "$native" where "native $(. /etc/os-release && echo "$VERSION_CODENAME")"
SNOWFLAKE_RESULTS=$native ./test/run-all.sh || status=1
record_result "$native" time "$SECONDS"

for major in "${SUPPORTED_PG_MAJORS[@]}"; do
  [ "$major" = "$PG_MAJOR" ] || test_version "$major" "$results/$major.tsv" || status=1
done
SNOWFLAKE_RESULTS_DIR=$results ./test/packages.sh || status=1
SNOWFLAKE_RESULTS_DIR=$results ./test/citus/run.sh || status=1

echo "== summary"
print_summary "$results" || status=1
echo "== wall time: $SECONDS s"
exit $status
