# Restarts and crashes never make ids go back, even when the clock went back meanwhile: the
# server resumes after its lease, and refuses (rather than repeats) when that is too far ahead.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;

my $node = new_snowflake_node('restart');
$node->append_conf('postgresql.conf', 'restart_after_crash = on');    # the harness turns it off
start_clocked($node, 0);
$node->safe_psql('postgres', 'CREATE EXTENSION snowflake');

sub first_id { return $node->safe_psql('postgres', 'SELECT snowflake_nextval()'); }

sub stat_of { return $node->safe_psql('postgres', "SELECT $_[0] FROM snowflake_stats"); }

# (a) A clean restart resumes after the lease, not merely after the clock.
my $before = burst_max($node);
my $lease_end = lease_end_ms($node);
restart_clocked($node, 0);
my $after = first_id();
cmp_ok($after, '>', $before, 'clean restart: the first id is above every earlier id');
cmp_ok($node->safe_psql('postgres',
		"SELECT (extract(epoch FROM snowflake_to_timestamp($after)) * 1000)::bigint"),
	'>=', $lease_end, 'clean restart: the first id lies at or past the old lease end');

# (a2) Ids that ran ahead of a clock that never moved: after a restart the log says where ids
# resume, and no clock regression is counted, for there was none.
$node->safe_psql('postgres',
	"SELECT snowflake_advance_past(snowflake_from_timestamp(now() + interval '20 seconds'))");
my $log_offset = -s $node->logfile;
restart_clocked($node, 0);
first_id();
is(stat_of('clock_regressions'), '0',
	'restart after ids ran ahead of the clock: no clock regression is counted');
my $restart_log = slurp_file($node->logfile, $log_offset);
like($restart_log, qr/LOG:  snowflake ids resume after the last lease, \d{5} ms ahead of the system clock/,
	'restart after ids ran ahead of the clock: the log says where ids resume');
unlike($restart_log, qr/behind/, 'restart after ids ran ahead of the clock: the log blames no clock');

# (b) A crash with the clock then 30 s back: within snowflake.max_clock_lead, ids go on at once.
$before = burst_max($node);
$node->stop('immediate');
$log_offset = -s $node->logfile;
start_clocked($node, -30);
$after = first_id();
cmp_ok($after, '>', $before, 'crash, clock 30 s back: the first id is above every earlier id');
is(stat_of('waits'), '0', 'crash, clock 30 s back: the id came without waiting for the clock');
cmp_ok(stat_of('clock_regressions'), '>=', 1,
	'crash, clock 30 s back: a clock set back while the server was down counts a regression');
like(slurp_file($node->logfile, $log_offset),
	qr/the system clock is \d{5} ms behind the time the last snowflake lease was written/,
	'crash, clock 30 s back: the log says the clock is behind the time the lease was written');

# (c) A crash with the clock an hour back: the lease is past max_clock_lead, so it refuses
# instead of issuing lower ids, and resumes once the lead is allowed.
$before = burst_max($node);
$node->stop('immediate');
start_clocked($node, -3600);
my ($sqlstate, $stderr) = error_of($node, 'SELECT snowflake_nextval()');
is($sqlstate, '58000', 'crash, clock 1 h back: snowflake_nextval() fails with 58000');
like($stderr, qr/snowflake ids are \d{7} ms ahead of the system clock/,
	'crash, clock 1 h back: the error says how far ids are ahead of the clock');
like($stderr, qr/HINT:.*snowflake\.max_clock_lead/,
	'crash, clock 1 h back: the hint names snowflake.max_clock_lead');
cmp_ok(stat_of('wait_time_ms'), '<', 1000,
	'crash, clock 1 h back: a wait that cannot end in time fails at once');

set_reloadable($node, 'snowflake.max_clock_lead', 2 * 3600 * 1000);    # 2 h
$after = first_id();
cmp_ok($after, '>', $before, 'clock 1 h back, max_clock_lead 2h: ids resume above every earlier id');

# (d) A backend killed with SIGKILL makes the postmaster reinitialise shared memory; the clock
# went 30 s back just before, so only the lease keeps the ids above the earlier ones. (The
# regression count is checked in (b): the PG15 postmaster reinitialises in a signal handler
# that interrupted select(), where libfaketime shows the real clock.)
$node->safe_psql('postgres', 'ALTER SYSTEM RESET snowflake.max_clock_lead');
restart_clocked($node, 0);
my $session = $node->background_psql('postgres');
my $pid = $session->query_safe('SELECT pg_backend_pid()');
$before = burst_max($node);
set_clock($node, -30);
check_clock($node, -30);
$log_offset = -s $node->logfile;
kill 'KILL', $pid or die "could not kill backend $pid: $!";
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset);
$node->poll_query_until('postgres', 'SELECT true') or die 'the server did not come back';
$session->quit;
$after = first_id();
cmp_ok($after, '>', $before, 'killed backend, clock 30 s back: ids stay above every earlier id');
cmp_ok(stat_of('lead_ms'), '>', 25000,
	'killed backend, clock 30 s back: ids run ahead of the clock, after the lease');

# (e) Ids that came from elsewhere (a restore, pg_upgrade): after snowflake_advance_past, every
# new id is above the given one, also after a clean restart and after a crash.
$node->safe_psql('postgres', 'ALTER SYSTEM RESET snowflake.max_clock_lead');
restart_clocked($node, 0);
my $foreign = $node->safe_psql('postgres',
	"SELECT snowflake_from_timestamp(now() + interval '20 seconds') | (1023 << 12) | 4095");
$node->safe_psql('postgres', "SELECT snowflake_advance_past($foreign)");
cmp_ok(first_id(), '>', $foreign, 'advance_past: the next id is above the given one');
$node->restart;
cmp_ok(first_id(), '>', $foreign, 'advance_past, clean restart: ids stay above the given one');
$node->stop('immediate');
$node->start;
cmp_ok(first_id(), '>', $foreign, 'advance_past, crash: ids stay above the given one');

$node->stop;
done_testing();
