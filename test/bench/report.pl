#!/usr/bin/perl
# Turns what test/bench/run.sh measured (lines of section, key, variant, repetition, value;
# tab-separated) into the table it prints: medians, ratios, and PASS/FAIL against the targets.
# Each ratio is taken within one repetition, between variants that ran close together; the
# median over the repetitions is what meets its target or not.
#
# Usage: report.pl results.tsv
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BenchStats;
use List::Util qw(min max sum);

# A value measured more than once in a repetition (interleaved rounds, pgbench slices) counts as
# the mean of its measurements.
my (%measured, %top_self, %samples);
while (my $line = <>) {
	chomp $line;
	my ($section, $key, $variant, $repetition, $value) = split /\t/, $line, 5;
	if ($key eq 'top_self') {
		push @{ $top_self{$section}{$variant} }, $value;
	} else {
		push @{ $samples{$section}{$key}{$variant}{$repetition} }, $value;
	}
}
for my $section (keys %samples) {
	for my $key (keys %{ $samples{$section} }) {
		for my $variant (keys %{ $samples{$section}{$key} }) {
			while (my ($repetition, $values) = each %{ $samples{$section}{$key}{$variant} }) {
				$measured{$section}{$key}{$variant}{$repetition} = sum(@$values) / @$values;
			}
		}
	}
}

my $sequence_bits = $measured{setting}{sequence_bits}{server}{0} // 12;
my $cap_ids_per_s = (1 << $sequence_bits) * 1000;
my @generators = qw(snowflake nextval uuid floor);

# $compute->(\%value_of_variant) in each repetition that measured every named variant.
sub per_repetition {
	my ($section, $key, $variants, $compute) = @_;
	my $by_variant = $measured{$section}{$key} // {};
	my @results;
	for my $repetition (sort { $a <=> $b } keys %{ $by_variant->{ $variants->[0] } // {} }) {
		my %value = map { $_ => $by_variant->{$_}{$repetition} } @$variants;
		next if grep { !defined } values %value;
		my $result = $compute->(\%value);
		push @results, $result if defined $result;
	}
	return @results;
}

# The median over the repetitions of one variant's value, transformed.
sub median_of {
	my ($section, $key, $variant, $transform) = @_;
	$transform //= sub { $_[0] };
	return median(per_repetition($section, $key, [$variant], sub { $transform->($_[0]{$variant}) }));
}

sub keys_of {
	my ($section) = @_;
	return sort { $a <=> $b } keys %{ $measured{$section} // {} };
}

sub millions {
	my ($count) = @_;
	return sprintf('%g M', $count / 1e6);
}

sub number {
	my ($value, $decimals) = @_;
	return '-' unless defined $value;
	my $text = sprintf("%.${decimals}f", $value);
	$text =~ s/^-(?=0(?:\.0*)?$)//;    # no "-0.00" for a tiny negative difference
	return $text;
}

my @rows;           # measure, snowflake, nextval, uuid, floor, ratio (target), result
my @ratio_lines;    # each target's ratio in every repetition
my %tally = (PASS => 0, FAIL => 0);

sub info_row {
	my ($measure, @cells) = @_;
	push @rows, [ $measure, map({ $cells[$_] // '' } 0 .. 4), '' ];
}

# A row with a target: the median of the per-repetition ratios, or the given $ratio, checked by
# $holds.
sub target_row {
	my ($measure, $cells, $ratios, $holds, $format, $target, $ratio) = @_;
	$ratio //= median(@$ratios);
	my $result = defined $ratio && $holds->($ratio) ? 'PASS' : 'FAIL';
	$tally{$result}++;
	(my $target_format = $target) =~ s/%/%%/g;
	my $ratio_text = defined $ratio ? sprintf("$format ($target_format)", $ratio) : 'no data';
	push @rows, [ $measure, @$cells, $ratio_text, $result ];
	my $each = join(' ', map { sprintf($format, $_) } @$ratios);
	push @ratio_lines, sprintf('  %-52s %s', "$measure:", $each);
}

# Bulk statements: ns per id, overhead above the floor, the sustained rate.
my @bulk_sizes = keys_of('bulk');
for my $size (@bulk_sizes) {
	my $ns_per_id = sub { $_[0] * 1e6 / $size };
	info_row('ns per id, ' . millions($size) . ' in one statement',
		map { number(median_of('bulk', $size, $_, $ns_per_id), 1) } @generators);

	my @overheads = map {
		my $variant = $_;
		number(median(per_repetition('bulk', $size, [ $variant, 'floor' ],
			sub { $ns_per_id->($_[0]{$variant} - $_[0]{floor}) })), 1);
	} qw(snowflake nextval uuid);
	my @ratios = per_repetition('bulk', $size, [qw(snowflake nextval floor)], sub {
		my ($ms) = @_;
		my $nextval_overhead = $ms->{nextval} - $ms->{floor};
		return $nextval_overhead > 0 ? ($ms->{snowflake} - $ms->{floor}) / $nextval_overhead : undef;
	});
	target_row('ns per id above the floor, ' . millions($size), [ @overheads, '0' ],
		\@ratios, sub { $_[0] <= 0.25 }, '%.2f', '<= 0.25 x nextval');
}
# The sustained-rate target: at least this share of min(cap, floor rate), in percent.
my $sustained_percent = 97;

# What the sustained rate is measured against, in ids/s: min(cap, floor rate) for a floor
# statement of $size ids that took $floor_ms.
sub sustained_reference_rate {
	my ($size, $floor_ms) = @_;
	return min($cap_ids_per_s, $size / ($floor_ms / 1e3));
}

if (@bulk_sizes) {
	my $size = $bulk_sizes[-1];
	my $million_ids_per_s = sub { $size / $_[0] / 1e3 };
	my @fractions = per_repetition('bulk', $size, [qw(snowflake floor)], sub {
		my ($ms) = @_;
		return 100 * $size / ($ms->{snowflake} / 1e3) / sustained_reference_rate($size, $ms->{floor});
	});
	target_row('M ids/s over ' . millions($size) . ' ids',
		[ map { number(median_of('bulk', $size, $_, $million_ids_per_s), 2) } @generators ],
		\@fractions, sub { $_[0] >= $sustained_percent }, '%.0f%%',
		">= $sustained_percent% of min(cap, floor)");
}
for my $size (keys_of('capped')) {
	my $rate = median_of('capped', $size, 'snowflake', sub { $size / $_[0] / 1e3 });
	my $fraction = defined $rate ? 100 * $rate * 1e6 / $cap_ids_per_s : undef;
	info_row('M ids/s at the cap (max_clock_lead = 0), ' . millions($size), number($rate, 2),
		'', '', '', sprintf('%s%% of the cap (info)', number($fraction, 1)));
}

# Inserts: tps per kind of key, snowflake against bigserial.
my @insert_keys = sort {
	my ($commit_a, $clients_a) = split m{/}, $a;
	my ($commit_b, $clients_b) = split m{/}, $b;
	$commit_b cmp $commit_a || $clients_a <=> $clients_b;
} keys %{ $measured{insert} // {} };
for my $key (@insert_keys) {
	my ($commit, $clients) = split m{/}, $key;
	my @ratios = per_repetition('insert', $key, [qw(snowflake bigserial)],
		sub { $_[0]{bigserial} > 0 ? $_[0]{snowflake} / $_[0]{bigserial} : undef });
	target_row(sprintf('INSERT DEFAULT tps, %d client%s, sync commit %s',
			$clients, $clients == 1 ? '' : 's', $commit),
		[ (map { number(median_of('insert', $key, $_), 0) } qw(snowflake bigserial uuid)), '' ],
		\@ratios, sub { $_[0] >= 1.0 }, '%.3f', '>= 1 x bigserial');
}

# INSERT latency at sporadic rates, snowflake against bigserial. The verdicts pool every
# repetition's inserts (a p99 needs them all); each repetition's own ratio shows the spread.
sub mean {
	return @_ ? sum(@_) / @_ : undef;
}

sub p99 {
	my @sorted = sort { $a <=> $b } @_;
	return @sorted ? $sorted[ min($#sorted, int(0.99 * @sorted + 0.999) - 1) ] : undef;
}

sub latencies {
	my ($key, $table, @repetitions) = @_;
	my $by_repetition = $samples{latency}{$key}{$table} // {};
	@repetitions = keys %$by_repetition unless @repetitions;
	return map { @{ $by_repetition->{$_} // [] } } @repetitions;
}

sub latency_rows {
	my ($label, $key, $statistic, $name, $limit) = @_;
	my @repetitions = sort { $a <=> $b } keys %{ $samples{latency}{$key}{snowflake} // {} };
	my $ratio_in = sub {
		my @repetitions_used = @_;
		my ($snowflake, $bigserial) =
		  map { $statistic->(latencies($key, $_, @repetitions_used)) } qw(snowflake bigserial);
		return defined $snowflake && $bigserial ? $snowflake / $bigserial : ();
	};
	my @cells = map {
		my $value = $statistic->(latencies($key, $_));
		defined $value ? number($value / 1000, 3) : '-';
	} qw(snowflake bigserial);
	my $count = () = latencies($key, 'snowflake');
	target_row("INSERT latency $label, $name ms ($count inserts)", [ @cells, '', '' ],
		[ map { $ratio_in->($_) } @repetitions ], sub { $_[0] <= $limit }, '%.2f',
		"<= $limit x bigserial", $ratio_in->(@repetitions));
}

my @intervals = sort { $a <=> $b } grep { $_ ne 'idle' } keys %{ $samples{latency} // {} };
for my $interval (@intervals) {
	latency_rows("every $interval s", $interval, \&mean, 'mean', 1.1);
	latency_rows("every $interval s", $interval, \&p99, 'p99', 1.1);
}
# $samples{latency} first: looking into it would create it, and a run without latency would
# print an empty latency block.
if ($samples{latency} && $samples{latency}{idle}) {
	my $idle_seconds = $measured{setting}{idle_seconds}{server}{0} // '?';
	latency_rows("first after $idle_seconds s idle", 'idle', \&mean, 'mean', 2);
}

# The batch function against single calls.
for my $size (keys_of('batch')) {
	my $ns_per_id = sub { $_[0] * 1e6 / $size };
	my @ratios = per_repetition('batch', $size, [qw(batch single)],
		sub { $_[0]{single} / $_[0]{batch} });
	target_row('ns per id, ' . millions($size) . ' from one batch',
		[ number(median_of('batch', $size, 'batch', $ns_per_id), 1), '', '', '' ],
		\@ratios, sub { $_[0] >= 2 }, '%.2fx', '>= 2x the rate of single calls');
	info_row('ns per id, ' . millions($size) . ' single calls (same shape)',
		number(median_of('batch', $size, 'single', $ns_per_id), 1), '', '',
		number(median_of('batch', $size, 'floor', $ns_per_id), 1));
}

# Callgrind: the runs with n and 2n calls differ by the cost of n calls.
sub per_call {
	my ($variant, $key) = @_;
	my $runs = $measured{callgrind} // {};
	my ($calls_1, $calls_2) = map { $runs->{calls}{$variant}{$_} } 1, 2;
	my ($value_1, $value_2) = map { $runs->{$key}{$variant}{$_} } 1, 2;
	return undef unless defined $calls_1 && defined $calls_2 && $calls_2 > $calls_1;
	return undef unless defined $value_1 && defined $value_2;
	return ($value_2 - $value_1) / ($calls_2 - $calls_1);
}

sub allocations_per_call {
	my ($variant) = @_;
	my ($palloc, $malloc) = map { per_call($variant, $_) } qw(alloc_calls malloc_calls);
	return defined $palloc && defined $malloc ? $palloc + $malloc : undef;
}

if ($measured{callgrind}) {
	info_row('instructions per call (callgrind)',
		map { number(per_call($_, 'ir'), 0) } @generators);
	info_row('instructions per id from a batch (callgrind)', number(per_call('batch', 'ir'), 0));

	# The target: no allocator ran inside snowflake_nextval (its subtree profile: a call would
	# have executed instructions there), and the whole statement allocates nothing per call (a
	# one-time allocation elsewhere in the backend may differ between two runs by one or two).
	my $allocations = allocations_per_call('snowflake');
	my $subtree = $measured{callgrind_subtree} // {};
	my ($subtree_calls, $subtree_ir) = map { $subtree->{$_}{snowflake}{1} } qw(alloc_calls alloc_ir);
	$subtree_calls += $subtree->{malloc_calls}{snowflake}{1} // 0 if defined $subtree_calls;
	my $holds = defined $allocations && $allocations < 0.001
	  && defined $subtree_calls && $subtree_calls == 0 && defined $subtree_ir && $subtree_ir == 0;
	$tally{ $holds ? 'PASS' : 'FAIL' }++;
	push @rows, [ 'allocator calls per call (palloc, malloc; callgrind)',
		(map { number(allocations_per_call($_), 2) } @generators),
		sprintf('%s calls, %s instructions inside snowflake_nextval (= 0)',
			$subtree_calls // '-', $subtree_ir // '-'),
		$holds ? 'PASS' : 'FAIL' ];
	info_row('clock reads per call (callgrind)',
		map { number(per_call($_, 'clock_reads'), 2) } @generators);
}

# Memory.
info_row('shared memory, bytes', $measured{memory}{shmem}{snowflake}{0} // '-')
  if $measured{memory};
my $growth = $measured{memory}{growth} // {};
for my $calls (keys %{ $growth->{snowflake} // {} }) {
	info_row('backend memory growth over ' . millions($calls) . ' calls, bytes',
		map { $growth->{$_}{$calls} // '-' } @generators);
}

# The table, in Markdown with aligned columns.
my @header = ('measure', 'snowflake', 'nextval / bigserial', 'gen_random_uuid', 'floor (int8inc)',
	'ratio (target)', 'result');
my @widths = map {
	my $column = $_;
	max(map { length($_->[$column]) } \@header, @rows);
} 0 .. $#header;
sub print_row {
	my @cells = @_;
	my @padded = map {
		my $align = $_ >= 1 && $_ <= 4 ? '' : '-';
		sprintf("%${align}$widths[$_]s", $cells[$_]);
	} 0 .. $#cells;
	print '| ', join(' | ', @padded), " |\n";
}
print_row(@header);
print '|', join('|', map { '-' x ($_ + 2) } @widths), "|\n";
print_row(@$_) for @rows;
printf "\nTargets: %d PASS, %d FAIL. The cap: %g M ids/s (%d sequence bits).\n",
	$tally{PASS}, $tally{FAIL}, $cap_ids_per_s / 1e6, $sequence_bits;

# The raw medians and the per-repetition ratios behind the table.
sub raw_line {
	my ($label, $section, $size, @variants) = @_;
	printf "  %-22s %s\n", "$label, " . millions($size) . ':',
		join('  ', map { "$_ " . number(median_of($section, $size, $_), 1) } @variants);
}
if ($measured{bulk} || $measured{batch} || $measured{capped}) {
	my $repetitions = max(0, map { scalar keys %{ $measured{bulk}{$_}{snowflake} // {} } } @bulk_sizes);
	print "\nRaw medians over $repetitions repetitions, ms per statement:\n";
	raw_line('bulk', 'bulk', $_, qw(snowflake nextval uuid floor call clock)) for @bulk_sizes;
	raw_line('batch', 'batch', $_, qw(batch single batch_from floor)) for keys_of('batch');
	raw_line('at the cap', 'capped', $_, 'snowflake') for keys_of('capped');
	print "  (bulk: SELECT count(f) FROM generate_series(1, N) AS g; call: f = now(), a\n"
		. "   zero-argument C call; clock: f = clock_timestamp(), the same plus a clock read.\n"
		. "   batch: set-returning functions in the select list; batch_from: the batch in FROM)\n";
	for my $size (@bulk_sizes) {
		my %above_call = map {
			my $variant = $_;
			$variant => median(per_repetition('bulk', $size, [ $variant, 'call' ],
				sub { ($_[0]{$variant} - $_[0]{call}) * 1e6 / $size }));
		} qw(floor clock snowflake);
		printf "  above a zero-argument call at %s, ns per id: the floor %s (it also fetches g),"
			. " a clock read %s, snowflake %s\n", millions($size), number($above_call{floor}, 1),
			number($above_call{clock}, 1), number($above_call{snowflake}, 1);
	}
	if (@bulk_sizes) {
		# The most snowflake may add to the floor and still meet the sustained-rate target.
		my $size = $bulk_sizes[-1];
		my $allowed = median(per_repetition('bulk', $size, ['floor'], sub {
			my $floor_ms = $_[0]{floor};
			my $target_rate = $sustained_percent / 100 * sustained_reference_rate($size, $floor_ms);
			return 1e9 / $target_rate - $floor_ms * 1e6 / $size;
		}));
		printf "  the sustained-rate target allows snowflake %s ns per id above the floor at %s\n",
			number($allowed, 1), millions($size);
	}
	my $waits = $measured{waits} // {};
	my $capped_waits = sum(0, map { $waits->{after}{capped}{$_} - ($waits->{before}{capped}{$_} // 0) }
		keys %{ $waits->{after}{capped} // {} });
	my $total_waits = $waits->{total}{server}{0};
	printf "  waits for the clock outside the runs at the cap: %s\n",
		defined $total_waits ? $total_waits - $capped_waits : '-';
	for my $size (keys_of('capped')) {
		my @fractions = per_repetition('capped', $size, ['snowflake'],
			sub { 100 * $size / ($_[0]{snowflake} / 1e3) / $cap_ids_per_s });
		printf "  at the cap, each repetition: %s\n", join(' ', map { sprintf('%.1f%%', $_) } @fractions);
	}
	for my $size (grep { $measured{bulk}{$_} } keys_of('batch')) {
		my @ratios = map {
			my $single = $measured{bulk}{$size}{snowflake}{$_};
			my $batch = $measured{batch}{$size}{batch}{$_};
			defined $single && defined $batch ? $single / $batch : ();
		} keys %{ $measured{batch}{$size}{batch} // {} };
		printf "  a batch against %s single calls in the bulk shape (FROM generate_series): %s\n",
			millions($size), number(median(@ratios), 2) . 'x the rate' if @ratios;
	}
}

if ($measured{callgrind}) {
	print "\nCallgrind, per call (runs with n and 2n calls, whole backend, told apart):\n";
	for my $variant (@generators, 'batch') {
		printf "  %-9s %6s instructions in the function, %6s per row of the statement;"
			. " palloc %s, malloc %s\n", $variant,
			number(per_call($variant, 'ir'), 1), number(per_call($variant, 'total_ir'), 1),
			number(per_call($variant, 'alloc_calls'), 5), number(per_call($variant, 'malloc_calls'), 5);
	}
	my @where = map {
		my ($ir, $function) = split /\|/, $_, 2;
		$function =~ s/\(.*$//;
		$function =~ s/^.*:://;
		"$function $ir";
	} @{ $top_self{callgrind_subtree}{snowflake} // [] };
	print "  snowflake_nextval alone, self instructions per call:\n    ", join(', ', @where), "\n"
	  if @where;
	print "  (under valgrind clock_gettime is a system call: the clock read is not counted)\n";
}

if ($samples{latency}) {
	print "\nINSERT latency, each repetition's mean and p99, ms (snowflake | bigserial):\n";
	for my $key (@intervals, 'idle') {
		my @repetitions = sort { $a <=> $b } keys %{ $samples{latency}{$key}{snowflake} // {} };
		my @each = map {
			my $repetition = $_;
			join(' ', map {
				my @values = latencies($key, $_, $repetition);
				@values ? number(mean(@values) / 1000, 3) . '/' . number(p99(@values) / 1000, 3) : '-';
			} qw(snowflake bigserial));
		} @repetitions;
		printf "  %-8s %s\n", $key eq 'idle' ? 'idle:' : "$key s:", join('  ', map { "[$_]" } @each);
	}
}

print "\nPer-repetition ratios (the table shows their medians; the latency rows pool all inserts):\n",
	join("\n", @ratio_lines), "\n";
