# shellcheck shell=bash
# Helpers shared by the benchmarks (run.sh, citus.sh): the order variants take turns in, and the
# machine's load. Sourced, not run.

# The arguments after the first, rotated left by repetition - 1: over the repetitions each
# variant runs in each position, so that drift and warm-up hit all of them alike.
rotated() {
  local repetition=$1
  shift
  local items=("$@") i
  for ((i = 0; i < $#; i++)); do
    echo "${items[(i + repetition - 1) % $#]}"
  done
}

# The machine's load, which the benchmark cannot control, for the reader to weigh.
load_average() {
  echo "$(cut -d ' ' -f 1-3 /proc/loadavg) (1, 5, 15 min)"
}
