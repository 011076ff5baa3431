# Standbys replay the primary's leases: a standby refuses to generate, and once promoted (its
# clock 30 s behind, with its primary's worker id or its own) issues only ids above every id
# whose WAL reached it.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;

# Every standby starts with its clock 30 s behind: without lease replay its ids would lie below
# its primary's.
my $standby_clock_offset_s = -30;

# After promotion: ids issued now lie above every replicated one, and inserting with the
# default raises no unique violation.
sub check_promoted
{
	my ($node, $case) = @_;
	my $replicated_max = $node->safe_psql('postgres', 'SELECT max(id) FROM t');
	my ($ret, $new_min, $stderr) = $node->psql('postgres',
		'WITH new AS (INSERT INTO t (n) SELECT g FROM generate_series(1, 10000) AS g RETURNING id)'
		  . ' SELECT min(id) FROM new');
	is($ret, 0, "$case: 10000 more rows insert without a unique violation")
	  or diag($stderr);
	cmp_ok($new_min, '>', $replicated_max, "$case: new ids lie above every replicated id");
	return $new_min;
}

my $primary = new_snowflake_node('primary', allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres',
	'CREATE EXTENSION snowflake; '
	  . 'CREATE TABLE t (id bigint PRIMARY KEY DEFAULT snowflake_nextval(), n int)');
my $known_id = $primary->safe_psql('postgres', 'SELECT snowflake_nextval()');
my $standby = new_standby($primary, 'standby', clock_offset_s => $standby_clock_offset_s);

# (a) A standby does not generate, but decodes.
my ($sqlstate, $stderr) = error_of($standby, 'SELECT snowflake_nextval()');
is($sqlstate, '25006', 'standby: snowflake_nextval() fails with 25006');
like($stderr, qr/cannot execute snowflake_nextval\(\) during recovery/,
	'standby: the error says why');
my $decode = "SELECT snowflake_decode($known_id)::text";
is($standby->safe_psql('postgres', $decode), $primary->safe_psql('postgres', $decode),
	'standby: decoding works as on the primary');

# (b) Caught up, then the primary crashes: the promoted standby continues above it.
$primary->safe_psql('postgres',
	'SET synchronous_commit = off; INSERT INTO t (n) SELECT g FROM generate_series(1, 200000) AS g');
my $burst_max = burst_max($primary);
my $primary_lease_end = lease_end_ms($primary);
$primary->wait_for_catchup($standby);
$primary->stop('immediate');
$standby->promote;
cmp_ok(lease_end_ms($standby), '>=', $primary_lease_end,
	"promoted: the replayed lease reaches the old primary's last lease");
is($standby->safe_psql('postgres', 'SELECT count(*) FROM t'), '200000',
	'promoted: every committed row was replicated');
my $new_min = check_promoted($standby, 'promoted after catch-up');
cmp_ok($new_min, '>', $burst_max, "promoted after catch-up: new ids lie above the primary's burst");

# (c) The new primary crashes while committing, without waiting for its standby: whatever WAL
# reached the standby bounds its ids. Its clock back on time, the primary renews its lease
# every two seconds while in use, so the standby must follow leases made after its base backup. This
# standby has a worker id of its own (2), as the deployment guide recommends for each member:
# the replayed lease binds it all the same.
my $standby2 = new_standby($standby, 'standby2',
	worker_id => 2, clock_offset_s => $standby_clock_offset_s);
set_clock($standby, 0);
check_clock($standby, 0);
$standby->safe_psql('postgres', q{
	CREATE PROCEDURE fill() LANGUAGE plpgsql AS $$
	BEGIN
		FOR i IN 1..100000 LOOP
			INSERT INTO t (n) SELECT -g FROM generate_series(1, 100) AS g;
			COMMIT;
		END LOOP;
	END $$});
my $session = $standby->background_psql('postgres');
$session->query_until(qr/filling/, "SET synchronous_commit = off;\n\\echo filling\nCALL fill();\n");
# Replicated rows spanning more than a lease's four seconds were issued under several renewals.
$standby2->poll_query_until('postgres',
	"SELECT max(snowflake_to_timestamp(id)) - min(snowflake_to_timestamp(id)) > interval '5 s'"
	  . ' FROM t WHERE n < 0')
  or die 'standby2 never received rows from several leases';
$standby->stop('immediate');
eval { $session->quit };    # its server is gone
$standby2->promote;
check_promoted($standby2, 'promoted mid-stream, own worker id');
is($standby2->safe_psql('postgres', 'SELECT (snowflake_decode(snowflake_nextval())).worker_id'),
	'2', 'promoted mid-stream: new ids carry the standby\'s own worker id');

# (d) A standby that cannot write its lease file does not stop: replay waits (retrying, with a
# warning), queries go on, and once the file can be written replay catches up.
my $standby3 = new_standby($standby2, 'standby3', clock_offset_s => $standby_clock_offset_s);
set_clock($standby3, 0);
my $lease_file = $standby3->data_dir . '/snowflake.lease';
rename($lease_file, "$lease_file.moved") or die "could not move $lease_file: $!";
mkdir($lease_file) or die "could not block $lease_file: $!";
my $log_offset = -s $standby3->logfile;
# A lease 2 s past the last id: renewed at once, and replayed by standby3.
$standby2->safe_psql('postgres',
	'SELECT snowflake_advance_past(snowflake_nextval() + (2000::bigint << 22))');
$standby3->wait_for_log(qr/WARNING:  could not write snowflake lease file "snowflake\.lease": Is a directory/,
	$log_offset);
is($standby3->safe_psql('postgres', 'SELECT 1'), '1',
	'lease file not writable: the standby keeps serving queries');
my $primary_lsn = $standby2->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
is($standby3->safe_psql('postgres', "SELECT pg_last_wal_replay_lsn() < '$primary_lsn'"),
	't', 'lease file not writable: replay waits');
rmdir($lease_file) or die "could not unblock $lease_file: $!";
rename("$lease_file.moved", $lease_file) or die "could not restore $lease_file: $!";
$standby2->wait_for_catchup($standby3);
cmp_ok(lease_end_ms($standby3), '>=', lease_end_ms($standby2),
	'lease file writable again: replay caught up with the primary\'s lease');
$standby3->stop;

$standby2->stop;
done_testing();
