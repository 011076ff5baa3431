#!/usr/bin/perl
# Sums up one callgrind profile (taken with --compress-strings=no --compress-pos=no) into
# measurements in run.sh's format: section, key, variant, repetition, value (tab-separated).
#   calls         calls of FUNCTION
#   ir            instructions executed by FUNCTION and everything it called
#   total_ir      instructions in the whole profile
#   alloc_calls   calls into palloc, MemoryContextAlloc*, repalloc*, AllocSet*/Generation/Slab
#   malloc_calls  calls into malloc, calloc, realloc, operator new
#   alloc_ir      instructions executed inside either kind of allocator
#   clock_reads   calls of clock_gettime or gettimeofday
#   top_self      "instructions per call of FUNCTION|function", most self cost first
#
# In a profile of the whole process every count is exact. In one taken with
# --toggle-collect=FUNCTION only FUNCTION's subtree is measured, but callgrind may also count
# calls along an edge it saw there when that edge is taken outside; only instruction counts
# (ir, alloc_ir, top_self) are exact in such a profile.
#
# Usage: callgrind_summary.pl FUNCTION SECTION VARIANT REPETITION callgrind.out
use strict;
use warnings;

my ($target, $section, $variant, $repetition, $file) = @ARGV;
die "usage: $0 FUNCTION SECTION VARIANT REPETITION callgrind.out\n" unless defined $file;

my $palloc_family = qr/^(?:palloc\w*|repalloc\w*|MemoryContextAlloc\w*|AllocSet(?:Alloc|Realloc)
                          |GenerationAlloc|SlabAlloc)$/x;
my $malloc_family = qr/^(?:malloc|calloc|realloc|posix_memalign|aligned_alloc|operator\ new.*)$/x;
my $clock_family = qr/^(?:clock_gettime|__clock_gettime\w*|gettimeofday|__gettimeofday\w*)$/;

# A function's name as callgrind writes it, less recursion-depth and symbol-version suffixes.
sub plain_name {
	my ($name) = @_;
	$name =~ s/'\d+$//;
	$name =~ s/@@?\S+$//;
	return $name;
}

my (%self_ir, %calls_into, %ir_into, %edge_calls);
my ($caller, $callee, $call_count, $total_ir);
open my $profile, '<', $file or die "cannot read $file: $!\n";
while (my $line = <$profile>) {
	chomp $line;
	if ($line =~ /^fn=(.*)$/) {
		$caller = plain_name($1);
	} elsif ($line =~ /^cfn=(.*)$/) {
		$callee = plain_name($1);
	} elsif ($line =~ /^calls=(\d+)/) {
		$call_count = $1;
	} elsif ($line =~ /^totals:\s*(\d+)/) {
		$total_ir = $1;
	} elsif ($line =~ /^[+-]?\d+(?:\s+(\d+))?\s*$/) {
		my $ir = $1 // 0;
		if (defined $call_count) {
			# The cost line after calls= is the inclusive cost of those calls.
			$calls_into{$callee} += $call_count;
			$ir_into{$callee} += $ir;
			$edge_calls{$caller}{$callee} += $call_count;
			undef $call_count;
		} elsif (defined $caller) {
			$self_ir{$caller} += $ir;
		}
	}
}
close $profile;

my $calls = $calls_into{$target} // 0;
die "$file: no call of $target was profiled\n" if $calls == 0;

# Calls into a family from outside it: palloc calling AllocSetAlloc is one allocation.
sub family_calls {
	my ($family) = @_;
	my $count = 0;
	for my $from (grep { $_ !~ $family } keys %edge_calls) {
		for my $to (grep { $_ =~ $family } keys %{ $edge_calls{$from} }) {
			$count += $edge_calls{$from}{$to};
		}
	}
	return $count;
}

my $alloc_ir = 0;
for my $function (grep { $_ =~ $palloc_family || $_ =~ $malloc_family } keys %self_ir) {
	$alloc_ir += $self_ir{$function};
}

my @rows = (
	[ 'calls', $calls ],
	[ 'ir', $ir_into{$target} ],
	[ 'total_ir', $total_ir // 0 ],
	[ 'alloc_calls', family_calls($palloc_family) ],
	[ 'malloc_calls', family_calls($malloc_family) ],
	[ 'alloc_ir', $alloc_ir ],
	[ 'clock_reads', family_calls($clock_family) ],
);
# Where the instructions go, when the profile holds FUNCTION's subtree alone.
if ($ir_into{$target} == ($total_ir // 0)) {
	my @by_self_ir = grep { $self_ir{$_} > 0 } sort { $self_ir{$b} <=> $self_ir{$a} } keys %self_ir;
	splice @by_self_ir, 6 if @by_self_ir > 6;
	push @rows, [ 'top_self', sprintf('%.1f|%s', $self_ir{$_} / $calls, $_) ] for @by_self_ir;
}

print join("\t", $section, $_->[0], $variant, $repetition, $_->[1]), "\n" for @rows;
