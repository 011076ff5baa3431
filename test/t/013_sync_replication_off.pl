# Switching synchronous replication off releases every call that waits for a lease to be
# confirmed, as it releases a waiting COMMIT: the renewing call, a call queued behind it, and a
# call whose client went away without cancelling; a configuration reload alone does it, within
# a second or two.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use IPC::Run ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;
use Time::HiRes ();

my $node = new_snowflake_node('sync_off', allows_streaming => 1);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snowflake');
$node->safe_psql('postgres', "ALTER SYSTEM SET synchronous_standby_names = 'ghost'");
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('synchronous_standby_names') = 'ghost'")
  or die 'the setting was not loaded';

# Ten million ids reach past any lease: each call must renew, and no standby confirms.
my $beyond_any_lease = 'SELECT count(*) FROM snowflake_nextval_batch(10000000)';
my $waiting = q{SELECT count(*) FROM pg_stat_activity
	WHERE query LIKE '%snowflake_nextval_batch(10000000)%' AND pid <> pg_backend_pid()
	  AND state = 'active' AND wait_event IS NOT NULL};

my $first = $node->background_psql('postgres');
$first->query_until(qr/started/, "\\echo started\n$beyond_any_lease;\n");
my $second = $node->background_psql('postgres');
$second->query_until(qr/started/, "\\echo started\n$beyond_any_lease;\n");
# A client that goes away without cancelling: its backend goes on waiting.
my ($stdin, $stdout, $stderr) = ("$beyond_any_lease;\n", '', '');
my $gone = IPC::Run::start(
	[ 'psql', '-X', '-d', $node->connstr('postgres') ], \$stdin, \$stdout, \$stderr);
$gone->pump while length $stdin;
$node->poll_query_until('postgres', "SELECT ($waiting) = 3")
  or die 'the three calls did not all wait';
$gone->kill_kill;
is($node->safe_psql('postgres', $waiting), '3', 'the call of a client that went away still waits');

# The remedy every DBA uses: empty the setting and reload.
$node->safe_psql('postgres', "ALTER SYSTEM SET synchronous_standby_names = ''");
my $started = Time::HiRes::time();
$node->reload;
$node->poll_query_until('postgres', "SELECT ($waiting) = 0") or die 'the waiting calls were not released';
my $released_after = Time::HiRes::time() - $started;
cmp_ok($released_after, '<', 3, 'a reload that switches synchronous replication off releases every waiting call');
note(sprintf('released %.2f s after the reload', $released_after));
is($first->query_safe(''), '10000000', 'the renewing call returns its ids');
is($second->query_safe(''), '10000000', 'the call queued behind it returns its ids');
$first->quit;
$second->quit;

$node->stop;
done_testing();
