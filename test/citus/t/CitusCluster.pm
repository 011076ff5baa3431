# Helpers shared by the Citus tests: a cluster of nodes that preload citus and snowflake, each
# with a worker id of its own; the worker id a node really runs with; and the application that
# inserts through a node (insert_client.pl), whose every acknowledged row the tests account for.
#
# Every node listens only on a unix socket in the test's socket directory, which is also the
# host name the nodes reach each other by (Citus hands it to libpq as the host).
package CitusCluster;

use strict;
use warnings;
use Exporter 'import';
use FindBin;
use lib "$FindBin::RealBin/../../t";
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;
use Time::HiRes ();

our @EXPORT = qw(new_citus_cluster add_citus_worker worker_id_of start_inserts
  acknowledged_count wait_for_acknowledged stop_inserts client_outcomes);

# How nodes get their worker ids. 'static': snowflake.worker_id in each node's configuration,
# numbered in the order the nodes are made (the coordinator 1, the workers 2, 3, ...).
# 'registry': each node claims its own from a registry, a plain PostgreSQL (no Citus, no
# preload) with the snowflake extension, made with the first node. The tests read every node's
# id back with worker_id_of and assume no numbering.
my $worker_id_mode = $ENV{SNOWFLAKE_CITUS_WORKER_IDS} // 'static';
die "unknown SNOWFLAKE_CITUS_WORKER_IDS '$worker_id_mode': the modes are static and registry"
  unless $worker_id_mode eq 'static' || $worker_id_mode eq 'registry';
my $nodes_made = 0;
my $registry;

# The registry of the 'registry' mode, made and started on first use.
sub registry
{
	return $registry if $registry;
	$registry = PostgreSQL::Test::Cluster->new('registry');
	$registry->init;
	$registry->start;
	$registry->safe_psql('postgres', 'CREATE EXTENSION snowflake');
	return $registry;
}

# The parameters of new_snowflake_node that give the next node its worker id, and the lines its
# postgresql.conf needs for it.
sub worker_id_settings
{
	$nodes_made++;
	return ([ worker_id => $nodes_made ], '') if $worker_id_mode eq 'static';
	my $conninfo = 'host=' . registry()->host . ' port=' . registry()->port . ' dbname=postgres';
	return ([ worker_id => undef ],
		"snowflake.registry = '$conninfo'\nsnowflake.registry_ttl = '10s'\n");
}

# A started node with both extensions' libraries preloaded and citus created, not yet in any
# cluster's metadata.
sub new_citus_node
{
	my ($name) = @_;
	my ($worker_id_parameters, $worker_id_conf) = worker_id_settings();
	my $node = new_snowflake_node($name, @$worker_id_parameters);
	$node->append_conf('postgresql.conf', $worker_id_conf);
	# Citus must be first in shared_preload_libraries. Shard moves copy by logical replication;
	# the workers they start, the rebalancer's background tasks, Citus's maintenance daemon and
	# snowflake's lease worker all count against max_worker_processes. Six shards per table keep
	# moves short and still spread every table over every worker.
	$node->append_conf(
		'postgresql.conf', q{
shared_preload_libraries = 'citus,snowflake'
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
max_worker_processes = 20
citus.shard_count = 6
});
	# How a node reaches itself (a shard move subscribes to its own node); localhost by default.
	$node->append_conf('postgresql.conf', "citus.local_hostname = '" . $node->host . "'");
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	return $node;
}

# A coordinator and $worker_count workers, named coordinator, worker1, worker2, ...: the workers
# hold the shards, and every node has the metadata to route statements itself. snowflake is
# created on the coordinator, in version $snowflake_version if given; Citus creates it on every
# worker.
sub new_citus_cluster
{
	my ($worker_count, $snowflake_version) = @_;
	my $coordinator = new_citus_node('coordinator');
	$coordinator->safe_psql('postgres',
		    "SELECT citus_set_coordinator_host('"
		  . $coordinator->host . "', "
		  . $coordinator->port
		  . ')');
	my @workers = map { add_citus_worker($coordinator, "worker$_") } 1 .. $worker_count;
	$coordinator->safe_psql('postgres',
		'CREATE EXTENSION snowflake' . ($snowflake_version ? " VERSION '$snowflake_version'" : ''));
	return ($coordinator, @workers);
}

# A new worker added to the coordinator's cluster, as an operator adds one to a running cluster:
# Citus copies the metadata and the extensions (snowflake too) to it.
sub add_citus_worker
{
	my ($coordinator, $name) = @_;
	my $worker = new_citus_node($name);
	$coordinator->safe_psql('postgres',
		"SELECT citus_add_node('" . $worker->host . "', " . $worker->port . ')');
	return $worker;
}

# The worker id the node runs with, as the node reports it; one claimed from the registry, once
# the node has it. From snowflake_stats, which version 1.0 has too (001 starts with 1.0), not
# snowflake_worker_id() as SnowflakeTest's claimed_worker_id reads it.
sub worker_id_of
{
	my ($node) = @_;
	$node->poll_query_until('postgres', 'SELECT worker_id IS NOT NULL FROM snowflake_stats')
	  or die $node->name . ' has no worker id';
	return $node->safe_psql('postgres', 'SELECT worker_id FROM snowflake_stats');
}

my $insert_client = "$FindBin::RealBin/../insert_client.pl";
my @clients_started;

# A test that dies leaves no client inserting into its stopped nodes until its deadline.
END
{
	-e $_->{stop_file} || append_to_file($_->{stop_file}, '') for @clients_started;
}

# Starts insert_client.pl through $node, labelling its rows $origin, into @tables in turn. It
# stops at stop_inserts, or at the latest after three times the harness's default timeout.
sub start_inserts
{
	my ($node, $origin, @tables) = @_;
	my $prefix = $node->basedir . "/inserts_$origin";
	my %client = (
		origin => $origin,
		output => "$prefix.out",
		stop_file => "$prefix.stop");
	unlink $client{stop_file};
	$client{run} = IPC::Run::start(
		[
			'perl', $insert_client, $node->host, $node->port, $origin, $client{stop_file},
			3 * $PostgreSQL::Test::Utils::timeout_default, @tables
		],
		'>', $client{output}, '2>', "$prefix.err");
	push @clients_started, \%client;
	return \%client;
}

# How many rows the client has had acknowledged so far.
sub acknowledged_count
{
	my ($client) = @_;
	return 0 unless -e $client->{output};
	my @acknowledged = grep { /^ack\t/ } split /\n/, slurp_file($client->{output});
	return scalar @acknowledged;
}

# Waits until each client has had $count more rows acknowledged than in %$since (origin =>
# count; none yet if absent): proof that inserts went on meanwhile. Returns the new counts.
sub wait_for_acknowledged
{
	my ($count, $since, @clients) = @_;
	my $deadline = Time::HiRes::time() + $PostgreSQL::Test::Utils::timeout_default;
	my %now;
	for my $client (@clients)
	{
		my $origin = $client->{origin};
		until (($now{$origin} = acknowledged_count($client)) >= ($since->{$origin} // 0) + $count)
		{
			die "$origin: no $count more acknowledged inserts in time"
			  if Time::HiRes::time() > $deadline;
			Time::HiRes::usleep(50_000);
		}
	}
	return \%now;
}

# Stops the clients and checks that they ended by themselves.
sub stop_inserts
{
	my (@clients) = @_;
	append_to_file($_->{stop_file}, '') for @clients;
	for my $client (@clients)
	{
		ok($client->{run}->finish, "the client inserting through $client->{origin} ended cleanly");
	}
	return;
}

# What became of each of the client's rows: a list of [table, n, id], id undefined where the
# insert failed (and may or may not have committed).
sub client_outcomes
{
	my ($client) = @_;
	my @outcomes;
	for my $line (split /\n/, slurp_file($client->{output}))
	{
		my ($outcome, $table, $n, $id) = split /\t/, $line;
		push @outcomes, [ $table, $n, $outcome eq 'ack' ? $id : undef ];
	}
	return @outcomes;
}

1;
