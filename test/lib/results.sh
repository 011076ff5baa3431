# Results of test runs and the summary table made from them. Sourced by test/lib.sh.
#
# Each run of test/run-all.sh on one PostgreSQL version writes a results file, VERSION.tsv, one
# tab-separated line per fact: where it ran ("where"); for a chroot, whether the chroot and
# server packages were made, reused or failed, and in how many seconds ("setup"); the server's
# version ("server"); each piece of each stage that ran, as name, PASS or FAIL and seconds (a
# stage of one piece is named as itself, a piece of a larger one STAGE/PART: tap/004_standby);
# run-all.sh's verdict once it has finished ("result"); the wall time of it all ("time").

# Appends to results file $1 one line: the rest of the arguments, tab-separated.
record_result() {
  local file=$1
  shift
  (
    IFS=$'\t'
    echo "$*"
  ) >>"$file"
}

# Prints one table of the results files VERSION.tsv in directory $1: a row per version and a
# column per stage (in the order the files name them), each cell PASS only when every piece of
# the stage passed; then, by name, every piece that failed; then a count of versions. A version
# passes when run-all.sh finished, said PASS, and no piece failed.
print_summary() {
  awk -F '\t' '
    FNR == 1 {
      version = FILENAME
      sub(/.*\//, "", version)
      sub(/\.tsv$/, "", version)
      versions[++version_count] = version
    }
    $1 == "where" { where[version] = $2; next }
    $1 == "server" {
      server = $2
      # The Debian package version where there is one (17.12-0+deb13u1), else 17.12.
      if (match(server, /\(Debian [^)]*\)/)) server = substr(server, RSTART + 8, RLENGTH - 9)
      else sub(/^PostgreSQL /, "", server)
      servers[version] = server
      next
    }
    $1 == "setup" { setup[version] = $2 " " $3 "s"; next }
    $1 == "result" { result[version] = $2; next }
    $1 == "time" { time[version] = $2 "s"; next }
    {
      stage = $1
      sub(/\/.*/, "", stage)
      if (!(stage in is_stage)) { is_stage[stage] = 1; stages[++stage_count] = stage }
      cell = version SUBSEP stage
      if (!(cell in status)) status[cell] = "PASS"
      seconds[cell] += $3
      if ($2 != "PASS") { status[cell] = "FAIL"; failed_pieces[version] = failed_pieces[version] " " $1 }
    }
    END {
      printf "%-7s %-18s %-15s %-12s", "version", "server", "where", "setup"
      for (i = 1; i <= stage_count; i++) printf " %-10s", stages[i]
      printf " %-6s %s\n", "result", "time"
      for (v = 1; v <= version_count; v++) {
        version = versions[v]
        passed = result[version] == "PASS" && failed_pieces[version] == ""
        printf "%-7s %-18s %-15s %-12s", version, servers[version], where[version],
          version in setup ? setup[version] : "-"
        for (i = 1; i <= stage_count; i++) {
          cell = version SUBSEP stages[i]
          printf " %-10s", cell in status ? status[cell] " " seconds[cell] "s" : "-"
        }
        printf " %-6s %s\n", passed ? "PASS" : "FAIL", time[version]
        passed_count += passed
      }
      for (v = 1; v <= version_count; v++) {
        version = versions[v]
        unfinished = result[version] == "" ? " (test/run-all.sh did not finish)" : ""
        if (failed_pieces[version] unfinished != "")
          print "failed on " version ":" failed_pieces[version] unfinished
      }
      printf "versions: %d passed, %d failed\n", passed_count, version_count - passed_count
      exit passed_count < version_count
    }' "$1"/*.tsv
}
