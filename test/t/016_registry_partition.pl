# A partition between a holder of a worker id and the registry: server A reaches the registry
# through a proxy (socat) that the test freezes with SIGSTOP, so that A's connections hang
# rather than fail, while ids keep being requested from A and from B, a server configured with
# A's worker id and its clock 10 s behind. A stops issuing before its claim expires; B takes the
# worker id over once it has: no id is issued by both, A had stopped before B's first id, and
# B's ids lie above A's. The partition healed, A learns that it lost the worker id and claims
# another. Cut off again, A cannot take its ids past the bound the registry recorded for it.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;
use IO::Socket::INET;
use POSIX ();
use Time::HiRes qw(time usleep);

my $test_started = time;

# A claim lasting 4 s: renewed every 1.3 s; a holder that cannot renew stops issuing 3 s after
# it sent its last successful renewal; each call to the registry is given up after 1 s.
my $ttl_s = 4;

my $registry = new_registry('registry');

# The proxy: socat on 127.0.0.1, a process for each connection, all in one process group that
# SIGSTOP freezes at once: the kernel still accepts connections to a frozen listener, and
# nothing answers on them. Started again on the same port after it was killed.
my $proxy_port = PostgreSQL::Test::Cluster::get_free_port();
my $proxy_log = PostgreSQL::Test::Utils::tempdir() . '/socat.log';
my $proxy_pid;

sub start_proxy
{
	$proxy_pid = fork() // die "could not fork: $!";
	if ($proxy_pid == 0)
	{
		POSIX::setpgid(0, 0);
		open(STDOUT, '>>', $proxy_log) && open(STDERR, '>&', \*STDOUT) or POSIX::_exit(126);
		exec('socat', "TCP-LISTEN:$proxy_port,bind=127.0.0.1,reuseaddr,fork",
			'TCP:127.0.0.1:' . $registry->port)
		  or POSIX::_exit(127);
	}
	POSIX::setpgid($proxy_pid, $proxy_pid);    # here too, so that no signal comes before it
	wait_until('socat to listen',
		sub { IO::Socket::INET->new(PeerAddr => "127.0.0.1:$proxy_port") });
	return;
}
sub freeze_proxy { kill('STOP', -$proxy_pid) or die "could not stop socat: $!"; return; }
sub thaw_proxy   { kill('CONT', -$proxy_pid) or die "could not continue socat: $!"; return; }

# Kills the proxy and whatever it holds: what was sent through it is lost, not delivered late.
sub kill_proxy
{
	kill('KILL', -$proxy_pid);
	waitpid($proxy_pid, 0);
	$proxy_pid = undef;
	return;
}
# Whatever ends the test, the proxy goes with it.
END { kill('KILL', -$proxy_pid) if $proxy_pid; }

start_proxy();

my $server_a = new_registry_node('a', "host=127.0.0.1 port=$proxy_port dbname=postgres", $ttl_s);
$server_a->start;
$server_a->safe_psql('postgres', 'CREATE EXTENSION snowflake');
my $worker_id = claimed_worker_id($server_a);
# Only the proxy connects to the registry over TCP.
is($registry->safe_psql('postgres',
		"SELECT count(*) > 0 FROM pg_stat_activity WHERE client_addr = '127.0.0.1'"),
	't', 'A reaches the registry through the proxy');

my $server_b = new_registry_node('b', registry_conninfo($registry), $ttl_s, worker_id => $worker_id);
start_clocked($server_b, -10);
$server_b->safe_psql('postgres', 'CREATE EXTENSION snowflake');

# Sessions that ask for one id at a time and wait for nothing: a refusal comes at once.
my %session;
for my $node ($server_a, $server_b)
{
	$session{ $node->name } = $node->background_psql('postgres', on_error_stop => 0);
	$session{ $node->name }->query_safe('SET snowflake.clock_wait_timeout = 1');
}

# Asks $name for an id: [when, id] when it issued one, else the error's text.
sub ask
{
	my ($name) = @_;
	my $session = $session{$name};
	my $asked_at = time;
	my $id = $session->query('SELECT snowflake_nextval()');
	my $error = $session->{stderr};
	$session->{stderr} = '';
	return $error ne '' ? $error : [ $asked_at, $id ];
}

# Both asked in turn throughout: A cut off after it issued a while, B taking over once A's claim
# expired, until B has issued for a second.
my (%issued, %refusals_cut_off, %last_refusal, $frozen_at);
my $deadline = time + 10 * $ttl_s;
while (time < $deadline)
{
	for my $name ('a', 'b')
	{
		my $answer = ask($name);
		if (ref $answer)
		{
			push @{ $issued{$name} }, $answer;
		}
		else
		{
			$refusals_cut_off{$name}++ if $frozen_at;
			$last_refusal{$name} = $answer;
		}
	}
	if (!$frozen_at && @{ $issued{a} // [] } >= 50)
	{
		freeze_proxy();
		$frozen_at = time;
	}
	last if $issued{b} && time - $issued{b}[0][0] > 1;
	usleep(2_000);
}
my @a_ids = map { $_->[1] } @{ $issued{a} // [] };
my @b_ids = map { $_->[1] } @{ $issued{b} // [] };
my ($a_last_at, $b_first_at) = ($issued{a}[-1][0], $issued{b} ? $issued{b}[0][0] : undef);
ok(defined $b_first_at, 'B took the worker id over and issued ids');
cmp_ok(scalar(grep { $_->[0] > $frozen_at } @{ $issued{a} }),
	'>', 0, 'A went on issuing after it was cut off, while its claim lasted');
like($last_refusal{a} // '', qr/could not renew its claim on worker id $worker_id/,
	'A then refused, as it could not renew its claim');
like($last_refusal{b} // '', qr/snowflake.worker_id = $worker_id is held by another server/,
	'B was refused the worker id while A held it');
my %a_id = map { $_ => 1 } @a_ids;
is(scalar(grep { $a_id{$_} } @b_ids), 0, 'no id was issued by both A and B');
cmp_ok($b_ids[0], '>', (sort { $a <=> $b } @a_ids)[-1],
	"B's first id is above A's last, although B's clock is 10 s behind");
cmp_ok($a_last_at, '<', $b_first_at, 'A had stopped issuing before B issued its first id');
my $b_id_array = "'{" . join(',', @b_ids) . "}'::bigint[]";
is( $server_b->safe_psql(
		'postgres', "SELECT count(*) FROM unnest($b_id_array) AS id
		WHERE (snowflake_decode(id)).worker_id <> $worker_id"),
	0, 'B issued with the worker id it took over');
note(
	sprintf(
		'partition: A issued %d ids (%d after it was cut off, its last %.2f s after), refused %d '
		  . 'times; B issued its first id %.2f s after the cut, %d ids in all',
		scalar(@a_ids), scalar(grep { $_->[0] > $frozen_at } @{ $issued{a} }),
		$a_last_at - $frozen_at, $refusals_cut_off{a} // 0,
		$b_first_at - $frozen_at, scalar(@b_ids)));

# Healed (what was sent through the frozen proxy now arrives, late): A's next renewal finds the
# worker id gone, and A claims another, its ids above all it issued before.
my $log_offset = -s $server_a->logfile;
thaw_proxy();
$server_a->wait_for_log(qr/WARNING:  snowflake lost its claim on worker id $worker_id in the registry/,
	$log_offset);
my $new_worker_id = wait_until(
	'A to claim another worker id',
	sub {
		my $id = $server_a->safe_psql('postgres', 'SELECT snowflake_worker_id()');
		return $id ne '' && $id != $worker_id ? $id : undef;
	});
cmp_ok($session{a}->query_safe('SELECT snowflake_nextval()'),
	'>', (sort { $a <=> $b } @a_ids)[-1],
	"healed: A's ids under worker id $new_worker_id are above its earlier ones");

# Cut off again, A cannot take its ids past the bound the registry recorded for it: moving its
# ids 20 s ahead (snowflake_advance_past) needs a higher one, so it fails, rather than promise
# what a restart would not keep. A clean shutdown while cut off does not hang on the frozen
# proxy either. This time the partition ends with the proxy killed, so that nothing A sent
# meanwhile arrives; back, A resumes above every id it issued.
$session{$_}->quit for keys %session;
freeze_proxy();
my $ahead_id = $server_a->safe_psql('postgres',
	"SELECT snowflake_from_timestamp(clock_timestamp() + interval '20 s')");
my ($sqlstate, $error) = error_of($server_a,
	"SET snowflake.clock_wait_timeout = '500ms'; SELECT snowflake_advance_past($ahead_id)");
is($sqlstate, '55000', 'cut off: snowflake_advance_past() past the recorded bound fails');
like($error, qr/could not renew its claim on worker id $new_worker_id/,
	'cut off: the error says the claim could not be renewed');
# Whatever A still issues (nothing, once the advance failed) counts among its earlier ids.
my (undef, $last_before_stop) = $server_a->psql('postgres',
	"SET snowflake.clock_wait_timeout = '100ms'; SELECT snowflake_nextval()");
my $stopping_at = time;
$server_a->stop;
my $stop_s = time - $stopping_at;
cmp_ok($stop_s, '<', 10, 'cut off: a clean shutdown does not hang on the frozen proxy');
kill_proxy();
start_proxy();
$server_a->start;
is(claimed_worker_id($server_a), $new_worker_id, 'back: A holds its worker id again');
my $first_after = $server_a->safe_psql('postgres', 'SELECT snowflake_nextval()');
my @a_earlier = sort { $a <=> $b } @a_ids, grep { $_ ne '' } $last_before_stop;
cmp_ok($first_after, '>', $a_earlier[-1], 'back: A issues above every id it issued before');
ok($sqlstate eq '55000' || $first_after > $ahead_id,
	'back: an advance that did not fail holds across the restart');
note(sprintf('A stopped in %.2f s while cut off', $stop_s));

$_->stop for $server_a, $server_b, $registry;
kill_proxy();
note(sprintf('run time: %.1f s', time - $test_started));

done_testing();
