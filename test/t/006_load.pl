# Load: 16 concurrent sessions taking 250,000 ids each get 4 million distinct ids, each
# session's ids rising in the order it took them, all carrying the server's worker id.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;
use Time::HiRes qw(time);

my $worker_id = 3;
my $sessions = 16;
my $ids_per_session = 250_000;
my $total = $sessions * $ids_per_session;

my $node = new_snowflake_node('load', worker_id => $worker_id);
$node->append_conf('postgresql.conf', 'autovacuum = off');
$node->start;
# Unlogged and unindexed, so that the run measures the generator rather than the table.
$node->safe_psql('postgres', 'CREATE EXTENSION snowflake;
	CREATE UNLOGGED TABLE ids (session integer, ordinal integer, id bigint)');

my $started = time;
$node->pgbench(
	"--no-vacuum --client=$sessions --jobs=2 --transactions=1",
	0,
	[qr{actually processed: $sessions/$sessions}],
	[qr{^$}],
	"$sessions concurrent sessions take $ids_per_session ids each",
	{
		'006_load_ids.sql' => "INSERT INTO ids SELECT :client_id, g, snowflake_nextval()
			FROM generate_series(1, $ids_per_session) AS g;"
	});
note sprintf('generating %d ids in %d sessions took %.1f s', $total, $sessions, time - $started);

my $check = "SET work_mem = '512MB';";
is($node->safe_psql('postgres', "$check SELECT count(*), count(DISTINCT id) FROM ids"),
	"$total|$total", "all $total ids are distinct");
is( $node->safe_psql(
		'postgres', "$check SELECT count(*) FROM (SELECT session FROM ids GROUP BY session
			HAVING count(*) = $ids_per_session AND min(ordinal) = 1
			   AND max(ordinal) = $ids_per_session) AS complete"),
	$sessions,
	"each of the $sessions sessions took its $ids_per_session ids");
is( $node->safe_psql(
		'postgres', "$check SELECT count(*) FROM (SELECT id <= lag(id) OVER (PARTITION BY session
			ORDER BY ordinal) AS fell FROM ids) AS ordered WHERE fell"),
	'0',
	'within each session, every id is above the one taken before it');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM ids WHERE (snowflake_decode(id)).worker_id <> $worker_id"),
	'0',
	"every id carries worker id $worker_id");
note sprintf('the whole test took %.1f s', time - $started);

$node->stop;
done_testing();
