# A lease file removed, truncated or replaced while the server runs never leads to lower ids:
# the lease worker notices within a second even on an idle server, a renewal notices at the
# latest, and either writes the lease back whole; after a checkpoint the lease is logged again,
# so crash recovery finds it in the WAL even without the file; a clean shutdown takes a last
# look at the file.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;
use Time::HiRes ();

my $node = new_snowflake_node('lease_removed');
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snowflake');
$node->safe_psql('postgres', 'CREATE EXTENSION pg_walinspect');
my $lease_file = $node->data_dir . '/snowflake.lease';
my $changed_log = qr/WARNING:  snowflake lease file "snowflake\.lease" was removed or changed while the server ran/;

sub next_id { return $node->safe_psql('postgres', 'SELECT snowflake_nextval()'); }

sub worker_pid
{
	my $pid = $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'snowflake lease worker'");
	die 'no lease worker' unless $pid;
	return $pid;
}

# Ids 30 s ahead of the clock, as after a burst: a restart that forgot them would issue lower
# ones. Returns the largest id issued.
sub run_ahead
{
	$node->safe_psql('postgres',
		"SELECT snowflake_advance_past(snowflake_from_timestamp(now() + interval '30 seconds'))");
	return next_id();
}

# The end of the newest lease in the file, in ms since 1970; 0 when there is no valid one. The
# slot layout is that of test/t/003_lease_file.pl.
sub file_lease_end
{
	open(my $fh, '<:raw', $lease_file) or return 0;
	my ($end, $generation) = (0, 0);
	for my $offset (0, 512)
	{
		seek($fh, $offset, 0);
		next unless read($fh, my $bytes, 64) == 64;
		my ($magic, $format, $slot_generation, $slot_end) = unpack('V V Q< q<', $bytes);
		($end, $generation) = ($slot_end, $slot_generation)
		  if $magic == 0x534e4f57 && $slot_generation > $generation;
	}
	close($fh);
	return $end;
}

# Waits until the file holds the node's current lease: the warning is logged before the file is
# written anew. Returns what the file then holds.
sub wait_for_file_lease
{
	my $deadline = Time::HiRes::time() + $PostgreSQL::Test::Utils::timeout_default;
	Time::HiRes::usleep(10_000)
	  until file_lease_end() >= lease_end_ms($node) || Time::HiRes::time() > $deadline;
	return file_lease_end();
}

# Kills the postmaster and every process it started with SIGKILL at once: nothing gets to
# clean up or to look at the lease file again.
sub crash_hard
{
	my ($pid) = split /\n/, slurp_file($node->data_dir . '/postmaster.pid');
	my @children;
	for my $stat (glob('/proc/[0-9]*/stat'))
	{
		open(my $fh, '<', $stat) or next;
		my $line = <$fh>;
		close($fh);
		push @children, $1 if defined $line && $line =~ /^(\d+) \(.*\) \S (\d+) / && $2 == $pid;
	}
	kill 'KILL', @children;
	$node->kill9;
	# Orphaned shared memory blocks a new start until the last child is gone.
	my $deadline = Time::HiRes::time() + $PostgreSQL::Test::Utils::timeout_default;
	while (grep { -e "/proc/$_" } $pid, @children)
	{
		die 'processes outlived SIGKILL' if Time::HiRes::time() > $deadline;
		Time::HiRes::usleep(10_000);
	}
	return;
}

# The issue's case: ids ahead of the clock, the file removed on an idle server, a checkpoint,
# then a crash. The lease worker has put the file back before the crash.
my $before = run_ahead();
my $log_offset = -s $node->logfile;
unlink($lease_file) or die "could not remove $lease_file: $!";
$node->wait_for_log($changed_log, $log_offset);
cmp_ok(wait_for_file_lease(), '>=', lease_end_ms($node),
	'removed on an idle server: the lease worker writes the file back, with the current lease');
my $old_copy = slurp_file($lease_file);
$node->safe_psql('postgres', 'CHECKPOINT');
crash_hard();
$node->start;
cmp_ok(next_id(), '>', $before, 'removed, then a crash: ids stay above every earlier id');

# Truncated, then replaced by an old copy of itself: each is noticed and written anew.
$before = run_ahead();
$log_offset = -s $node->logfile;
truncate($lease_file, 0) or die "could not truncate $lease_file: $!";
$log_offset = $node->wait_for_log($changed_log, $log_offset);
cmp_ok(wait_for_file_lease(), '>=', lease_end_ms($node),
	'truncated: the file holds the current lease again');
open(my $fh, '>:raw', $lease_file) or die "could not write $lease_file: $!";
print $fh $old_copy;
close($fh);
cmp_ok(file_lease_end(), '<', lease_end_ms($node), 'replaced: the old copy holds an older lease');
$node->wait_for_log($changed_log, $log_offset);
cmp_ok(wait_for_file_lease(), '>=', lease_end_ms($node),
	'replaced: the file holds the current lease again');
crash_hard();
$node->start;
cmp_ok(next_id(), '>', $before, 'truncated and replaced, then a crash: ids stay above every earlier id');

# Removed while the worker cannot look (stopped): the next renewal notices, warns its caller
# and writes the file back.
$before = run_ahead();
my $worker = worker_pid();
kill 'STOP', $worker;
unlink($lease_file) or die "could not remove $lease_file: $!";
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	"SELECT snowflake_advance_past(snowflake_from_timestamp(now() + interval '40 seconds'))");
kill 'CONT', $worker;
like($stderr, $changed_log, 'removed, worker stopped: the renewal warns that the file was removed');
is($ret, 0, 'removed, worker stopped: the renewal succeeds');
ok(-f $lease_file, 'removed, worker stopped: the renewal writes the file back');
$before = next_id();
crash_hard();
$node->start;
cmp_ok(next_id(), '>', $before, 'removed before a renewal, then a crash: ids stay above');

# Removed just before a clean restart: the file is back before the server stops.
$before = run_ahead();
unlink($lease_file) or die "could not remove $lease_file: $!";
$node->restart;
ok(-f $lease_file, 'removed, then a clean restart: the file is back');
cmp_ok(next_id(), '>', $before, 'removed, then a clean restart: ids stay above every earlier id');

# Crash recovery needs no file: after a checkpoint the worker logs the lease again past the
# redo point. With the worker stopped, the file removed and the server killed, replay alone
# restores the lease, and writes the file again.
$before = run_ahead();
$node->safe_psql('postgres', 'CHECKPOINT');
$node->poll_query_until('postgres', q{
	SELECT count(*) > 0
	FROM pg_get_wal_records_info((SELECT redo_lsn FROM pg_control_checkpoint()),
	                             pg_current_wal_flush_lsn())
	WHERE resource_manager = 'snowflake'})
  or die 'the lease was not logged again after the checkpoint';
kill 'STOP', worker_pid();
unlink($lease_file) or die "could not remove $lease_file: $!";
crash_hard();
$node->start;
cmp_ok(next_id(), '>', $before, 'no file, a crash: replay alone keeps ids above every earlier id');
ok(-f $lease_file, 'no file, a crash: replay writes the file again');

$node->stop;
done_testing();
