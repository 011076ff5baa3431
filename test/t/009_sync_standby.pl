# With synchronous replication, a lease is confirmed by the synchronous standbys before any id
# under it is issued: ids a client only SELECTed (no commit ever waits for those) are never
# issued again after a failover. Waiting for that confirmation is cancellable, for the caller
# that renews and for those waiting for it.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;
use Time::HiRes ();

my $primary = new_snowflake_node('sync_primary', allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION snowflake');
my $standby = new_standby($primary, 'sync_standby', worker_id => 2);
$primary->safe_psql('postgres', "ALTER SYSTEM SET synchronous_standby_names = 'sync_standby'");
$primary->reload;
$primary->poll_query_until('postgres',
	"SELECT sync_state = 'sync' FROM pg_stat_replication WHERE application_name = 'sync_standby'")
  or die 'the standby never became synchronous';

# Ids 28 s ahead of the clock, as after a burst: without its primary's leases a promoted standby
# would issue the same ones again. Clients only SELECT them.
$primary->safe_psql('postgres',
	"SELECT snowflake_advance_past(snowflake_from_timestamp(now() + interval '28 seconds'))");
# Two million ids are half a second's worth: a few batches cross a lease's renewal mark.
my $batch = 'SELECT max(id) FROM (SELECT snowflake_nextval_batch(2000000) AS id) AS b';
my $seen_max = 0;
for (1 .. 5)
{
	my $max = $primary->safe_psql('postgres', $batch);
	$seen_max = $max if $max > $seen_max;
}

# The link is cut: the primary may go on only within the leases the standby confirmed, then
# every call waits, cancellably.
$standby->stop('immediate');
my $session = $primary->background_psql('postgres', on_error_stop => 0);
$session->query_safe("SET statement_timeout = '2s'");
my $refused;
for my $attempt (1 .. 100)
{
	my $max = $session->query($batch);
	if ($session->{stderr} =~ /ERROR/)
	{
		$refused = $session->{stderr};
		last;
	}
	$seen_max = $max if $max > $seen_max;
}
ok(defined $refused, 'link cut: ids stop once the confirmed leases are used up');
like($refused // '', qr/canceling the wait for synchronous standbys to confirm the snowflake lease|canceling statement due to statement timeout/,
	'link cut: the waiting call ends at statement_timeout');
$session->{stderr} = '';

# Another caller, waiting for the lease lock the renewing caller holds, is cancellable too.
# Ten million ids are more than any lease covers: both must renew.
my $beyond_any_lease = 'SELECT count(*) FROM snowflake_nextval_batch(10000000)';
$session->query_safe('SET statement_timeout = 0');
$session->query_until(qr/waiting/, "\\echo waiting\n$beyond_any_lease;\n");
my $other = $primary->background_psql('postgres', on_error_stop => 0);
my $other_pid = $other->query_safe('SELECT pg_backend_pid()');
$other->query_until(qr/queued/, "\\echo queued\n$beyond_any_lease;\n");
$primary->poll_query_until('postgres',
	"SELECT wait_event IS NOT NULL FROM pg_stat_activity WHERE pid = $other_pid AND state = 'active'")
  or die 'the second caller never waited';
my $started = Time::HiRes::time();
$primary->safe_psql('postgres', "SELECT pg_cancel_backend($other_pid)");
$primary->poll_query_until('postgres',
	"SELECT state <> 'active' FROM pg_stat_activity WHERE pid = $other_pid")
  or die 'the second caller was not cancelled';
cmp_ok(Time::HiRes::time() - $started, '<', 5, 'a caller waiting for the lease lock is cancellable');

# The primary dies; the standby, promoted with its own worker id, issues only ids above every
# id a client received.
$primary->stop('immediate');
eval { $session->quit };
eval { $other->quit };
$standby->start;
$standby->promote;
my $new_min = $standby->safe_psql('postgres', 'SELECT min(id) FROM snowflake_nextval_batch(1000) AS id');
cmp_ok($new_min, '>', $seen_max, 'after failover: every new id is above every id a client received');
note("ids received before the failover up to $seen_max; first new id $new_min");

$standby->stop;
done_testing();
