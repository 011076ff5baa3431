# Multi-primary: three servers (worker ids 1, 2, 3) insert into the same table at the same time
# and a fourth gathers every row by logical replication. Proves: no key conflicts, every
# row arrives, each id decodes to its origin's worker id, and ids ordered across servers
# agree with insert time to within a few milliseconds (one clock, so no skew).
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;
use IPC::Run;
use Time::HiRes;

my $test_started = Time::HiRes::time();

# Enough single-row transactions that the three servers' inserts overlap for seconds and
# claim many ids in the same milliseconds, yet the whole test stays well under a minute.
my $rows_per_origin = 50000;

# How far insert time may go backwards along id order, in ms. A row's id is generated just
# before its inserted_at (a row's defaults are evaluated in column order), so for ids a < b:
# inserted_at(a) - inserted_at(b) <= inserted_at(a) - ms(id a), which is under 1 ms of
# truncation (ids of one millisecond sort by worker id, not time) plus the time between the
# row's two defaults. That time is microseconds unless the backend is descheduled right there;
# with ten busy processes on 2 cores that happens to a few rows per run, for 10 to 40 ms when
# tried here (the more, the busier the machine). 100 ms leaves room for that, and still fails
# for a server whose ids run ahead of its clock by up to a lease (4 s), as after a restart. A
# systematic offset of a few ms is caught more tightly by the check that almost no id is over
# 2 ms older than its row.
my $max_disagreement_ms = 100;

my %worker_id = (p1 => 1, p2 => 2, p3 => 3);
my @origins = sort keys %worker_id;

my $create_table = q{
	CREATE EXTENSION snowflake;
	CREATE TABLE events (
		id bigint PRIMARY KEY DEFAULT snowflake_nextval(),
		origin text NOT NULL,
		inserted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
		n integer);
};

# Each node gets its worker id before its first start: a restart would resume ids after the
# lease, up to four seconds ahead of the clock, which is right but would blur the timing check.
my %publisher;
for my $origin (@origins)
{
	my $node = new_snowflake_node($origin,
		worker_id => $worker_id{$origin}, allows_streaming => 'logical');
	$node->start;
	$node->safe_psql('postgres', $create_table . 'CREATE PUBLICATION events_pub FOR TABLE events;');
	$publisher{$origin} = $node;
}

# The hub has a worker id of its own, which must show up in no id: it only stores copies.
my $hub = new_snowflake_node('hub', worker_id => 4);
# Three apply workers plus their initial table sync workers at once.
$hub->append_conf('postgresql.conf',
	"max_logical_replication_workers = 8\nmax_worker_processes = 16\n");
$hub->start;
$hub->safe_psql('postgres', $create_table);
for my $origin (@origins)
{
	(my $connstr = $publisher{$origin}->connstr('postgres')) =~ s/'/''/g;
	# Each subscription's slot is named after it, so the three never share one.
	$hub->safe_psql('postgres',
		"CREATE SUBSCRIPTION sub_$origin CONNECTION '$connstr' PUBLICATION events_pub");
	$hub->wait_for_subscription_sync($publisher{$origin}, "sub_$origin");
}

# All three publishers insert at once, one row per transaction, so the rows stream to the hub
# while the others are still generating ids in the same milliseconds.
my $timeout = IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default);
my (%runs, %stderr);
for my $origin (@origins)
{
	my $sql = "DO \$\$ BEGIN FOR i IN 1..$rows_per_origin LOOP "
	  . "INSERT INTO events (origin, n) VALUES ('$origin', i); COMMIT; END LOOP; END \$\$";
	$runs{$origin} = IPC::Run::start(
		[
			$publisher{$origin}->installed_command('psql'), '-XAtq',
			'-v', 'ON_ERROR_STOP=1',
			'-d', $publisher{$origin}->connstr('postgres'),
			'-c', $sql
		],
		'>', \my $stdout, '2>', \$stderr{$origin}, $timeout);
}
for my $origin (@origins)
{
	ok($runs{$origin}->finish, "$origin: inserts succeeded") or diag($stderr{$origin});
}

# Wait, bounded, until the hub holds as many rows as the publishers committed. A conflicting
# id would make an apply worker fail and retry for ever, so an apply error ends the wait early
# and the checks below say what went wrong.
my %sent = map { $_ => $publisher{$_}->safe_psql('postgres', 'SELECT count(*) FROM events') }
  @origins;
my $total = 0;
$total += $sent{$_} for @origins;
$hub->poll_query_until(
	'postgres', qq{
	SELECT (SELECT count(*) FROM events) >= $total
		OR (SELECT sum(apply_error_count) FROM pg_stat_subscription_stats) > 0})
  or die 'timed out waiting for the hub to receive every row';

# Every row arrived: per origin and in total, the hub holds exactly what was inserted.
for my $origin (@origins)
{
	is($sent{$origin}, $rows_per_origin, "$origin: all inserts committed");
	is($hub->safe_psql('postgres', "SELECT count(*) FROM events WHERE origin = '$origin'"),
		$sent{$origin}, "$origin: the hub received all its rows");
	note("rows from $origin: $sent{$origin}");
}
my ($hub_rows, $distinct_ids) =
  split /\|/, $hub->safe_psql('postgres', 'SELECT count(*), count(DISTINCT id) FROM events');
is($hub_rows, $total, 'hub row count is the sum of the publishers\'');
is($distinct_ids, $hub_rows, 'no two rows share an id');
note("total rows on the hub: $hub_rows");

# No conflict: a duplicate id would have made an apply worker fail and retry, which counts an
# error in the subscription's statistics and logs it. Every *_error_count column is summed:
# PostgreSQL 19 splits sync_error_count into one for sequences and one for tables.
my $errors = $hub->safe_psql(
	'postgres', q{
	SELECT coalesce(sum(counter.value::bigint), 0)
	FROM pg_stat_subscription_stats AS stats, jsonb_each_text(to_jsonb(stats)) AS counter
	WHERE counter.key LIKE '%error_count'});
is($errors, 0, 'no subscription ever failed to apply or sync');
my @conflicts = grep { /duplicate key|conflict/i } split /\n/, slurp_file($hub->logfile);
is(scalar(@conflicts), 0, 'the hub log shows no key conflict') or diag(join "\n", @conflicts);
note('conflicts: ' . ($errors + @conflicts) . " ($errors apply or sync errors, "
	  . scalar(@conflicts) . ' conflicts in the hub log)');

# Each id names the server that made it, and each server's ids rise with its insert order.
for my $origin (@origins)
{
	is( $hub->safe_psql(
			'postgres', qq{
		SELECT min((snowflake_decode(id)).worker_id), max((snowflake_decode(id)).worker_id)
		FROM events WHERE origin = '$origin'}),
		"$worker_id{$origin}|$worker_id{$origin}",
		"$origin: every id decodes to worker id $worker_id{$origin}");
	is( $hub->safe_psql(
			'postgres', qq{
		SELECT count(*) FROM (
			SELECT id <= lag(id) OVER w OR inserted_at < lag(inserted_at) OVER w AS backwards
			FROM events WHERE origin = '$origin' WINDOW w AS (ORDER BY n)) s
		WHERE backwards}),
		0,
		"$origin: ids rise with insert order and insert time");
}

# The servers really ran at the same time, or the checks above and below would prove little:
# their insert periods share a window, and in many milliseconds more than one of them made ids,
# which differ only in the worker id bits.
my ($overlap_ms, $shared_ms) = split /\|/, $hub->safe_psql(
	'postgres', q{
	SELECT (SELECT round(extract(epoch FROM min(last) - max(first)) * 1000)
			FROM (SELECT min(inserted_at) AS first, max(inserted_at) AS last
				  FROM events GROUP BY origin) p),
		   (SELECT count(*) FROM (SELECT snowflake_to_timestamp(id) FROM events
								  GROUP BY 1 HAVING count(DISTINCT origin) > 1) m)});
cmp_ok($overlap_ms, '>', 0, 'the three servers inserted during a common period');
# On a busy 2-core machine the three servers take turns more than they run together: tens of
# shared milliseconds in the slowest runs seen, thousands in quiet ones.
cmp_ok($shared_ms, '>=', 10, 'in at least ten milliseconds more than one server made ids');
note("common insert period: $overlap_ms ms; milliseconds with ids from 2 or 3 servers: $shared_ms");

# No id is ahead of the clock: an id's millisecond is never later than its row's insert time.
# That bounds the disagreement below by the largest gap between the two. The gap exceeds the
# 1 ms of truncation only where a backend was descheduled between a row's two defaults: a
# handful of rows, never as many as 1 in 1000.
my ($ahead, $stalled_rows, $max_lag_ms) = split /\|/, $hub->safe_psql(
	'postgres', q{
	SELECT count(*) FILTER (WHERE snowflake_to_timestamp(id) > inserted_at),
		   count(*) FILTER (WHERE inserted_at - snowflake_to_timestamp(id) > interval '2 ms'),
		   round(extract(epoch FROM max(inserted_at - snowflake_to_timestamp(id))) * 1000, 3)
	FROM events});
is($ahead, 0, 'no id encodes a time after its row was inserted');
cmp_ok($stalled_rows, '<', $hub_rows / 1000, 'almost every id is within 2 ms of its insert time');
note("rows inserted over 2 ms after their id's millisecond: $stalled_rows; "
	  . "the most: $max_lag_ms ms");

# Ordering across servers: walking all rows in id order, how far does insert time fall behind
# the latest insert time seen so far?
my ($disagreement_ms, $disagreeing_rows) = split /\|/, $hub->safe_psql(
	'postgres', q{
	SELECT round(greatest(0, coalesce(max(extract(epoch FROM before - inserted_at)), 0)) * 1000, 3),
		   count(*) FILTER (WHERE before > inserted_at)
	FROM (SELECT inserted_at, max(inserted_at) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING
														 AND 1 PRECEDING) AS before
		  FROM events) s});
cmp_ok($disagreement_ms, '<', $max_disagreement_ms,
	"id order agrees with insert time to within $max_disagreement_ms ms");
cmp_ok($disagreement_ms, '<=', $max_lag_ms, 'the disagreement is within the id-to-insert gap');
note("max time disagreement along id order: $disagreement_ms ms "
	  . "($disagreeing_rows rows inserted before an earlier id's row)");

$_->stop for $hub, @publisher{@origins};
note(sprintf('run time: %.1f s', Time::HiRes::time() - $test_started));

done_testing();
