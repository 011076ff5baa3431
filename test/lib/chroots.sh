# Debian chroots, one per release that ships a supported PostgreSQL, for testing each version
# (test/run-all-versions.sh, test/matrix.sh). Each chroot is made once with debootstrap from the
# Debian mirror this machine's apt uses, and kept under $MATRIX_DIR for the next run; 18 and 19
# share one sid chroot, 19 coming from experimental. /proc, /sys and /dev are mounted into the
# chroot in a private mount namespace, so nothing stays mounted afterwards. Sourced by
# test/lib.sh.

MATRIX_DIR=${MATRIX_DIR:-/var/tmp/snowflake-matrix}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# Stops with a message unless we are root, which making and entering chroots takes.
require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "$(basename "$0") makes and enters chroots: run it as root" >&2
    exit 2
  fi
}

# The Debian mirror of this machine's apt configuration: deb822 .sources files or a classic
# sources.list; the first URI ending in /debian, which the security archive's does not.
debian_mirror() {
  local mirror
  mirror=$({
    cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs://p' | tr ' ' '\n'
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -n -E 's/^deb +(\[[^]]*\] +)?([^ ]+) .*/\2/p'
  } | grep -E '/debian/?$' | head -n 1)
  if [ -z "$mirror" ]; then
    echo "no Debian mirror found in /etc/apt" >&2
    return 1
  fi
  echo "$mirror"
}

# Runs a command in a private mount namespace, so that what it mounts goes away with it.
in_private_mounts() {
  unshare --mount --propagation private -- "$@"
}

# Runs a command as root inside chroot $1 with /proc, /sys and /dev mounted and a clean
# environment.
in_chroot() {
  local dir=$1
  shift
  # shellcheck disable=SC2016 # expanded by the inner shell
  in_private_mounts /bin/sh -c 'dir=$1 && shift &&
    mount -t proc proc "$dir/proc" && mount -t sysfs sysfs "$dir/sys" &&
    mount --rbind /dev "$dir/dev" && exec chroot "$dir" "$@"' sh "$dir" \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}

# Makes the chroot of Debian suite $1 unless a complete one is there: a minimal system whose
# services never start and where installing PostgreSQL creates no cluster. For sid, apt also
# knows experimental (which it uses only when asked) and accepts an expired Release file: sid's
# is often past its Valid-Until date.
make_chroot() {
  local suite=$1 dir=$MATRIX_DIR/$1 mirror
  [ -f "$dir/.complete" ] && return 0
  mirror=$(debian_mirror)
  install_packages debootstrap debian-archive-keyring
  echo "== making a Debian $suite chroot in $dir (log: $dir.log)"
  rm -rf --one-file-system "$dir"
  mkdir -p "$MATRIX_DIR"
  if ! in_private_mounts debootstrap --variant=minbase --keyring="$KEYRING" "$suite" "$dir" \
    "$mirror" >"$dir.log" 2>&1; then
    tail -n 20 "$dir.log"
    return 1
  fi
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod +x "$dir/usr/sbin/policy-rc.d"
  mkdir -p "$dir/etc/postgresql-common/createcluster.d"
  echo 'create_main_cluster = false' >"$dir/etc/postgresql-common/createcluster.d/snowflake.conf"
  if [ "$suite" = sid ]; then
    echo "deb $mirror experimental main" >"$dir/etc/apt/sources.list.d/experimental.list"
    printf 'Package: *\nPin: release a=experimental\nPin-Priority: 1\n' \
      >"$dir/etc/apt/preferences.d/experimental"
    echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/valid-until"
  fi
  touch "$dir/.complete"
}

# Copies the checkout into chroot $1 as /root/snowflake, replacing an earlier copy: the files git
# does not ignore, so uncommitted changes are tested too.
copy_checkout() {
  local target=$1/root/snowflake
  rm -rf "$target"
  mkdir -p "$target"
  git -C "$SNOWFLAKE_ROOT" ls-files -z --cached --others --exclude-standard |
    tar -C "$SNOWFLAKE_ROOT" --null -T - --ignore-failed-read -cf - | tar -C "$target" -xf -
}

# Makes the chroot for PostgreSQL $1 if needed, installs that version's server packages from the
# suite that has them, and copies the checkout in.
prepare_version() {
  local major=$1 dir=$MATRIX_DIR/${PG_DEBIAN_SUITE[$1]}
  make_chroot "${PG_DEBIAN_SUITE[$major]}" || return 1
  echo "== PostgreSQL $major in the ${PG_DEBIAN_SUITE[$major]} chroot"
  # shellcheck disable=SC2016 # expanded by the inner shell
  in_chroot "$dir" sh -c 'release=$1 && shift && dpkg-query -W "$@" >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends ${release:+-t "$release"} "$@" >/dev/null; }' sh \
    "${PG_DEBIAN_EXTRA_SUITE[$major]:-}" "postgresql-$major" "postgresql-server-dev-$major" ||
    return 1
  copy_checkout "$dir"
}

# Runs test/run-all.sh on PostgreSQL $1 in its chroot, every suite that depends on the
# PostgreSQL version (all but the client programs and the Patroni test), and writes its results
# to file $2 (see test/lib/results.sh).
test_version() {
  local major=$1 results=$2 suite=${PG_DEBIAN_SUITE[$1]} start=$SECONDS setup=reused status=0
  local dir=$MATRIX_DIR/$suite
  [ -f "$dir/.complete" ] || setup=made
  record_result "$results" where "$suite chroot"
  # The server packages first; run-all.sh installs the rest.
  prepare_version "$major" || setup=failed
  record_result "$results" setup "$setup" $((SECONDS - start))
  if [ "$setup" = failed ]; then
    status=1
  else
    rm -f "$dir/root/results.tsv"
    in_chroot "$dir" env PG_MAJOR="$major" SNOWFLAKE_RESULTS=/root/results.tsv \
      SNOWFLAKE_SERVER_SUITES_ONLY=1 /root/snowflake/test/run-all.sh || status=$?
    cat "$dir/root/results.tsv" >>"$results" 2>/dev/null || true
  fi
  record_result "$results" time $((SECONDS - start))
  return $status
}

# Builds and installs the checkout for PostgreSQL $1 in its chroot, then runs the rest of the
# arguments there, a script of the checkout (say, a benchmark) with its settings (the
# environment's BENCH_* and GROWTH_* variables), in an empty directory whose files are then
# copied to the current directory.
run_in_version() {
  local major=$1 dir=$MATRIX_DIR/${PG_DEBIAN_SUITE[$1]} settings status=0
  shift
  prepare_version "$major" || return 1
  mapfile -t settings < <(env | grep -E '^(BENCH|GROWTH)_' || true)
  rm -rf "$dir/root/output"
  mkdir "$dir/root/output"
  # shellcheck disable=SC2016 # expanded by the inner shell
  in_chroot "$dir" env PG_MAJOR="$major" "${settings[@]}" bash -c 'cd /root/snowflake &&
    . test/lib.sh && install_packages "${BUILD_PACKAGES[@]}" && build_and_install &&
    cd /root/output && "$@"' bash "$@" || status=$?
  cp -r "$dir/root/output/." .
  return $status
}
