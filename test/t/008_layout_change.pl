# The lease remembers the layout and worker id its ids were issued under. A restart under
# other settings may proceed when every new id stays above every old one (it is logged);
# otherwise the server runs, decodes, and refuses to generate until the settings are restored
# or a superuser accepts the change.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;

my $node = new_snowflake_node('layout_change');
$node->start;
$node->safe_psql('postgres',
	'CREATE EXTENSION snowflake; CREATE TABLE t (id bigint PRIMARY KEY, layout text)');

# Inserts 1000 rows with new ids, labelled; returns psql's exit code and stderr.
sub insert_ids
{
	my ($label) = @_;
	my ($ret, $stdout, $stderr) = $node->psql('postgres',
		"INSERT INTO t SELECT snowflake_nextval(), '$label' FROM generate_series(1, 1000)");
	return ($ret, $stderr);
}

sub max_id { return $node->safe_psql('postgres', 'SELECT max(id) FROM t'); }

my ($ret, $stderr) = insert_ids('default');
is($ret, 0, 'default layout: ids issued');

# A later epoch makes every new id smaller, and some equal to old ones (pgbench hit duplicate
# keys at once before this was checked).
my ($log) = restart_with_settings($node, "snowflake.epoch = '2024-01-01 00:00:00+00'\n");
like($log, qr/WARNING:  snowflake ids up to .* were issued with epoch 2010-11-04 01:42:54\.657\+00, 10 worker bits, 12 sequence bits and worker id 1; the server now runs with epoch 2024-01-01 00:00:00\+00/,
	'later epoch: the start is logged with both layouts');
my ($sqlstate, $error) = error_of($node, 'SELECT snowflake_nextval()');
is($sqlstate, '55000', 'later epoch: snowflake_nextval() fails with 55000');
like($error, qr/snowflake layout changed since this server last issued ids/,
	'later epoch: the error says the layout changed');
like($error, qr/DETAIL:  Ids up to .* were issued with epoch 2010-11-04 01:42:54\.657\+00.*now runs with epoch 2024-01-01 00:00:00\+00/s,
	'later epoch: the detail names the old and the new layout');
like($error, qr/HINT:  Restore the previous snowflake settings.*snowflake_accept_layout_change\(\)/s,
	'later epoch: the hint names both ways out');
is($node->safe_psql('postgres', 'SELECT count(*) FROM t WHERE snowflake_decode(id) IS NOT NULL'),
	'1000', 'later epoch: decoding still works');
($sqlstate) = error_of($node, 'SELECT * FROM snowflake_nextval_batch(10)');
is($sqlstate, '55000', 'later epoch: batches are refused too');

# Restoring the settings is enough.
restart_with_settings($node, '');
($ret, $stderr) = insert_ids('restored');
is($ret, 0, 'settings restored: ids issued again') or diag($stderr);

# Changes under which every new id stays above every old one go ahead, logged.
for my $case (
	[ 'earlier epoch', "snowflake.epoch = '2010-01-01 00:00:00+00'\n" ],
	[ 'wider sequence', "snowflake.epoch = '2010-01-01 00:00:00+00'\nsnowflake.sequence_bits = 13\n" ],
	[ 'new worker id',
		"snowflake.epoch = '2010-01-01 00:00:00+00'\nsnowflake.sequence_bits = 13\nsnowflake.worker_id = 2\n" ])
{
	my ($name, $settings) = @$case;
	my $before = max_id();
	($log) = restart_with_settings($node, $settings);
	like($log, qr/LOG:  snowflake ids up to .* the server now runs with/, "$name: logged");
	like($log, qr/DETAIL:  Every new id is above every id issued before/,
		"$name: the log says new ids stay above");
	($ret, $stderr) = insert_ids($name);
	is($ret, 0, "$name: ids issued") or diag($stderr);
	is($node->safe_psql('postgres', "SELECT min(id) > $before FROM t WHERE layout = '$name'"),
		't', "$name: every new id is above every old one");
}

# A narrower sequence field shrinks ids: refused.
restart_with_settings($node,
	"snowflake.epoch = '2010-01-01 00:00:00+00'\nsnowflake.worker_id = 2\n");
($sqlstate) = error_of($node, 'SELECT snowflake_nextval()');
is($sqlstate, '55000', 'narrower sequence: refused');

# A new worker id in the same widths is the documented way to go on under a later epoch: ids
# cannot repeat old ones (other worker bits), though they sort below them.
($log) = restart_with_settings($node, "snowflake.sequence_bits = 13\nsnowflake.worker_id = 3\n"
	  . "snowflake.epoch = '2011-01-01 00:00:00+00'\n");
like($log, qr/WARNING:  snowflake ids up to .*DETAIL:  New ids cannot repeat old ones/s,
	'later epoch, new worker id: a warning that ids may sort below');
($ret, $stderr) = insert_ids('later epoch, new worker id');
is($ret, 0, 'later epoch, new worker id: ids issued without a duplicate key') or diag($stderr);

# Anything else needs a superuser's explicit acceptance, which is durable.
restart_with_settings($node, "snowflake.sequence_bits = 12\nsnowflake.worker_id = 3\n"
	  . "snowflake.epoch = '2011-01-01 00:00:00+00'\n");
($sqlstate) = error_of($node, 'SELECT snowflake_nextval()');
is($sqlstate, '55000', 'narrower sequence under the new worker id: refused');
is($node->safe_psql('postgres', 'SELECT snowflake_accept_layout_change()'),
	't', 'accepting the change reports that there was one');
like($node->safe_psql('postgres', 'SELECT snowflake_nextval()'), qr/^\d+$/,
	'accepted: ids are issued');
is($node->safe_psql('postgres', 'SELECT snowflake_accept_layout_change()'),
	'f', 'accepting again: nothing to accept');
$node->restart;
like($node->safe_psql('postgres', 'SELECT snowflake_nextval()'), qr/^\d+$/,
	'accepted: the acceptance survives a restart');

$node->stop;
done_testing();
