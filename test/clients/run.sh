#!/bin/bash
# Driver checks behind the README's "JSON and JavaScript" section: node-postgres, psycopg and
# the JDBC driver against a throwaway server that preloads snowflake. Each prints what the
# driver returns for a bigint id and a snowflake id and fails if that changes. Not part of
# test/run-all.sh: it fetches node-postgres (`pg`) with npm and needs a JDK.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

packages=(python3-psycopg libpostgresql-jdbc-java default-jdk-headless)
command -v npm >/dev/null || packages+=(nodejs npm)
install_packages "${BUILD_PACKAGES[@]}" "${packages[@]}"
build_and_install

# JDBC speaks TCP only: the server also listens on a loopback port.
port=$((20000 + RANDOM % 20000))
start_throwaway_server "listen_addresses = '127.0.0.1'" "port = $port"
run_unprivileged psql -X -q -h "$workdir" -p "$port" -U postgres -d postgres \
  -c 'CREATE EXTENSION snowflake'

# The programs run from a copy the unprivileged user can read. node-postgres comes from
# $NODE_PG_MODULES, a node_modules folder that holds it, if set; from npm, beside them, if not.
cp "$SNOWFLAKE_ROOT"/test/clients/*.{js,py,java} "$workdir/"
if [ -z "${NODE_PG_MODULES:-}" ]; then
  (cd "$workdir" && npm install --silent --no-save --no-package-lock pg >/dev/null)
  NODE_PG_MODULES=$workdir/node_modules
fi
export PGHOST=$workdir PGPORT=$port PGUSER=postgres PGDATABASE=postgres

echo "== node-postgres"
run_unprivileged env NODE_PATH="$NODE_PG_MODULES" node --test "$workdir/json_parse.test.js"
echo "== psycopg"
run_unprivileged python3 "$workdir/psycopg_types.py"
echo "== JDBC"
run_unprivileged java -cp /usr/share/java/postgresql.jar "$workdir/JdbcTypes.java" \
  "jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres"
