#!/usr/bin/perl
# Reads the measurements of test/bench/citus.sh (one line per one-second slice: inserts, route,
# clients, synchronous_commit, table, repetition, tps) and prints the table: per route, client
# count and commit setting, each table's median tps over the repetitions (a repetition's tps is
# the mean of its slices), the median of the per-repetition ratios snowflake / bigserial, and
# their range; then how much more all nodes take than the coordinator alone, per table.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BenchStats;
use List::Util qw(sum min max);

my (%slices, @configurations, %seen);
while (my $line = <>)
{
	chomp $line;
	my ($kind, $route, $clients, $commit, $table, $repetition, $tps) = split /\t/, $line;
	next unless $kind eq 'inserts';
	my $configuration = "$route\t$clients\t$commit";
	push @configurations, $configuration unless $seen{$configuration}++;
	push @{ $slices{$configuration}{$table}{$repetition} }, $tps;
}

# Per configuration and table: repetition => mean tps of its slices.
my %tps;
for my $configuration (@configurations)
{
	for my $table (qw(snowflake bigserial))
	{
		my $by_repetition = $slices{$configuration}{$table};
		$tps{$configuration}{$table}{$_} = sum(@{ $by_repetition->{$_} }) / @{ $by_repetition->{$_} }
		  for keys %$by_repetition;
	}
}

my $format = "| %-11s | %7s | %11s | %13s | %13s | %20s | %-13s |\n";
printf $format, 'route', 'clients', 'sync commit', 'snowflake tps', 'bigserial tps',
  'snowflake/bigserial', 'repetitions';
printf $format, map { '-' x $_ } 11, 7, 11, 13, 13, 20, 13;
my @per_repetition;
for my $configuration (@configurations)
{
	my ($route, $clients, $commit) = split /\t/, $configuration;
	my ($snowflake, $bigserial) = @{ $tps{$configuration} }{qw(snowflake bigserial)};
	my @repetitions = sort { $a <=> $b } keys %$snowflake;
	my @ratios = map { $snowflake->{$_} / $bigserial->{$_} } @repetitions;
	printf $format, $route eq 'all' ? 'all 3 nodes' : 'coordinator', $clients, $commit,
	  sprintf('%.0f', median(values %$snowflake)), sprintf('%.0f', median(values %$bigserial)),
	  sprintf('%.3f', median(@ratios)), sprintf('%.3f-%.3f', min(@ratios), max(@ratios));
	push @per_repetition, "$route, $clients clients, sync commit $commit: "
	  . join(' ', map { sprintf '%.3f', $_ } @ratios);
}

print "\nAll 3 nodes against the coordinator alone (median of per-repetition ratios):\n";
for my $configuration (grep { /^coordinator\t/ } @configurations)
{
	(my $all = $configuration) =~ s/^coordinator/all/;
	next unless $tps{$all};
	my (undef, $clients, $commit) = split /\t/, $configuration;
	print "  $clients clients, sync commit $commit: "
	  . join(', ', map {
			my $table = $_;
			my @ratios = map { $tps{$all}{$table}{$_} / $tps{$configuration}{$table}{$_} }
			  keys %{ $tps{$configuration}{$table} };
			sprintf('%s %.2fx', $table, median(@ratios))
		} qw(snowflake bigserial))
	  . "\n";
}

print "\nsnowflake/bigserial per repetition:\n";
print "  $_\n" for @per_repetition;
