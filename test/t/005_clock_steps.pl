# The wall clock stepping back, jumping forward and standing still (libfaketime): ids keep
# rising; a step within snowflake.max_clock_lead costs no error and no wait; past it callers
# wait for the clock, interruptibly and at most snowflake.clock_wait_timeout, else fail at once.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;
use Time::HiRes qw(time);

my $worker_id = 7;
my $ids_per_ms = 4096;

my $node = new_snowflake_node('clock_steps', worker_id => $worker_id);
$node->append_conf('postgresql.conf', 'autovacuum = off');
start_clocked($node, 0);
$node->safe_psql('postgres', 'CREATE EXTENSION snowflake');

# Clock steps are noticed per backend, so one session sees the clock before and after each.
my $session = $node->background_psql('postgres',
	on_error_stop => 0, extra_params => [ '-v', 'VERBOSITY=verbose' ]);

# Runs $sql in the session: its output, its error text and the seconds it took.
sub run_sql
{
	my ($sql) = @_;
	my $start = time;
	my $out = $session->query($sql);
	my $seconds = time - $start;
	my $err = $session->{stderr};
	$session->{stderr} = '';
	return ($out, $err, $seconds);
}

sub query { return $session->query_safe($_[0]); }
sub next_id { return query('SELECT snowflake_nextval()'); }

sub stats
{
	my @names = qw(lead_ms clock_regressions largest_regression_ms borrowed_ms waits wait_time_ms);
	my %stats;
	@stats{@names} = split /\|/, query('SELECT ' . join(', ', @names) . ' FROM snowflake_stats');
	return \%stats;
}

# Puts the server's clock $offset seconds off real time and checks through the session that
# it runs there, to the ms.
sub set_session_clock
{
	my ($offset) = @_;
	set_clock($node, $offset);
	my $before = time;
	my $server = query('SELECT extract(epoch FROM clock_timestamp())');
	my $after = time;
	die "the server's clock is not ${offset}s off real time: libfaketime failed"
	  unless $server >= $before + $offset - 0.005 && $server <= $after + $offset + 0.005;
	return;
}

# Stops the server's clock at $unix_seconds and checks that two readings in the session find
# it there.
sub freeze_session_clock
{
	my ($unix_seconds) = @_;
	freeze_clock($node, $unix_seconds);
	my $readings = join ',', map { query('SELECT extract(epoch FROM clock_timestamp())') } 1 .. 2;
	die "libfaketime did not freeze the server clock: $readings"
	  unless $readings eq "$unix_seconds.000000,$unix_seconds.000000";
	return;
}

# The error's SQLSTATE, and the ms the message says the clock is behind (if it says so).
sub error_parts
{
	my ($err) = @_;
	my ($sqlstate) = $err =~ /ERROR:  ([0-9A-Z]{5}):/;
	my ($behind) = $err =~ /snowflake ids are (\d+) ms ahead of the system clock/;
	return ($sqlstate // 'none', $behind // -1);
}

sub log_lines_since
{
	my ($offset, $regexp) = @_;
	my @matches = slurp_file($node->logfile, $offset) =~ /$regexp/g;
	return @matches;
}

my $stepped_back_log = qr/LOG:  snowflake_nextval\(\) saw the system clock step back (\d+) ms/;

# Steps the clock back from $from to $to seconds off real time and checks the next id.
sub step_back
{
	my ($from, $to) = @_;
	my $step_ms = ($from - $to) * 1000;
	my $before = stats();
	my $started = time;
	my $last = next_id();
	set_session_clock($to);
	my ($id, $err) = run_sql('SELECT snowflake_nextval()');
	my $gap_ms = (time - $started) * 1000;
	my $after = stats();
	is($err, '', "step back ${step_ms} ms: snowflake_nextval() raises no error");
	cmp_ok($id, '>', $last, "step back ${step_ms} ms: the next id is above the last");
	is($after->{waits}, $before->{waits}, "step back ${step_ms} ms: nobody waited");
	is($after->{clock_regressions}, $before->{clock_regressions} + 1,
		"step back ${step_ms} ms: counted as one clock regression");
	# The session read the clock just before the step and again at most $gap_ms later.
	cmp_ok($after->{largest_regression_ms}, '>=', $step_ms - $gap_ms - 1,
		"step back ${step_ms} ms: largest_regression_ms reflects the step");
	cmp_ok($after->{lead_ms}, '<=', 60000,
		"step back ${step_ms} ms: ids lead the clock by no more than max_clock_lead");
	return;
}

# (a) Steps back of 1 s, and another right after: logged once per 10 s, counted each time.
my $log_offset = -s $node->logfile;
set_session_clock(0);
step_back(0, -1);
step_back(-1, -2);
my @logged = log_lines_since($log_offset, $stepped_back_log);
is(scalar(@logged), 1, 'two 1 s steps within 10 s: one LOG line (rate-limited)');
cmp_ok($logged[0] // 0, '>=', 500, 'the LOG line says how far the clock stepped back');

# (b) A 30 s step: a new LOG line, since the clock is now more than 10 s before the last one.
step_back(-2, -32);
@logged = log_lines_since($log_offset, $stepped_back_log);
is(scalar(@logged), 2, 'a 30 s step back is logged again');
cmp_ok($logged[1] // 0, '>=', 29000, 'the LOG line reports the 30 s step');

# A forward step is no regression.
my $regressions = stats()->{clock_regressions};
my $last = next_id();
set_session_clock(0);
cmp_ok(next_id(), '>', $last, 'clock back to real time: ids keep rising');
is(stats()->{clock_regressions}, $regressions, 'a forward step is not counted as a regression');

# (c) An hour back, far past max_clock_lead = 60 s: a clear error at once, no id issued.
$last = next_id();
set_session_clock(-3600);
my ($out, $err, $seconds) = run_sql('SELECT snowflake_nextval()');
my ($sqlstate, $behind) = error_parts($err);
is($sqlstate, '58000', 'an hour back: snowflake_nextval() fails with SQLSTATE 58000');
ok($behind > 3_500_000 && $behind <= 3_600_000,
	'an hour back: the error says the clock is an hour behind')
  or diag($err);
is($out, '', 'an hour back: no id is returned');
cmp_ok($seconds, '<', 5, 'an hour back: the error comes at once, not after a wait');
set_session_clock(0);
cmp_ok(next_id(), '>', $last, 'an hour back and return: the next id is above the last');

# (d) With max_clock_lead = 500 ms, a 1.5 s step back makes the caller wait about 1 s.
set_reloadable($node, 'snowflake.max_clock_lead', 500, $session);
my $before = stats();
$last = next_id();
$log_offset = -s $node->logfile;
set_session_clock(-1.5);
my $id;
($id, $err, $seconds) = run_sql('SELECT snowflake_nextval()');
my $after = stats();
is($err, '', 'bounded wait: snowflake_nextval() succeeds after waiting');
cmp_ok($id, '>', $last, 'bounded wait: the id is above the last');
ok($seconds >= 0.5 && $seconds < 3,
	'bounded wait: it waited about the 1 s the lead exceeded the bound')
  or diag("waited $seconds s");
cmp_ok($after->{lead_ms}, '<=', 500,
	'bounded wait: afterwards ids lead the clock by at most max_clock_lead');
is($after->{waits}, $before->{waits} + 1, 'bounded wait: snowflake_stats counts the wait');
my $wait_ms = $after->{wait_time_ms} - $before->{wait_time_ms};
ok($wait_ms >= 500 && $wait_ms <= $seconds * 1000, 'bounded wait: snowflake_stats counts its time')
  or diag("wait_time_ms grew by $wait_ms");
is(scalar(log_lines_since($log_offset, qr/LOG:  snowflake_nextval\(\) waited \d+ us for the system clock/)), 1,
	'bounded wait: the wait is logged');

# The same situation, with clock_wait_timeout too short for the wait: it fails at once.
query("SET snowflake.clock_wait_timeout = '100ms'");
set_session_clock(-3);
$before = stats();
($out, $err) = run_sql('SELECT snowflake_nextval()');
($sqlstate) = error_parts($err);
is($sqlstate, '58000', 'clock_wait_timeout shorter than the wait: SQLSTATE 58000');
like($err, qr/and 0 ms were spent waiting within snowflake\.clock_wait_timeout = 100 ms/,
	'clock_wait_timeout shorter than the wait: it fails without waiting');
is(stats()->{waits}, $before->{waits}, 'a call that fails without waiting is not a wait');

# Without a clock_wait_timeout, statement_timeout still ends the wait.
query("SET snowflake.clock_wait_timeout = 0");
query("SET statement_timeout = '200ms'");
set_session_clock(-3600);
$before = stats();
($out, $err, $seconds) = run_sql('SELECT snowflake_nextval()');
$after = stats();
is($after->{waits}, $before->{waits} + 1, 'a wait cut short by a cancel is counted');
cmp_ok($after->{wait_time_ms} - $before->{wait_time_ms}, '>=', 100,
	'a wait cut short by a cancel counts the time it spent');
($sqlstate) = error_parts($err);
is($sqlstate, '57014', 'statement_timeout interrupts a wait for the clock (SQLSTATE 57014)');
like($err, qr/canceling statement due to statement timeout/,
	'the wait ends as a statement timeout');
ok($seconds >= 0.15 && $seconds < 5, 'the wait lasted about the statement timeout')
  or diag("it took $seconds s");
query('RESET statement_timeout');
query('RESET snowflake.clock_wait_timeout');
set_reloadable($node, 'snowflake.max_clock_lead', 60000, $session);

# (e) An hour forward: ids jump to the new time and keep rising; no regression is counted.
$regressions = stats()->{clock_regressions};
set_session_clock(3600);
my $jumped = query(
	'WITH s AS MATERIALIZED (SELECT clock_timestamp() AS before, snowflake_nextval() AS id,
	                                clock_timestamp() AS after)
	 SELECT id, (snowflake_decode(id)).ts BETWEEN date_trunc(\'milliseconds\', before) AND after
	 FROM s');
my ($jumped_id, $at_clock) = split /\|/, $jumped;
is($at_clock, 't', 'an hour forward: the id carries the jumped clock\'s time');
cmp_ok(next_id(), '>', $jumped_id, 'an hour forward: ids keep rising');
is(stats()->{clock_regressions}, $regressions, 'an hour forward: no regression counted');

# (f) A frozen clock with the lead capped at 200 ms: ids of the frozen ms and the 200 after it,
# 4096 each, then callers spin for the clock until clock_wait_timeout and fail.
set_reloadable($node, 'snowflake.max_clock_lead', 200, $session);
query("SET snowflake.clock_wait_timeout = '100ms'");
my $capacity = 201 * $ids_per_ms;
my $frozen = int(time) + 3600 + 2;

# Ids of worker $worker_id from the first of ms $from_ms to the last of $to_ms after $unix_s.
sub id_range
{
	my ($unix_s, $from_ms, $to_ms) = @_;
	my $ms = "to_timestamp($unix_s) + interval '1 ms' *";
	return (
		"snowflake_from_timestamp($ms $from_ms) + ($worker_id << 12)",
		"snowflake_from_timestamp($ms $to_ms) + ($worker_id << 12) + 4095");
}

freeze_session_clock($frozen);
$before = stats();
query("CREATE TEMP TABLE frozen_ids AS SELECT snowflake_nextval_batch($capacity) AS id");
my ($first, $final) = id_range($frozen, 0, 200);
is(query("SELECT count(*), count(DISTINCT id), min(id) = $first, max(id) = $final,
	bool_and((snowflake_decode(id)).worker_id = $worker_id) FROM frozen_ids"),
	"$capacity|$capacity|t|t|t",
	'frozen clock: 201 ms x 4096 ids, every id from the frozen ms to 200 ms ahead');
($out, $err, $seconds) = run_sql('SELECT snowflake_nextval()');
($sqlstate, $behind) = error_parts($err);
is("$sqlstate $behind", '58000 200',
	'frozen clock: the next id fails with SQLSTATE 58000, the last id 200 ms ahead');
my ($spun_ms) = $err =~ /must advance 1 ms more, and (\d+) ms were spent waiting/;
cmp_ok($spun_ms // -1, '>=', 100, 'frozen clock: it spun for the clock until clock_wait_timeout');
cmp_ok($seconds, '>=', 0.1, 'frozen clock: the spin lasted clock_wait_timeout');
$after = stats();
is($after->{lead_ms}, 200, 'frozen clock: ids lead the clock by exactly max_clock_lead');
is($after->{borrowed_ms} - $before->{borrowed_ms}, 200,
	'frozen clock: 200 ms borrowed ahead of the clock');
is($after->{waits} - $before->{waits}, 1, 'frozen clock: the failed wait is counted');

# Sustained demand of 2 million ids while frozen gets the same 201 ms, then the same error.
freeze_session_clock($frozen + 1);
$before = stats();
($out, $err) = run_sql('SELECT count(*) FROM (SELECT snowflake_nextval_batch(2000000)) AS s');
($sqlstate, $behind) = error_parts($err);
is("$sqlstate $behind", '58000 200',
	'frozen clock, 2 million ids asked: fails with 58000 at the lead bound');
$after = stats();
is($after->{lead_ms}, 200, 'frozen clock, 2 million ids asked: the lead stops at max_clock_lead');
is($after->{borrowed_ms} - $before->{borrowed_ms}, 200,
	'frozen clock, 2 million ids asked: exactly 200 ms borrowed');

# Unfrozen, with the default bound again: ids continue above everything issued while frozen.
set_reloadable($node, 'snowflake.max_clock_lead', 60000, $session);
set_session_clock(3600);
my (undef, $frozen_max) = id_range($frozen + 1, 0, 200);
is(query("SELECT snowflake_nextval() > $frozen_max"), 't',
	'clock running again: ids continue above those issued while frozen');

# (g) A clock that jumps past the end of the layout's range (2080) while ids are far from it:
# the error says the clock is ahead, not that ids have run out, and nothing changes.
my $last_before_jump = next_id();
set_session_clock(60 * 365 * 86400);
($out, $err) = run_sql('SELECT snowflake_nextval()');
like($err, qr/ERROR:  58000: the system clock is past the last millisecond snowflake ids can hold/,
	'clock past the range: the error says the clock is ahead');
unlike($err, qr/run out/, 'clock past the range: the error does not say ids ran out');
like($err, qr/HINT:  If the clock is wrong, correct it/, 'clock past the range: the hint');

# (h) One NTP mistake: 30 days forward, ids follow, then back. Ids are 30 days ahead of the
# clock, past the default bound; raising snowflake.max_clock_lead past 30 days (its limit is 100
# years) and reloading resumes rising ids at once, without waiting a month.
set_session_clock(3600 + 30 * 86400);
my $glitch_id = next_id();
cmp_ok($glitch_id, '>', $last_before_jump, '30 days forward: ids follow the clock');
set_session_clock(3600);
($out, $err) = run_sql('SELECT snowflake_nextval()');
is((error_parts($err))[0], '58000', '30 days back: ids are refused, 30 days ahead of the clock');
set_reloadable($node, 'snowflake.max_clock_lead', 31 * 86400 * 1000, $session);
($out, $err) = run_sql('SELECT snowflake_nextval()');
is($err, '', 'max_clock_lead raised to 31 days: ids are issued again at once');
cmp_ok($out, '>', $glitch_id, 'max_clock_lead raised to 31 days: above the ids made in the glitch');

$session->quit;
$node->stop;
done_testing();
