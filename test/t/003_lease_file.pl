# The lease file: the newest valid of its two slots decides where ids resume, a damaged older
# slot is harmless, a file with no valid slot stops id generation (not decoding), and without
# the file the server starts afresh from the clock.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;
use Time::HiRes ();

my $node = new_snowflake_node('lease');
my $lease_file = $node->data_dir . '/snowflake.lease';
my $magic = 0x534e4f57;    # "SNOW"

# Both 48-byte slots: magic, format, generation, lease end in ms since 1970, the layout's epoch,
# worker bits, sequence bits, worker id, crc (little-endian).
sub read_slots
{
	my @slots;
	open(my $fh, '<:raw', $lease_file) or die "could not open $lease_file: $!";
	for my $offset (0, 512)
	{
		seek($fh, $offset, 0);
		read($fh, my $bytes, 48) == 48 or die "short slot at $offset";
		my ($slot_magic, $format, $generation, $lease_end, $epoch, $worker_bits, $sequence_bits,
			$worker_id)
		  = unpack('V V Q< q< q< l< l< l<', $bytes);
		push @slots, { offset => $offset, magic => $slot_magic, generation => $generation,
			lease_end => $lease_end, layout => "$epoch/$worker_bits/$sequence_bits/$worker_id" };
	}
	close($fh);
	return @slots;
}

# Inverts a slot's generation: the crc no longer matches, and a reader that skipped the check
# would take the slot for the newest.
sub spoil_generation
{
	my ($offset) = @_;
	open(my $fh, '+<:raw', $lease_file) or die "could not open $lease_file: $!";
	seek($fh, $offset + 8, 0);
	read($fh, my $bytes, 8) == 8 or die "short slot at $offset";
	seek($fh, $offset + 8, 0);
	print $fh ($bytes ^ ("\xff" x 8));
	close($fh);
	return;
}

sub id_ms
{
	return $node->safe_psql('postgres',
		"SELECT (extract(epoch FROM snowflake_to_timestamp($_[0])) * 1000)::bigint");
}

start_clocked($node, 0);
$node->safe_psql('postgres', 'CREATE EXTENSION snowflake');
# Two leases made durable at once (ids from elsewhere, 10 s and 20 s ahead) fill both slots.
for my $ahead_s (10, 20)
{
	$node->safe_psql('postgres', 'SELECT snowflake_advance_past(snowflake_nextval() + '
		  . "($ahead_s * 1000::bigint << 22))");
}
my $before = burst_max($node);
my $lease_end = lease_end_ms($node);
ok(-f $lease_file, 'the lease file exists once ids were issued');
$node->stop;

my ($newest, $older) = sort { $b->{generation} <=> $a->{generation} } read_slots();
ok($newest->{magic} == $magic && $older->{magic} == $magic, 'both slots hold a lease');
is($newest->{lease_end}, $lease_end, 'the newest slot holds the lease the server published');
is($newest->{layout}, '1288834974657/10/12/1',
	'the newest slot records the layout and worker id its ids were issued under');

# With the clock 30 s back only the newest slot's lease keeps ids above the earlier ones.
spoil_generation($older->{offset});
my $log_offset = -s $node->logfile;
start_clocked($node, -30);
my $after = $node->safe_psql('postgres', 'SELECT snowflake_nextval()');
cmp_ok($after, '>', $before, 'older slot damaged: ids stay above every earlier id');
cmp_ok(id_ms($after), '>=', $newest->{lease_end}, 'older slot damaged: ids resume after the newest lease');
unlike(slurp_file($node->logfile, $log_offset), qr/WARNING/, 'older slot damaged: no warning at start');

$before = burst_max($node);
$node->stop;
spoil_generation($_) for (0, 512);
$log_offset = -s $node->logfile;
start_clocked($node, -30);
like(slurp_file($node->logfile, $log_offset),
	qr/WARNING:  snowflake lease file "snowflake\.lease" holds no valid lease/,
	'both slots damaged: the server starts and warns');
my ($sqlstate, $stderr) = error_of($node, 'SELECT snowflake_nextval()');
is($sqlstate, 'XX001', 'both slots damaged: snowflake_nextval() fails with XX001');
like($stderr, qr/snowflake lease file "snowflake\.lease" holds no valid lease/,
	'both slots damaged: the error names the file');
like($stderr, qr/HINT:  Restore the file from a backup/, 'both slots damaged: the hint says what to do');
is($node->safe_psql('postgres', "SELECT (snowflake_decode($before)).worker_id"),
	'1', 'both slots damaged: decoding still works');
$node->stop;

# Removing the file is the documented way out: the server starts afresh from its clock.
unlink($lease_file) or die "could not remove $lease_file: $!";
start_clocked($node, -30);
$node->safe_psql('postgres', 'SELECT snowflake_nextval()');
cmp_ok($node->safe_psql('postgres', 'SELECT lead_ms FROM snowflake_stats'),
	'<', 1000, 'no lease file: ids start from the clock');
ok(-f $lease_file, 'no lease file: the first id writes a new one');
$node->stop;

# The file is created whole, under a temporary name first. When that fails (here the temporary
# name is taken by a directory; on a full disk the write fails), the caller gets the reason,
# no file appears under the final name, and nothing is left that a restart would take for a
# damaged lease.
unlink($lease_file) or die "could not remove $lease_file: $!";
start_clocked($node, 0);
mkdir($node->data_dir . '/snowflake.lease.tmp') or die "could not create the obstacle: $!";
($sqlstate, $stderr) = error_of($node, 'SELECT snowflake_nextval()');
like($stderr, qr/could not write snowflake lease file "snowflake\.lease": Is a directory/,
	'first lease cannot be written: the error says why');
ok(!-e $lease_file, 'first lease cannot be written: no file under the final name');
rmdir($node->data_dir . '/snowflake.lease.tmp') or die "could not remove the obstacle: $!";
$node->restart;
like($node->safe_psql('postgres', 'SELECT snowflake_nextval()'), qr/^\d+$/,
	'first lease could not be written: after a restart ids are issued');

# A temporary file left by a creation that did not finish is removed at start.
$node->stop;
PostgreSQL::Test::Utils::append_to_file($node->data_dir . '/snowflake.lease.tmp', 'torn');
$log_offset = -s $node->logfile;
$node->start;
ok(!-e $node->data_dir . '/snowflake.lease.tmp', 'a leftover temporary file is removed at start');
unlike(slurp_file($node->logfile, $log_offset), qr/WARNING/, 'a leftover temporary file: no warning');

# A call whose own id the lease covers makes the lease due and renews it in its own path (no
# lease worker runs), but the file cannot be written: the call gets its id and a WARNING.
$node->safe_psql('postgres', 'SELECT snowflake_nextval()');
my ($worker) = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'snowflake lease worker'");
$node->safe_psql('postgres', "SELECT pg_terminate_backend($worker)");
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'snowflake lease worker'")
  or die 'the lease worker did not stop';
chmod(0400, $lease_file) or die "could not make $lease_file read-only: $!";
my ($ret, $stdout);
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
do
{
	($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT snowflake_nextval()');
} until $stderr ne '' || time > $deadline;
chmod(0600, $lease_file) or die "could not make $lease_file writable: $!";
like($stderr, qr/WARNING:  could not write snowflake lease file "snowflake\.lease": Permission denied/,
	'renewal in the caller\'s path fails: the caller is warned');
is($ret, 0, 'renewal in the caller\'s path fails: the call succeeds');
like($stdout, qr/^\d+$/, 'renewal in the caller\'s path fails: the call returns the id the lease covered');

# A lease file written by version 1.0 (format 2: 48-byte slots without the time of writing) is
# read after an upgrade: ids resume after its lease.
# CRC-32C, as PostgreSQL computes it (reflected, polynomial 0x82F63B78).
sub crc32c
{
	my ($bytes) = @_;
	my $crc = 0xffffffff;
	for my $byte (unpack('C*', $bytes))
	{
		$crc ^= $byte;
		$crc = ($crc >> 1) ^ (0x82f63b78 & -($crc & 1)) for 1 .. 8;
	}
	return $crc ^ 0xffffffff;
}
$node->stop;
my $old_lease_end = int(Time::HiRes::time() * 1000) + 40_000;
my $old_slot = pack('V V Q< q< q< l< l< l<', $magic, 2, 7, $old_lease_end, 1288834974657, 10, 12, 1);
open(my $old_fh, '>:raw', $lease_file) or die "could not write $lease_file: $!";
print $old_fh $old_slot . pack('V', crc32c($old_slot));
close($old_fh);
$node->start;
cmp_ok(id_ms($node->safe_psql('postgres', 'SELECT snowflake_nextval()')), '>=', $old_lease_end,
	'a lease file of version 1.0: ids resume after its lease');

$node->stop;
done_testing();
