# Plots what test/bench/growth.sh measured: rows per second and WAL bytes per row in each step,
# one line per key type. Set on the command line: results (the per-step TSV file), keys (the key
# types, separated by spaces), output (the PNG file) and title.
set terminal pngcairo size 1200,460 font ",10" noenhanced
set output output
set datafile separator "\t"
set multiplot layout 1,2 title title
set key outside right top vertical
set grid
set xlabel "rows in the table (millions)"
# The rows of one key type, from the per-step file.
rows_of(key) = sprintf("< awk -F '\t' 'NR > 1 && $3 == \"%s\"' '%s'", key, results)

set title "insert throughput"
set ylabel "thousand rows per second"
set yrange [0:*]
plot for [key in keys] rows_of(key) using ($2 / 1e6):($4 / 1e3) with linespoints title key

set title "WAL written"
set ylabel "bytes per row"
set yrange [0:*]
plot for [key in keys] rows_of(key) using ($2 / 1e6):5 with linespoints title key
unset multiplot
