# The lease worker renews the lease ahead of demand while the generator is in use, so that a
# caller never waits for the disk at any rate: sporadic calls, a second and a half apart, always
# find the lease reaching seconds past the clock. Without the worker (single-user mode) callers
# renew for themselves, as they do after an idle minute.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;
use Time::HiRes ();

my $node = new_snowflake_node('lease_worker');
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snowflake');
my $lease_file = $node->data_dir . '/snowflake.lease';
ok(!-e $lease_file, 'a server that issued no id writes no lease');
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'snowflake lease worker'")
  or die 'the lease worker did not start';

# Eight calls 1.5 s apart span a lease's renewal margin (2 s) several times over: each must find
# the lease at least 1 s past the clock, renewed by the worker rather than by the call.
my $session = $node->background_psql('postgres');
my ($min_margin_ms, $renewals_before) = split /\|/,
  $session->query_safe('SELECT 1e9, lease_renewals FROM snowflake_stats');
for my $call (1 .. 8)
{
	$session->query_safe('SELECT snowflake_nextval()');
	my $margin_ms = $session->query_safe(
		'SELECT extract(epoch FROM lease_end - clock_timestamp()) * 1000 FROM snowflake_stats');
	$min_margin_ms = $margin_ms if $margin_ms < $min_margin_ms;
	Time::HiRes::usleep(1_500_000);
}
cmp_ok($min_margin_ms, '>', 1000,
	'sporadic calls: the lease always reached more than 1 s past the clock');
cmp_ok($session->query_safe('SELECT lease_renewals FROM snowflake_stats'),
	'>', $renewals_before, 'sporadic calls: the lease was renewed meanwhile');
$session->quit;

# Stopped, the worker comes back, and meanwhile callers renew for themselves.
my ($worker_pid) = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'snowflake lease worker'");
$node->safe_psql('postgres', "SELECT pg_terminate_backend($worker_pid)");
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'snowflake lease worker'")
  or die 'the lease worker did not stop';
my $burst = burst_max($node);
cmp_ok($node->safe_psql('postgres', 'SELECT snowflake_nextval()'), '>', $burst,
	'no lease worker: callers renew the lease themselves');
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'snowflake lease worker'"),
	'the lease worker is restarted');

$node->stop;
done_testing();
