# snowflake_observe() on a table that receives rows by logical replication, with real servers:
# a subscriber whose clock is 30 s slow makes ids above every row it applied from a publisher
# (causal order across servers), and rows from a publisher that shares the subscriber's worker
# id never land: each attempt is refused, counted and logged, and the subscription retries.
# (sql/observe.sql tests the trigger itself, rows inserted as replication would.)
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

my $create_table = q{
	CREATE EXTENSION snowflake;
	CREATE TABLE events (id bigint PRIMARY KEY DEFAULT snowflake_nextval(), origin text NOT NULL);
};

# Two publishers: one with a worker id of its own, one with the subscriber's.
my %publisher;
for my $name ('publisher', 'same_worker_id')
{
	my $node = new_snowflake_node($name,
		worker_id => ($name eq 'publisher' ? 1 : 2), allows_streaming => 'logical');
	$node->start;
	$node->safe_psql('postgres', $create_table . 'CREATE PUBLICATION events_pub FOR TABLE events;');
	$publisher{$name} = $node;
}

# The subscriber, worker id 2 and its clock 30 s slow; its trigger fires for applied rows too.
my $subscriber = new_snowflake_node('subscriber', worker_id => 2);
$subscriber->append_conf('postgresql.conf', 'max_worker_processes = 16');
start_clocked($subscriber, -30);
$subscriber->safe_psql(
	'postgres', $create_table . q{
	CREATE TRIGGER observe_ids BEFORE INSERT OR UPDATE ON events
		FOR EACH ROW EXECUTE FUNCTION snowflake_observe();
	ALTER TABLE events ENABLE ALWAYS TRIGGER observe_ids;});
for my $name (sort keys %publisher)
{
	(my $connstr = $publisher{$name}->connstr('postgres')) =~ s/'/''/g;
	$subscriber->safe_psql('postgres',
		"CREATE SUBSCRIPTION sub_$name CONNECTION '$connstr' PUBLICATION events_pub");
	$subscriber->wait_for_subscription_sync($publisher{$name}, "sub_$name");
}

# (1) Causal order: each time a row from the publisher (whose clock is right) has arrived, the
# subscriber's next id is above it, though its clock is 30 s behind the row's.
my $publisher = $publisher{publisher};
for my $round (1 .. 3)
{
	my $applied_id = $publisher->safe_psql('postgres',
		"INSERT INTO events (origin) VALUES ('publisher') RETURNING id");
	$subscriber->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM events WHERE id = $applied_id")
	  or die "row $applied_id did not arrive";
	my $own_id = $subscriber->safe_psql('postgres',
		"INSERT INTO events (origin) VALUES ('subscriber') RETURNING id");
	cmp_ok($own_id, '>', $applied_id,
		"causal order, round $round: an id made after applying a row is above the row's id");
	note(sprintf('round %d: the subscriber\'s id is %.1f s ahead of its clock', $round,
		$subscriber->safe_psql('postgres',
			"SELECT extract(epoch FROM snowflake_to_timestamp($own_id) - clock_timestamp())")));
}
is( $subscriber->safe_psql('postgres',
		"SELECT count(*) FROM events WHERE origin = 'subscriber' AND (snowflake_decode(id)).worker_id = 2"),
	3, 'the subscriber\'s own ids carry its own worker id');

# (2) Rows from the server that shares the subscriber's worker id: none lands. The first
# attempt is refused and logged; the subscription retries, and is refused again.
my $log_offset = -s $subscriber->logfile;
my $collider = $publisher{same_worker_id};
$collider->safe_psql('postgres', "INSERT INTO events (origin) VALUES ('same_worker_id')")
  for 1 .. 5;
my $first_id = $collider->safe_psql('postgres', 'SELECT min(id) FROM events');
# Refused twice (a first attempt, then a retry), or landed.
my $landed_or_refused_twice = q{
	SELECT (SELECT count(*) FROM events WHERE origin = 'same_worker_id') > 0
		OR (SELECT collisions FROM snowflake_stats) >= 2};
wait_until('the subscription to apply, or to be refused twice',
	sub { $subscriber->safe_psql('postgres', $landed_or_refused_twice) eq 't' });
my $refused = qr/id $first_id in column "id" of relation "events" was made with this server's/;
like(
	slurp_file($subscriber->logfile, $log_offset),
	qr/ERROR:  $refused worker id 2\n.*DETAIL:  Another server makes ids with worker id 2 too/,
	'the subscriber\'s log names the collision and why');
is( $subscriber->safe_psql(
		'postgres', "SELECT count(*) FROM events WHERE origin = 'same_worker_id'"),
	0, 'no row from the server with the same worker id landed');
cmp_ok(
	$subscriber->safe_psql(
		'postgres',
		"SELECT apply_error_count FROM pg_stat_subscription_stats WHERE subname = 'sub_same_worker_id'"),
	'>=', 1, 'the subscription counts the refusals as apply errors');
note('collisions counted: '
	  . $subscriber->safe_psql('postgres', 'SELECT collisions FROM snowflake_stats'));

# The other subscription goes on meanwhile.
my $later_id = $publisher->safe_psql('postgres',
	"INSERT INTO events (origin) VALUES ('publisher') RETURNING id");
ok( $subscriber->poll_query_until('postgres', "SELECT count(*) = 1 FROM events WHERE id = $later_id"),
	'rows from the other publisher still land');

$subscriber->safe_psql('postgres', 'ALTER SUBSCRIPTION sub_same_worker_id DISABLE');
$_->stop for $subscriber, values %publisher;
note(sprintf('run time: %.1f s', time - $test_started));

done_testing();
