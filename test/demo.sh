#!/bin/bash
# Builds and installs snowflake, then shows it working on a throwaway server that preloads it:
# a table keyed by snowflake_nextval(), a few rows, their ids decoded. Installs the Debian
# packages it needs first. The server listens on a private unix socket only and is removed
# when the script ends.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

install_packages "${BUILD_PACKAGES[@]}"
build_and_install

echo "== starting a throwaway server"
start_throwaway_server

echo "== demo"
run_unprivileged psql -X -q -h "$workdir" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  <"$SNOWFLAKE_ROOT/test/demo.sql"
