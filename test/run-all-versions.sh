#!/bin/bash
# Every test on every supported version, the command README.md gives and .ci/run runs. On a fresh
# clone on a fresh Debian machine (run as root) it runs test/run-all.sh on the machine's own
# PostgreSQL (15 on bookworm), then the same on every other supported version in its Debian
# chroot (test/lib/chroots.sh), and prints one summary table of every version and suite
# (test/lib/results.sh); then builds and tests the PGXN archive and the Debian package of every
# version (test/packages.sh). A failure on one version does not stop the others.
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

echo "== summary"
print_summary "$results" || status=1
./test/packages.sh || status=1
echo "== wall time: $SECONDS s"
exit $status
