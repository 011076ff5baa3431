# Helpers shared by the TAP tests: nodes that preload snowflake, restarting one with other
# settings, a new standby, a per-node wall clock that the test can move (libfaketime), reloading
# a setting, a registry of worker ids and the nodes that claim theirs from it, bounded waits,
# and the queries the tests compare ids with. A helper whose precondition fails dies: that ends
# its test file, and no other (BAIL_OUT would stop every later file too).
package SnowflakeTest;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use POSIX ();
use Time::HiRes ();

our @EXPORT = qw(new_snowflake_node restart_with_settings new_standby set_clock freeze_clock
  check_clock start_clocked restart_clocked set_reloadable burst_max lease_end_ms error_of
  new_registry registry_conninfo new_registry_node claimed_worker_id wait_until);

# Debian's package libfaketime, under the multiarch directory of whatever machine runs this.
my ($libfaketime) = glob('/usr/lib/*/faketime/libfaketime.so.1');

# A node preloading snowflake, as every node in these tests but a registry does (its WAL
# resource manager must be there to read the WAL). worker_id defaults to 1; worker_id => undef
# leaves it unset. The rest goes to init.
sub new_snowflake_node
{
	my ($name, %params) = @_;
	my $worker_id = exists $params{worker_id} ? delete $params{worker_id} : 1;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(%params);
	$node->append_conf('postgresql.conf', "shared_preload_libraries = 'snowflake'\n"
		  . (defined $worker_id ? "snowflake.worker_id = $worker_id\n" : ''));
	return $node;
}

# A registry of worker ids (snowflake.registry): a plain server where snowflake is installed but
# not preloaded, as the registry needs no preload. It also listens on 127.0.0.1, for a test that
# puts a proxy in front of it. Started.
sub new_registry
{
	my ($name) = @_;
	my $registry = PostgreSQL::Test::Cluster->new($name);
	$registry->init;
	$registry->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
	$registry->start;
	$registry->safe_psql('postgres', 'CREATE EXTENSION snowflake');
	return $registry;
}

# The connection string of $registry's unix socket, for snowflake.registry.
sub registry_conninfo
{
	my ($registry) = @_;
	return 'host=' . $registry->host . ' port=' . $registry->port . ' dbname=postgres';
}

# A node that claims its worker id from the registry that $conninfo names (registry_conninfo),
# with a claim lasting $ttl_s seconds. worker_id => N has the registry confirm that worker id
# instead; the other %params go to new_snowflake_node.
sub new_registry_node
{
	my ($name, $conninfo, $ttl_s, %params) = @_;
	my $node = new_snowflake_node($name, worker_id => undef, %params);
	$node->append_conf('postgresql.conf',
		"snowflake.registry = '$conninfo'\nsnowflake.registry_ttl = '${ttl_s}s'");
	return $node;
}

# Waits until $node makes ids with a worker id, and returns it.
sub claimed_worker_id
{
	my ($node) = @_;
	$node->poll_query_until('postgres', 'SELECT snowflake_worker_id() IS NOT NULL')
	  or die $node->name . ' claimed no worker id';
	return $node->safe_psql('postgres', 'SELECT snowflake_worker_id()');
}

# Calls $code every 20 ms until it returns a true value, which it returns; dies saying what it
# waited for after timeout_default seconds.
sub wait_until
{
	my ($what, $code) = @_;
	my $deadline = Time::HiRes::time() + $PostgreSQL::Test::Utils::timeout_default;
	for (;;)
	{
		my $value = $code->();
		return $value if $value;
		die "timed out waiting for $what" if Time::HiRes::time() > $deadline;
		Time::HiRes::usleep(20_000);
	}
}

# Starts $node, under libfaketime with its clock off by clock_offset_s => N seconds if that is
# given; the other %params go to start. Returns what start returned.
sub start_node
{
	my ($node, %params) = @_;
	my $clock_offset_s = delete $params{clock_offset_s};
	return defined $clock_offset_s
	  ? start_clocked($node, $clock_offset_s, %params)
	  : $node->start(%params);
}

# Stops $node if it runs and starts it with $settings, postgresql.conf lines that replace those
# of its previous call, kept in a file of their own that postgresql.conf includes. %params go to
# start_node (fail_ok => 1 for a start meant to fail). Returns the log the start wrote, and
# what start returned.
sub restart_with_settings
{
	my ($node, $settings, %params) = @_;
	my $file = $node->data_dir . '/test_settings.conf';
	$node->stop;
	$node->append_conf('postgresql.conf', "include_if_exists = 'test_settings.conf'\n")
	  unless -e $file;
	open(my $fh, '>', $file) or die "could not write $file: $!";
	print $fh $settings;
	close($fh) or die "could not write $file: $!";
	my $log_offset = -s $node->logfile;
	my $started = start_node($node, %params);
	return (slurp_file($node->logfile, $log_offset), $started);
}

# A streaming standby of $upstream from a new base backup, started and caught up. It has
# its upstream's settings, but for a worker id of its own with worker_id => N; the other
# %params go to start_node.
sub new_standby
{
	my ($upstream, $name, %params) = @_;
	my $worker_id = delete $params{worker_id};
	$upstream->backup("for_$name");
	my $standby = PostgreSQL::Test::Cluster->new($name);
	$standby->init_from_backup($upstream, "for_$name", has_streaming => 1);
	$standby->append_conf('postgresql.conf', "snowflake.worker_id = $worker_id\n")
	  if defined $worker_id;
	start_node($standby, %params);
	$upstream->wait_for_catchup($standby);
	return $standby;
}

sub clock_file { return $_[0]->basedir . '/faketime.rc'; }

# Writes libfaketime's setting for the node's clock. A clocked server reads the file on every
# clock reading, so the rename keeps it from ever seeing a half-written one.
sub write_clock_file
{
	my ($node, $setting) = @_;
	my $file = clock_file($node);
	unlink("$file.new");    # a leftover of a failed rename would be appended to
	PostgreSQL::Test::Utils::append_to_file("$file.new", "$setting\n");
	rename("$file.new", $file) or die "could not rename $file.new: $!";
	return;
}

# Puts the node's wall clock $offset_s seconds (to the ms) off real time, running.
sub set_clock
{
	my ($node, $offset_s) = @_;
	write_clock_file($node, sprintf('%+.3fs', $offset_s));
	return;
}

# Stops the node's wall clock at $unix_seconds. libfaketime reads an absolute time as local
# time, hence TZ=UTC in with_faketime.
sub freeze_clock
{
	my ($node, $unix_seconds) = @_;
	write_clock_file($node, POSIX::strftime('%Y-%m-%d %H:%M:%S', gmtime($unix_seconds)));
	return;
}

# The server's clock is where set_clock put it; psql's round trip is far below the tolerance.
# A precondition, not a test of snowflake: without it no clocked test means anything.
sub check_clock
{
	my ($node, $offset_s) = @_;
	my $before = Time::HiRes::time();
	my $server = $node->safe_psql('postgres', 'SELECT extract(epoch FROM clock_timestamp())');
	my $offset = $server - ($before + Time::HiRes::time()) / 2;
	die $node->name . " runs ${offset}s off real time, not ${offset_s}s: libfaketime failed"
	  if abs($offset - $offset_s) >= 2;
	return;
}

# Only pg_ctl runs with libfaketime, and passes it on to the server; the harness's own psql
# keeps the real clock. libfaketime shows the real clock to signal handlers that interrupt
# select(), poll() or epoll_wait(), such as the PG15 postmaster's, and a process started from
# such a handler keeps it for good: on 15 a clocked server's background workers (the lease and
# registry workers among them) run on the real clock, its backends on the set one; on 17 and
# later every process runs on the set one. The one place that decides what a test needing
# libfaketime does without it: fail, as it cannot test what it is for (test/run-all.sh
# installs libfaketime).
sub with_faketime
{
	my ($node, $code) = @_;
	die "libfaketime is not installed (Debian's package libfaketime)" unless defined $libfaketime;
	local $ENV{LD_PRELOAD} = $libfaketime;
	local $ENV{FAKETIME_TIMESTAMP_FILE} = clock_file($node);
	local $ENV{FAKETIME_NO_CACHE} = '1';
	local $ENV{FAKETIME_DONT_FAKE_MONOTONIC} = '1';
	local $ENV{TZ} = 'UTC';    # for freeze_clock's absolute times
	return $code->();
}

# Starts the node under libfaketime with its clock $offset_s off, and checks it runs there.
sub start_clocked
{
	my ($node, $offset_s, %start_params) = @_;
	set_clock($node, $offset_s);
	my $started = with_faketime($node, sub { $node->start(%start_params) });
	check_clock($node, $offset_s) if $started;
	return $started;
}

# Restarts the node under libfaketime with its clock $offset_s off, and checks it runs there.
sub restart_clocked
{
	my ($node, $offset_s) = @_;
	set_clock($node, $offset_s);
	with_faketime($node, sub { $node->restart });
	check_clock($node, $offset_s);
	return;
}

# Changes a reloadable setting as an operator would (ALTER SYSTEM, reload), then waits until
# $session (a background_psql; else new connections to $node) uses it: backends take a reload
# at their next command, some time after pg_ctl returns. $value is a number in the setting's
# base unit (ms for snowflake.max_clock_lead).
sub set_reloadable
{
	my ($node, $name, $value, $session) = @_;
	$node->safe_psql('postgres', "ALTER SYSTEM SET $name = '$value'");
	$node->reload;
	my $sql = "SELECT setting::float8 = $value FROM pg_settings WHERE name = '$name'";
	my $deadline = Time::HiRes::time() + $PostgreSQL::Test::Utils::timeout_default;
	until (($session ? $session->query_safe($sql) : $node->safe_psql('postgres', $sql)) eq 't')
	{
		die "$name did not become $value" if Time::HiRes::time() > $deadline;
		Time::HiRes::usleep(10_000);
	}
	return;
}

# The largest of 2 million ids: a batch runs ids about half a second ahead of the clock, so a
# restart that forgot them would soon issue lower ones.
sub burst_max
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		'SELECT max(id) FROM snowflake_nextval_batch(2000000) AS id');
}

# The end of the node's lease, in ms since 1970.
sub lease_end_ms
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		'SELECT (extract(epoch FROM lease_end) * 1000)::bigint FROM snowflake_stats');
}

# Runs $sql expecting an error; returns its SQLSTATE and psql's whole stderr.
sub error_of
{
	my ($node, $sql) = @_;
	my ($ret, $stdout, $stderr) = $node->psql('postgres', "\\set VERBOSITY verbose\n$sql");
	my ($sqlstate) = $stderr =~ /ERROR:  ([0-9A-Z]{5}):/;
	return ($sqlstate // "none (exit code $ret)", $stderr);
}

1;
