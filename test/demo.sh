#!/bin/bash
# Builds and installs snowflake, then shows it working on a throwaway server that preloads it:
# a table keyed by snowflake_nextval(), a few rows, their ids decoded. Installs the Debian
# packages it needs first. The server listens on a private unix socket only and is removed
# when the script ends.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

install_packages "${BUILD_PACKAGES[@]}"
build_and_install

workdir=$(make_private_dir)
stop_server() {
  run_unprivileged pg_ctl -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop_server EXIT

echo "== starting a throwaway server in $workdir"
init_private_cluster "$workdir/data" "$workdir"
run_unprivileged pg_ctl -D "$workdir/data" -l "$workdir/server.log" -w start >/dev/null

echo "== demo"
run_unprivileged psql -X -q -h "$workdir" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  <"$SNOWFLAKE_ROOT/test/demo.sql"
