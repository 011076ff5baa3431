# The statistics the benchmark reports (report.pl, citus_report.pl) share.
package BenchStats;
use strict;
use warnings;
use Exporter 'import';

our @EXPORT = qw(median);

# The median of a list of numbers; undef for none.
sub median
{
	my @sorted = sort { $a <=> $b } @_;
	return undef unless @sorted;
	my $middle = int(@sorted / 2);
	return @sorted % 2 ? $sorted[$middle] : ($sorted[ $middle - 1 ] + $sorted[$middle]) / 2;
}

1;
