# Building and installing the extension, or requiring it installed. Sourced by test/lib.sh.

# Builds the extension and installs it into the PostgreSQL of PG_CONFIG.
build_and_install() {
  echo "== building and installing snowflake"
  make -C "$SNOWFLAKE_ROOT" -s -j2 PG_CONFIG="$PG_CONFIG"
  as_root make -C "$SNOWFLAKE_ROOT" -s install PG_CONFIG="$PG_CONFIG"
}

# Stops with a message unless the extension is installed in the PostgreSQL of PG_CONFIG: for the
# benchmarks, which measure what is installed and build nothing.
require_installed_extension() {
  local libdir
  libdir=$("$PG_CONFIG" --pkglibdir)
  if [ ! -f "$libdir/snowflake.so" ]; then
    echo "snowflake is not installed in $libdir: run 'make install' first" >&2
    exit 1
  fi
}
