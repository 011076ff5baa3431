#!/bin/bash
# The Citus stage: snowflake on a Citus cluster on PostgreSQL 17, in the trixie chroot that
# test/matrix.sh makes and keeps. Citus is not in Debian: its source tarball is built in the
# chroot once and the build kept beside the chroots, under $MATRIX_DIR, named after the checksum
# of the tarball and of build_citus.sh, for later runs; every run copies it into the chroot, then
# runs the test there.
#
#   test/citus/run.sh                                        # the test, test/citus/t/*.pl
#   test/citus/run.sh /root/snowflake/test/bench/citus.sh    # a script of the checkout instead
#
# CITUS_TARBALL names the tarball; by default citus-13.2.2.tar.gz in shared/vendor beside the
# checkout, where CI has it. Run as root (test/matrix.sh enters chroots).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

# Citus 13.2 supports PostgreSQL 15 to 17, and does not compile against Debian's 15 headers
# (it declares have_createdb_privilege, as 15.20 now does): 17 it is.
CITUS_PG_MAJOR=17
MATRIX_DIR=${MATRIX_DIR:-/var/tmp/snowflake-matrix}
export MATRIX_DIR
chroot_dir=$MATRIX_DIR/${PG_DEBIAN_SUITE[$CITUS_PG_MAJOR]}
tarball=${CITUS_TARBALL:-$SNOWFLAKE_ROOT/../shared/vendor/citus-13.2.2.tar.gz}
matrix=$SNOWFLAKE_ROOT/test/matrix.sh

if [ ! -f "$tarball" ]; then
  echo "no Citus source at $tarball: set CITUS_TARBALL to a Citus release tarball" >&2
  exit 2
fi
checksum=$(cat "$tarball" "$SNOWFLAKE_ROOT/test/citus/build_citus.sh" | sha256sum | cut -c 1-16)
build_dir=$MATRIX_DIR/citus-pg$CITUS_PG_MAJOR-$checksum

# Builds Citus in the chroot into $build_dir unless a complete build is there. The chroot must
# exist first for the tarball to be copied in: test/matrix.sh makes it on the way.
build_citus() {
  [ -f "$build_dir/.complete" ] && return 0
  [ -f "$chroot_dir/.complete" ] || "$matrix" --run "$CITUS_PG_MAJOR" true
  echo "== building Citus from $tarball into $build_dir"
  cp "$tarball" "$chroot_dir/root/citus.tar.gz"
  rm -rf "$build_dir" "$build_dir.tmp"
  mkdir -p "$build_dir.tmp"
  (cd "$build_dir.tmp" && "$matrix" --run "$CITUS_PG_MAJOR" \
    /root/snowflake/test/citus/build_citus.sh /root/citus.tar.gz)
  rm -f "$chroot_dir/root/citus.tar.gz"
  mv "$build_dir.tmp" "$build_dir"
  touch "$build_dir/.complete"
}

start=$SECONDS
build_citus
cp -a "$build_dir/install/." "$chroot_dir/"
echo "== Citus ready in the ${PG_DEBIAN_SUITE[$CITUS_PG_MAJOR]} chroot after $((SECONDS - start)) s"
[ $# -gt 0 ] || set -- /root/snowflake/test/citus/check.sh
status=0
"$matrix" --run "$CITUS_PG_MAJOR" "$@" || status=$?
verdict=$([ $status -eq 0 ] && echo PASS || echo FAIL)
echo "== Citus, $(basename "$1"): $verdict in $((SECONDS - start)) s"
# With SNOWFLAKE_RESULTS_DIR set (test/run-all-versions.sh sets it), the result goes in 17's
# results file for the summary table (test/lib/results.sh).
[ -z "${SNOWFLAKE_RESULTS_DIR:-}" ] ||
  record_result "$SNOWFLAKE_RESULTS_DIR/$CITUS_PG_MAJOR.tsv" citus "$verdict" $((SECONDS - start))
exit $status
