# The lease file reaches the disk: every renewal fdatasyncs its slot, and a new file is synced
# under its temporary name and its directory synced after the rename. Counted where the kernel
# is asked (an LD_PRELOAD library around fsync and fdatasync, test/t/count_syncs.c), since a
# crash test cannot tell a synced file from one the page cache still held.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;

my $node = new_snowflake_node('lease_sync');
my $counter = $node->basedir . '/count_syncs.so';
my $cc = `pg_config --cc`;
chomp $cc;
system_or_bail(split(' ', $cc), '-shared', '-fPIC', '-O1', '-o', $counter,
	"$FindBin::RealBin/count_syncs.c", '-ldl');
my $log = $node->basedir . '/syncs.log';
my $data_dir = $node->data_dir;
{
	local $ENV{LD_PRELOAD} = $counter;
	local $ENV{SNOWFLAKE_SYNC_LOG} = $log;
	local $ENV{SNOWFLAKE_SYNC_DATA_DIR} = $data_dir;
	$node->start;
}
$node->safe_psql('postgres', 'CREATE EXTENSION snowflake');

# The syncs counted so far, by call and name.
sub syncs
{
	my %count;
	$count{$_}++ for (-e $log ? split(/\n/, slurp_file($log)) : ());
	return \%count;
}

is_deeply(syncs(), {}, 'no id issued: nothing synced');

$node->safe_psql('postgres', 'SELECT snowflake_nextval()');
is_deeply(syncs(), { 'fdatasync snowflake.lease.tmp' => 1, 'fsync .' => 1 },
	'the first lease: the new file is synced, then its directory');

# Renewals: ids moved past the lease's end a few times over.
for my $ahead_s (10, 20, 30)
{
	$node->safe_psql('postgres',
		"SELECT snowflake_advance_past(snowflake_from_timestamp(now() + interval '$ahead_s s'))");
}
my $renewals = $node->safe_psql('postgres', 'SELECT lease_renewals FROM snowflake_stats');
cmp_ok($renewals, '>', 2, 'the bursts renewed the lease');
is_deeply(syncs(),
	{ 'fdatasync snowflake.lease.tmp' => 1, 'fsync .' => 1, 'fdatasync snowflake.lease' => $renewals - 1 },
	'every later renewal fdatasyncs the file once');

$node->stop;
done_testing();
