# Dump and restore (docs/failover-and-restore.md, "Moving and restoring data"): pg_dump in custom and plain format of
# tables keyed by bigint and by the snowflake type, restored
# - into a server with another worker id: the ids come back unchanged, and new ids are above
#   them and carry the new worker id;
# - into a server with the same worker id after the source ran 20 s ahead of the clock: new ids
#   would be below the restored ones, until the documented snowflake_advance_past statement,
#   after which they are above.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;

# The documented statement, word for word.
my $advance_statement = q{SELECT snowflake_advance_past(max(id))
FROM (SELECT max(id) AS id FROM orders UNION ALL SELECT max(id) FROM events) AS restored;};

my $source = new_snowflake_node('source', worker_id => 1);
$source->start;
$source->safe_psql('postgres', q{
	CREATE DATABASE app;
});
$source->safe_psql('app', q{
	CREATE EXTENSION snowflake;
	CREATE TABLE orders (id bigint PRIMARY KEY DEFAULT snowflake_nextval(), item text);
	CREATE TABLE order_lines (order_id bigint REFERENCES orders, qty integer);
	CREATE TABLE events (id snowflake PRIMARY KEY DEFAULT snowflake_nextval(), body text);
	INSERT INTO orders (item) SELECT 'order ' || g FROM generate_series(1, 100) AS g;
	INSERT INTO order_lines SELECT id, 1 FROM orders;
	INSERT INTO events (body) SELECT 'event ' || g FROM generate_series(1, 100) AS g;
});

my $all_ids = q{SELECT (SELECT string_agg(id::text, ',' ORDER BY id) FROM orders) || ';'
	|| (SELECT string_agg(id::text, ',' ORDER BY id) FROM events)};
my $restored_max = q{SELECT greatest((SELECT max(id) FROM orders), (SELECT max(id) FROM events))};

# Dumps the source's database "app" in custom and plain format; returns the two files.
sub dump_app
{
	my ($label) = @_;
	my $dir = PostgreSQL::Test::Utils::tempdir();
	my %file = (custom => "$dir/$label.dump", plain => "$dir/$label.sql");
	$source->command_ok([ 'pg_dump', '-Fc', '-f', $file{custom}, '-d', 'app' ],
		"$label: pg_dump -Fc");
	$source->command_ok([ 'pg_dump', '-f', $file{plain}, '-d', 'app' ], "$label: pg_dump plain");
	return \%file;
}

# Restores a dump into a new database $db on $node, with pg_restore or psql by its format, and
# checks that every id came back unchanged.
sub restore
{
	my ($node, $db, $format, $file, $label, $source_ids) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	my @command = $format eq 'custom'
	  ? ('pg_restore', '--exit-on-error', '-d', $db, $file)
	  : ('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $db, '-f', $file);
	$node->command_ok(\@command, "$label, $format: restored with $command[0]");
	is($node->safe_psql($db, $all_ids), $source_ids,
		"$label, $format: every id comes back unchanged");
	return;
}

# New rows after a restore: their ids, the first one's worker id, and whether all are above
# every restored id.
sub insert_after_restore
{
	my ($node, $db) = @_;
	return $node->safe_psql($db, q{
		SELECT max(id) AS restored FROM (SELECT max(id) AS id FROM orders
		                                 UNION ALL SELECT max(id) FROM events) AS r \gset
		WITH o AS (INSERT INTO orders (item) VALUES ('new') RETURNING id),
		     e AS (INSERT INTO events (body) VALUES ('new') RETURNING id)
		SELECT bool_and(id > :restored), min((snowflake_decode(id)).worker_id)
		FROM (SELECT id FROM o UNION ALL SELECT id FROM e) AS new_ids});
}

my $source_ids = $source->safe_psql('app', $all_ids);

# Another worker id: nothing to do. The clock is past every restored id.
my $dump = dump_app('at_clock');
my $other = new_snowflake_node('other', worker_id => 2);
$other->start;
for my $format ('custom', 'plain')
{
	my $db = "app_$format";
	restore($other, $db, $format, $dump->{$format}, 'another worker id', $source_ids);
	is( $other->safe_psql($db,
			"SELECT json_typeof(to_json(id)) || ' ' || pg_typeof(id) FROM events LIMIT 1"),
		'string snowflake',
		"another worker id, $format: the snowflake column is still a snowflake");
	is($other->safe_psql($db, "SELECT count(*) FROM order_lines JOIN orders ON id = order_id"),
		'100', "another worker id, $format: foreign keys hold");
	is(insert_after_restore($other, $db), 't|2',
		"another worker id, $format: new ids are above the restored ones, with worker id 2");
}

# The source runs 20 s ahead of the clock, as after a burst or a clock step back, and issues
# ids there.
$source->safe_psql('app', q{
	SELECT snowflake_advance_past(snowflake_from_timestamp(now() + interval '20 seconds'));
	INSERT INTO orders (item) SELECT 'ahead ' || g FROM generate_series(1, 10) AS g;
	INSERT INTO events (body) SELECT 'ahead ' || g FROM generate_series(1, 10) AS g;
});
cmp_ok($source->safe_psql('app', 'SELECT lead_ms FROM snowflake_stats'),
	'>', 15000, 'the source runs over 15 s ahead of the clock');
$source_ids = $source->safe_psql('app', $all_ids);
$dump = dump_app('ahead');

# The same worker id: until the documented statement runs, new ids are below restored ones, and
# could repeat them when the clock gets there.
my $same = new_snowflake_node('same', worker_id => 1);
$same->start;
for my $format ('custom', 'plain')
{
	my $db = "app_$format";
	restore($same, $db, $format, $dump->{$format}, 'same worker id', $source_ids);
	if ($format eq 'custom')
	{
		is($same->safe_psql($db, "SELECT snowflake_nextval() < ($restored_max)"), 't',
			'same worker id, before snowflake_advance_past: a new id is below the restored ones');
	}
	$same->safe_psql($db, $advance_statement);
	is(insert_after_restore($same, $db), 't|1',
		"same worker id, $format: after the documented snowflake_advance_past statement, new ids are above the restored ones"
	);
}

# It holds across a restart of the restored server.
$same->restart;
is(insert_after_restore($same, 'app_custom'), 't|1',
	'same worker id: after a restart, new ids are still above the restored ones');

$_->stop for ($source, $other, $same);
done_testing();
