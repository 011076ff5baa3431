#!/bin/bash
# Builds Citus from its source tarball $1 against the PostgreSQL of PG_CONFIG (PG_MAJOR) and
# installs it under ./install, a tree to copy onto / later. test/citus/run.sh runs it in the
# chroot through test/matrix.sh --run, which copies the current directory out, to where run.sh
# keeps the build.
#
# Built without libcurl: Citus uses it only to send anonymous usage statistics, and the servers
# of our tests talk to nothing but each other. Built without LLVM bitcode (with_llvm=no), which
# only serves JIT inlining and would double the compile time.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

# What Citus's configure checks for: the libraries PostgreSQL itself was linked with
# (pg_config --libs) and lz4 and zstd for columnar storage.
CITUS_BUILD_PACKAGES=(liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev libpam0g-dev
  libxml2-dev libxslt1-dev libssl-dev libreadline-dev libicu-dev)

tarball=$1
output=$PWD
install_packages "${CITUS_BUILD_PACKAGES[@]}"
source_dir=$(mktemp -d)
trap 'rm -rf "$source_dir"' EXIT
tar -C "$source_dir" --strip-components=1 -xzf "$tarball"
cd "$source_dir"
echo "== configuring Citus"
./configure --without-libcurl PG_CONFIG="$PG_CONFIG" >configure.log 2>&1 ||
  { tail -n 30 configure.log; exit 1; }
echo "== compiling Citus"
make -s -j2 with_llvm=no >make.log 2>&1 || { tail -n 30 make.log; exit 1; }
make -s install with_llvm=no DESTDIR="$output/install" >install.log 2>&1 ||
  { tail -n 30 install.log; exit 1; }
