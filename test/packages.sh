#!/bin/bash
# The release as users get it. First the PGXN release: META.json and the version everywhere it
# is written (test/release_check.py), and the archive `make dist` makes. Then, for each
# supported PostgreSQL version, in the Debian chroot of the release that ships it (test/matrix.sh
# --run, which also builds and installs the checkout there by hand): builds the Debian package
# postgresql-NN-snowflake from a copy of the checkout (dpkg-buildpackage, with nocheck: the
# autopkgtest below runs the same test), runs lintian on it, removes the hand-installed copy and
# checks that none of the package's files is left, runs the package's own test the way Debian's
# CI does (autopkgtest, with the null virtualisation server: the chroot is the testbed), which
# installs the package with apt and tests the installed files, then purges the package. The
# packages and the logs are left in build/packages/NN/. Run as root.
#
#   test/packages.sh            # every supported version: 15 17 18 19
#   test/packages.sh 17 19      # some of them
#
# A failure on one version does not stop the others; the script fails if any did.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# What building and testing the package needs besides its build dependencies.
PACKAGING_TOOLS=(dpkg-dev debhelper lintian autopkgtest)

# On this system, as root: builds, checks, installs and tests the package for PG_MAJOR, writing
# the packages and logs to the current directory.
package_here() {
  local output=$PWD package deb
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # The test servers run as postgres and read the built package's files here.
  chmod 755 "$work"
  install_packages "${PACKAGING_TOOLS[@]}"
  cp -a "$SNOWFLAKE_ROOT" "$work/snowflake"
  cd "$work/snowflake"
  echo "== build dependencies"
  DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq --no-install-recommends -P nocheck ./ \
    >/dev/null
  echo "== dpkg-buildpackage for PostgreSQL $PG_MAJOR (log: build.log)"
  # nocheck (option and profile): the build's own run of the package's test would repeat the
  # autopkgtest below, and its build dependency postgresql-all would install every version.
  if ! PG_SUPPORTED_VERSIONS=$PG_MAJOR DEB_BUILD_OPTIONS=nocheck DEB_BUILD_PROFILES=nocheck \
    dpkg-buildpackage -us -uc -b \
    >"$output/build.log" 2>&1; then
    tail -n 40 "$output/build.log"
    return 1
  fi
  package=postgresql-$PG_MAJOR-snowflake
  deb=$(echo "$work/${package}_"*.deb)
  cp "$work"/*.deb "$output/"

  # Fails on an error or warning that is not overridden. The tags are read from the output:
  # bookworm's lintian also fails on overridden ones when it shows them.
  echo "== lintian (errors, warnings, information and overridden tags)"
  run_unprivileged lintian --fail-on none --display-info --show-overrides "$work"/*.changes |
    tee "$output/lintian.log"
  if grep -qE '^[EW]: ' "$output/lintian.log"; then return 1; fi

  echo "== removing earlier copies: the package, if an earlier run left it, and a hand-installed one"
  if dpkg-query -W "$package" >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$package" >/dev/null
  fi
  remove_unpackaged_files "$deb"

  echo "== autopkgtest (log: autopkgtest.log)"
  autopkgtest --output-dir="$work/autopkgtest" "$deb" "$work/snowflake/" -- null \
    >"$output/autopkgtest.log" 2>&1 || {
    tail -n 60 "$output/autopkgtest.log"
    return 1
  }
  grep -E '^(### |# All|test |ok |not ok )' "$output/autopkgtest.log" || true
  cat "$work/autopkgtest/summary"
  echo "== $(dpkg -S "$("$PG_CONFIG" --pkglibdir)/snowflake.so") (the package's file)"
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$package" >/dev/null
  installed_files_of "$deb" | grep . && { echo "left after purging $package" >&2 && return 1; }
  return 0
}

# The files of package file $1 that are on this system.
installed_files_of() {
  local path
  dpkg-deb --fsys-tarfile "$1" | tar -t | sed -n 's|^\./|/|p' | grep -v '/$' |
    while read -r path; do if [ -e "$path" ]; then echo "$path"; fi; done
}

# Removes the files of package file $1 that no installed package owns (a `make install`), and
# fails unless none of its files is left.
remove_unpackaged_files() {
  local path left
  installed_files_of "$1" | while read -r path; do
    dpkg -S "$path" >/dev/null 2>&1 || { echo "removing $path" && rm -f "$path"; }
  done
  left=$(installed_files_of "$1")
  if [ -n "$left" ]; then
    echo "still installed before the package is: $left" >&2
    return 1
  fi
}

# Prints one line per version: the package, its size, and whether it was built, passed lintian
# and passed its test.
print_packages() {
  local major deb
  printf '%-7s %-50s %9s  %s\n' version package bytes result
  for major in "$@"; do
    for deb in "$packages_dir/$major/postgresql-$major-snowflake_"*.deb; do
      [ -f "$deb" ] || deb=-
      printf '%-7s %-50s %9s  %s\n' "$major" "$(basename "$deb")" \
        "$([ -f "$deb" ] && stat -c %s "$deb" || echo -)" "${result[$major]}"
    done
  done
}

# With SNOWFLAKE_RESULTS_DIR set (test/run-all-versions.sh sets it), records a stage's result in
# that directory's results file of version $1 (test/lib/results.sh): name, PASS or FAIL, seconds.
results_of() {
  local major=$1
  shift
  [ -z "${SNOWFLAKE_RESULTS_DIR:-}" ] || record_result "$SNOWFLAKE_RESULTS_DIR/$major.tsv" "$@"
}

if [ "${1:-}" = --here ]; then
  package_here
  exit
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "test/packages.sh builds in chroots and installs packages: run it as root" >&2
  exit 2
fi
versions=("$@")
[ $# -gt 0 ] || versions=("${SUPPORTED_PG_MAJORS[@]}")
status=0

echo "== the PGXN release"
start=$SECONDS
dist_dir=$(mktemp -d)
release=PASS
make -s -C "$dist_dir" -f "$SNOWFLAKE_ROOT/Makefile" dist PG_CONFIG="$PG_CONFIG" || release=FAIL
rm -rf "$dist_dir"
[ "$release" = PASS ] || status=1
results_of "$PG_MAJOR" release "$release" $((SECONDS - start))

packages_dir=$SNOWFLAKE_ROOT/build/packages
declare -A result
for major in "${versions[@]}"; do
  start=$SECONDS
  rm -rf "${packages_dir:?}/$major"
  mkdir -p "$packages_dir/$major"
  verdict=PASS
  (cd "$packages_dir/$major" &&
    "$SNOWFLAKE_ROOT/test/matrix.sh" --run "$major" /root/snowflake/test/packages.sh --here) ||
    verdict=FAIL
  [ "$verdict" = PASS ] || status=1
  result[$major]="$verdict $((SECONDS - start))s"
  results_of "$major" package "$verdict" $((SECONDS - start))
done
echo "== packages (in $packages_dir)"
print_packages "${versions[@]}"
failed=$(printf '%s\n' "${result[@]}" | grep -c FAIL || true)
echo "packages: $((${#versions[@]} - failed)) passed, $failed failed ($SECONDS s)"
exit $status
