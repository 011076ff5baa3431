# Worker ids claimed from a registry (snowflake.registry), with real servers: four servers claim
# distinct worker ids from a registry that does not preload snowflake, and each gets its own
# back after a clean restart and after a crash, its ids above all it issued before. With the
# registry stopped a holder stops issuing before its claim can expire, and resumes when the
# registry returns; a server started while the registry is down issues nothing until it has a
# worker id. A configured worker id that another server holds is refused, naming the holder;
# once the holder is gone and its claim expired, a server whose clock is 60 s behind takes the
# worker id over and issues above every id of the old holder; one that takes a worker id over
# and stops at once records no lower highest id than the old holder's. (sql/registry.sql tests the
# registry's functions one call at a time; 016 cuts a holder off from the registry.)
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;
use Time::HiRes qw(time usleep);

my $test_started = time;

# A short claim, so that waiting one out takes seconds: renewed every 2 s, and a holder that
# cannot renew stops issuing 1 s (the margin, at least a second) before the claim expires.
my $ttl_s = 6;
my $margin_s = 1;
# How much earlier than its fence a holder may seem to stop: the time between sending its last
# renewal and the registry's now() of it, and this test's polling.
my $slack_s = 0.5;

my $registry = new_registry('registry');
my $conninfo = registry_conninfo($registry);
is($registry->safe_psql('postgres', 'SHOW shared_preload_libraries'),
	'', 'the registry does not preload snowflake');

my @names = qw(s1 s2 s3 s4);
my %node;
for my $name (@names)
{
	$node{$name} = new_registry_node($name, $conninfo, $ttl_s);
	$node{$name}->start;
	$node{$name}->safe_psql('postgres', 'CREATE EXTENSION snowflake');
}

# Each server's worker id, as it reports it and as its ids carry it; and what the registry
# says about its claim.
sub check_worker_id
{
	my ($name, $expected, $what) = @_;
	my $node = $node{$name};
	my $worker_id = claimed_worker_id($node);
	is($worker_id, $expected, "$name, $what: worker id $expected") if defined $expected;
	is( $node->safe_psql('postgres', 'SELECT (snowflake_decode(snowflake_nextval())).worker_id'),
		$worker_id, "$name, $what: its ids carry the worker id it claimed");
	is( $registry->safe_psql(
			'postgres',
			"SELECT holder LIKE '%:' || '" . $node->data_dir . "' || ' (system %', state
			 FROM snowflake_registry WHERE worker_id = $worker_id"),
		't|held',
		"$name, $what: the registry shows the claim held by its data directory");
	return $worker_id;
}

# (1) Four servers claim four distinct worker ids.
my %worker_id = map { $_ => check_worker_id($_, undef, 'first start') } @names;
is(scalar(keys %{ { reverse %worker_id } }), 4, 'the four servers claimed four distinct worker ids');
note('claimed: ' . join(', ', map { "$_ $worker_id{$_}" } @names));
is( $node{s1}->safe_psql(
		'postgres', qq{
		SELECT worker_id_source, claim_state, registry_error IS NULL,
			   claim_expires_at > now()
			   AND claim_expires_at <= clock_timestamp() + interval '$ttl_s s'
		FROM snowflake_stats}),
	'registry|held|t|t',
	'snowflake_stats: the worker id comes from the registry, held, expiring within the ttl');

# The lease worker renews the lease of a claimed worker id ahead of demand, as it does for a
# configured one (011): after one id, the lease moves on while nobody asks for ids.
my $idle = $node{s3};
$idle->safe_psql('postgres', 'SELECT snowflake_nextval()');
my $idle_lease_end = lease_end_ms($idle);
my $idle_deadline = time + 8;
usleep(100_000) until lease_end_ms($idle) > $idle_lease_end || time > $idle_deadline;
cmp_ok(lease_end_ms($idle), '>', $idle_lease_end,
	'a claimed worker id: the lease worker renews the lease ahead of demand');

# Ids ahead of the clock under a claimed worker id (snowflake_advance_past 20 s on, within
# snowflake.max_clock_lead) are issued at once: the claim's fence limits when ids are issued,
# not how far ahead of the clock they are. (The registry records a bound above them first.)
my $ahead = $node{s4};
my $renewals_before = $ahead->safe_psql('postgres', 'SELECT lease_renewals FROM snowflake_stats');
my $advanced_at = time;
my $past = $ahead->safe_psql('postgres',
	"SELECT snowflake_from_timestamp(clock_timestamp() + interval '20 s')");
$ahead->safe_psql('postgres', "SELECT snowflake_advance_past($past)");
cmp_ok($ahead->safe_psql('postgres', 'SELECT snowflake_nextval()'),
	'>', $past, 'a claimed worker id: ids go on above an id 20 s ahead of the clock');
cmp_ok(time - $advanced_at, '<', 3,
	'a claimed worker id: ids 20 s ahead of the clock are issued without waiting for it');
cmp_ok($ahead->safe_psql('postgres', 'SELECT lease_renewals FROM snowflake_stats'),
	'<=', $renewals_before + 5, 'a claimed worker id: ids ahead of the clock take a few lease renewals');

# The registry's bound for a server is at or above every id it issued: what a takeover, or its
# own next start, starts above.
sub check_bound
{
	my ($name, $highest_issued, $what) = @_;
	cmp_ok(
		$registry->safe_psql(
			'postgres', "SELECT highest_id FROM snowflake_registry WHERE worker_id = $worker_id{$name}"),
		'>=', $highest_issued,
		"$name, $what: the registry's highest id is at or above every id it issued");
	return;
}

# All four at once, so that none finds the others' claims gone: each gets its own worker id
# back, and issues above all it issued before (a burst ran its ids ahead of the clock).
for my $stop_mode ('fast', 'immediate')
{
	my $what = $stop_mode eq 'fast' ? 'clean restart' : 'crash';
	my %before = map { $_ => burst_max($node{$_}) } @names;
	$node{$_}->stop($stop_mode) for @names;
	check_bound($_, $before{$_}, $what) for @names;
	$node{$_}->start for @names;
	for my $name (@names)
	{
		claimed_worker_id($node{$name});
		cmp_ok($node{$name}->safe_psql('postgres', 'SELECT snowflake_nextval()'),
			'>', $before{$name}, "$name, $what: its ids are above every id it issued before");
		# Its ids may resume seconds ahead of the clock (after a crash, above the bound the
		# registry recorded): they are issued at once, not after a storm of lease renewals
		# until the clock catches up.
		cmp_ok($node{$name}->safe_psql('postgres', 'SELECT lease_renewals FROM snowflake_stats'),
			'<=', 5, "$name, $what: its first id took a few lease renewals at most");
		check_worker_id($name, $worker_id{$name}, $what);
	}
}

# (2) The registry stopped: the holder issues until its fence, its ttl less the margin after it
# sent its last successful renewal, which is before the registry can see the claim expire. A
# session asks for ids all along; it waits for nothing (clock_wait_timeout 1 ms), so the first
# call refused shows when the holder stopped.
my $holder = $node{s2};
my $session = $holder->background_psql('postgres', on_error_stop => 0);
$session->query_safe('SET snowflake.clock_wait_timeout = 1');
$session->query_safe('SELECT snowflake_nextval()');
$registry->stop;
my ($last_id, $last_ok_at, $refused_sent_at, $refused_at, $refusal);
my $ids_issued = 0;
my $loop_deadline = time + 3 * $ttl_s;
while (time < $loop_deadline)
{
	my $sent_at = time;
	my $id = $session->query('SELECT snowflake_nextval()');
	if ($session->{stderr} ne '')
	{
		($refused_sent_at, $refused_at, $refusal) = ($sent_at, time, $session->{stderr});
		$session->{stderr} = '';
		last;
	}
	($last_id, $last_ok_at) = ($id, time);
	$ids_issued++;
	usleep(5_000);
}
ok(defined $refusal, 'registry stopped: the holder stopped issuing ids');
cmp_ok($ids_issued, '>', 0, 'registry stopped: the holder kept issuing ids while its claim lasted');
like(
	$refusal // '',
	qr/ERROR:  snowflake could not renew its claim on worker id $worker_id{s2} in the registry/,
	'registry stopped: the refusal says the claim could not be renewed');
my ($expires_at, $claim_state, $error_reported) = split /\|/, $session->query_safe(
	'SELECT extract(epoch FROM claim_expires_at), claim_state, registry_error IS NOT NULL
	 FROM snowflake_stats');
my $renewed_at = $expires_at - $ttl_s;
is("$claim_state|$error_reported", 'fenced|t',
	'registry stopped: snowflake_stats shows the claim fenced, and the registry\'s error');
cmp_ok($last_ok_at, '<', $expires_at,
	'registry stopped: the holder issued its last id before its claim expired in the registry');
cmp_ok(
	$refused_at - $renewed_at,
	'>', $ttl_s - $margin_s - $slack_s,
	"registry stopped: the holder issued until about ttl - margin after its last renewal");
note(
	sprintf(
		'fencing: the holder stopped issuing %.2f-%.2f s after its last successful renewal '
		  . '(ttl %d s: its fence %d s after, the registry\'s expiry %d s after); '
		  . '%d ids issued after the registry stopped',
		$last_ok_at - $renewed_at,
		$refused_sent_at - $renewed_at,
		$ttl_s, $ttl_s - $margin_s, $ttl_s, $ids_issued));

# The registry back: the holder renews its claim, nobody having taken it, and resumes.
my $registry_started_at = time;
$registry->start;
my $resumed_id = wait_until(
	'the holder to resume issuing ids',
	sub {
		my $id = $session->query('SELECT snowflake_nextval()');
		$session->{stderr} = '';
		return $id;
	});
note(sprintf('the holder resumed %.2f s after the registry started', time - $registry_started_at));
cmp_ok($resumed_id, '>', $last_id, 'registry back: the holder\'s ids go on above its last one');
is($session->query_safe('SELECT snowflake_worker_id(), claim_state FROM snowflake_stats'),
	"$worker_id{s2}|held", 'registry back: the holder holds the same worker id again');
$session->quit;

# A server started while the registry is down issues nothing: no worker id, and a clear error
# once snowflake.clock_wait_timeout has passed. It claims its worker id once the registry is
# back, above every id it issued.
$registry->stop;
$holder->restart;
wait_until(
	'the registry worker to fail',
	sub {
		$holder->safe_psql('postgres',
			'SELECT registry_error IS NOT NULL FROM snowflake_stats') eq 't';
	});
is( $holder->safe_psql(
		'postgres', 'SELECT snowflake_worker_id() IS NULL, claim_state FROM snowflake_stats'),
	't|claiming', 'registry down at start: no worker id, the claim pending');
my ($sqlstate, $error) =
  error_of($holder, "SET snowflake.clock_wait_timeout = '200ms'; SELECT snowflake_nextval()");
is($sqlstate, '55000', 'registry down at start: snowflake_nextval() fails');
like(
	$error,
	qr/snowflake has no worker id yet.*DETAIL:  It is claimed from snowflake.registry, which failed: /s,
	'registry down at start: the error says the registry failed');
$registry->start;
check_worker_id('s2', $worker_id{s2}, 'registry back after a start without it');
cmp_ok($holder->safe_psql('postgres', 'SELECT snowflake_nextval()'),
	'>', $resumed_id, 'registry back after a start without it: ids above every earlier one');

# (3) A fifth server, its clock 60 s behind, configured with s1's worker id while s1 holds it:
# refused, naming s1, and it issues no id.
my $taker = new_registry_node('s5', $conninfo, $ttl_s, worker_id => $worker_id{s1});
start_clocked($taker, -60);
$taker->safe_psql('postgres', 'CREATE EXTENSION snowflake');
wait_until(
	'the registry to refuse s5 its configured worker id',
	sub {
		$taker->safe_psql('postgres', 'SELECT claim_state FROM snowflake_stats') eq 'refused';
	});
($sqlstate, $error) =
  error_of($taker, "SET snowflake.clock_wait_timeout = '200ms'; SELECT snowflake_nextval()");
is($sqlstate, '55000', 'configured worker id held by another server: snowflake_nextval() fails');
my $s1_holder = $registry->safe_psql('postgres',
	"SELECT holder FROM snowflake_registry WHERE worker_id = $worker_id{s1}");
my $held = qr/snowflake.worker_id = $worker_id{s1} is held by another server/;
like(
	$error,
	qr/$held.*DETAIL:  The registry gave it to \Q$s1_holder\E;/s,
	'configured worker id held by another server: the error names the holder');
like($s1_holder, qr/\Q${\ $node{s1}->data_dir }\E/, 'the holder named is s1');
is($taker->safe_psql('postgres', 'SELECT snowflake_worker_id() IS NULL'),
	't', 'configured worker id held by another server: no worker id, so no id issued');

# (4) s1 crashes right after a burst of ids, which ran them ahead of its clock. Once its claim
# expires s5 takes the worker id over: its first id is above every id s1 issued, although its
# clock is 60 s behind.
my $old_last_id = burst_max($node{s1});
$node{s1}->stop('immediate');
my $crashed_at = time;
my $old_expiry = $registry->safe_psql('postgres',
	"SELECT extract(epoch FROM expires_at) FROM snowflake_registry WHERE worker_id = $worker_id{s1}");
wait_until(
	's5 to take over the worker id',
	sub {
		$taker->safe_psql('postgres', 'SELECT snowflake_worker_id() IS NOT NULL') eq 't';
	});
my $claimed_at = time;
my $first_id = $taker->safe_psql('postgres', 'SELECT snowflake_nextval()');
my $first_id_at = time;
cmp_ok(
	$registry->safe_psql(
		'postgres',
		"SELECT extract(epoch FROM claimed_at) FROM snowflake_registry WHERE worker_id = $worker_id{s1}"),
	'>=', $old_expiry,
	'takeover: only once the old claim expired');
cmp_ok($first_id_at - $claimed_at,
	'<', 10, 'takeover: the first id came within snowflake.clock_wait_timeout (10 s)');
cmp_ok($first_id, '>', $old_last_id,
	'takeover by a server 60 s behind: its first id is above every id of the old holder');
is($taker->safe_psql('postgres', "SELECT (snowflake_decode($first_id)).worker_id"),
	$worker_id{s1}, 'takeover: the new holder issues with the worker id it took over');
note(
	sprintf(
		'takeover: s5 claimed the worker id %.2f s after s1 crashed (%.2f s after the claim '
		  . 'expired), and issued its first id %.2f s after the crash (having waited %s ms '
		  . 'for its clock, 60 s behind)',
		$claimed_at - $crashed_at, $claimed_at - $old_expiry, $first_id_at - $crashed_at,
		$taker->safe_psql('postgres', 'SELECT round(wait_time_ms) FROM snowflake_stats')));

# The old holder back claims another worker id, and its ids stay above its own earlier ones.
$node{s1}->start;
my $new_worker_id = claimed_worker_id($node{s1});
ok(!grep({ $_ == $new_worker_id } values %worker_id),
	'the old holder back: it claims a worker id nobody holds');
cmp_ok($node{s1}->safe_psql('postgres', 'SELECT snowflake_nextval()'),
	'>', $old_last_id, 'the old holder back: its ids are above every id it issued before');

# (5) s4 takes over s3's worker id, released after s3 crashed with ids 30 s ahead, and stops
# cleanly before its lease has moved past them (its renewals wait for a synchronous standby
# that never comes). What it records at shutdown is not below what s3 may have issued, so the
# worker id's next holder still starts above s3's ids.
my $ahead_id = $node{s3}->safe_psql('postgres',
	"SELECT snowflake_from_timestamp(clock_timestamp() + interval '30 s')");
$node{s3}->safe_psql('postgres', "SELECT snowflake_advance_past($ahead_id)");
$node{s3}->stop('immediate');
my $s3_highest_sql = "SELECT highest_id FROM snowflake_registry WHERE worker_id = $worker_id{s3}";
my $s3_highest = $registry->safe_psql('postgres', $s3_highest_sql);
cmp_ok($s3_highest, '>', $ahead_id, 'the registry records the ids s3 advanced past');
$registry->safe_psql('postgres', "SELECT snowflake_release_worker_id($worker_id{s3})");
restart_with_settings(
	$node{s4}, "snowflake.worker_id = $worker_id{s3}\nwal_level = replica\n"
	  . "max_wal_senders = 2\nsynchronous_standby_names = 'ghost'\n");
is(claimed_worker_id($node{s4}), $worker_id{s3}, 's4 takes over the released worker id');
$node{s4}->stop;
cmp_ok($registry->safe_psql('postgres', $s3_highest_sql),
	'>=', $s3_highest,
	"a clean shutdown right after a takeover keeps the registry's highest id above the old holder's ids");

$_->stop for $node{s1}, $node{s2}, $taker, $registry;
note(sprintf('run time: %.1f s', time - $test_started));

done_testing();
