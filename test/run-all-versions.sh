#!/bin/bash
# Every test on every supported version, the command README.md gives and .ci/run runs. On a fresh
# clone on a fresh Debian machine (run as root) it runs test/run-all.sh on the machine's own
# PostgreSQL (15 on bookworm), then the same on every other supported version in Debian chroots
# (test/matrix.sh), then the Citus tests on 17 (test/citus/run.sh, which prints its own result),
# and prints one summary table of every version and suite. A failure on one version does not
# stop the others.
set -euo pipefail
cd "$(dirname "$0")/.."
source test/lib.sh

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0

printf 'where\tnative %s\n' "$(. /etc/os-release && echo "$VERSION_CODENAME")" \
  >"$results/$PG_MAJOR.tsv"
SNOWFLAKE_RESULTS=$results/$PG_MAJOR.tsv ./test/run-all.sh || status=1
printf 'time\t%s\n' "$SECONDS" >>"$results/$PG_MAJOR.tsv"

others=()
for major in "${SUPPORTED_PG_MAJORS[@]}"; do
  [ "$major" = "$PG_MAJOR" ] || others+=("$major")
done
MATRIX_RESULTS=$results ./test/matrix.sh "${others[@]}" || status=1
./test/citus/run.sh || status=1

echo "== summary"
print_summary "$results" || status=1
echo "== wall time: $SECONDS s"
exit $status
