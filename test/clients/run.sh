#!/bin/bash
# The clients of docs/orms-and-drivers.md and of the README's "JSON and JavaScript" section, each a
# small real program against a throwaway server that preloads snowflake (worker id 1):
# SQLAlchemy (server_default), Django (the failing first try, then the BigAutoField subclass),
# node-postgres (ids as strings, JSON.parse), psycopg 3 (types, text and binary), lists of ids
# (IN and = ANY from psycopg 3, psycopg2 and SQLAlchemy) and JDBC (types, getGeneratedKeys).
# Each program asserts what the documentation says and fails otherwise.
# Installs its Debian packages first; node-postgres (`pg`) comes from npm, installed into the
# throwaway directory, or from $NODE_PG_MODULES, a node_modules folder that holds it.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

install_packages "${BUILD_PACKAGES[@]}" "${CLIENT_PACKAGES[@]}"
[ "${SNOWFLAKE_INSTALLED:-}" = 1 ] || build_and_install

# JDBC speaks TCP only: the server also listens on a loopback port.
port=$((20000 + RANDOM % 20000))
start_throwaway_server "listen_addresses = '127.0.0.1'" "port = $port"
run_unprivileged psql -X -q -h "$workdir" -p "$port" -U postgres -d postgres \
  -c 'CREATE EXTENSION snowflake'

# The programs run from a copy the unprivileged user can read.
mkdir "$workdir/clients"
cp -r "$SNOWFLAKE_ROOT"/test/clients/. "$workdir/clients/"
chown -R --reference="$workdir" "$workdir/clients"
if [ -z "${NODE_PG_MODULES:-}" ]; then
  (cd "$workdir" && npm install --silent --no-save --no-package-lock pg >/dev/null)
  NODE_PG_MODULES=$workdir/node_modules
fi
export PGHOST=$workdir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
jdbc_url="jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres"
python=/usr/bin/python3

failed=()
# Runs one client program, named $1, and records a failure without stopping the others.
client() {
  local name=$1
  shift
  echo "== $name"
  run_unprivileged "$@" || failed+=("$name")
}
client "SQLAlchemy" $python "$workdir/clients/sqlalchemy_model.py"
client "Django" $python "$workdir/clients/django/run_django.py"
client "node-postgres" env NODE_PATH="$NODE_PG_MODULES" node --test "$workdir/clients/json_parse.test.js"
client "psycopg" $python "$workdir/clients/psycopg_types.py"
client "id lists" $python "$workdir/clients/id_lists.py"
client "JDBC types" java -cp /usr/share/java/postgresql.jar "$workdir/clients/JdbcTypes.java" "$jdbc_url"
client "JDBC getGeneratedKeys" java -cp /usr/share/java/postgresql.jar \
  "$workdir/clients/JdbcGeneratedKeys.java" "$jdbc_url"

if [ ${#failed[@]} -gt 0 ]; then
  echo "== clients FAILED: ${failed[*]}"
  exit 1
fi
echo "== clients passed: SQLAlchemy, Django, node-postgres, psycopg, id lists, JDBC"
