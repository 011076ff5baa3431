# Ids on a Citus cluster that changes under load: applications insert through every node while
# a shard moves by logical replication, a worker restarts, the coordinator crashes, and a worker
# added later takes its share in a rebalance. Proves: every insert that was acknowledged is there
# with the id it was acknowledged with (none lost, none changed), no row appears that no client
# inserted, no two rows share an id, every id carries the worker id of the node the insert went
# through (the new worker's too), and each node's ids rise in the order its inserts were made,
# across its restart and the crash.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use CitusCluster;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes;

my $test_started = Time::HiRes::time();

# Inserts each client must have acknowledged while a change is under way, and after it.
my $inserts_meanwhile = 20;

my ($coordinator, $worker1, $worker2) = new_citus_cluster(2);
my %node_named = map { $_->name => $_ } $coordinator, $worker1, $worker2;
my @tables = qw(orders_bigint orders_snowflake);
$coordinator->safe_psql(
	'postgres', q{
	CREATE TABLE orders_bigint (id bigint PRIMARY KEY DEFAULT snowflake_nextval(),
		origin text NOT NULL, n integer NOT NULL);
	SELECT create_distributed_table('orders_bigint', 'id');
	CREATE TABLE orders_snowflake (id snowflake PRIMARY KEY DEFAULT snowflake_nextval(),
		origin text NOT NULL, n integer NOT NULL);
	SELECT create_distributed_table('orders_snowflake', 'id');
});

my %client = map { $_ => start_inserts($node_named{$_}, $_, @tables) } sort keys %node_named;
wait_for_acknowledged($inserts_meanwhile, {}, values %client);

# Runs $change while the clients insert, and checks that each of @busy had inserts acknowledged
# while it ran; then waits until every client has inserts acknowledged after it.
sub while_inserting
{
	my ($what, $change, @busy) = @_;
	my $before = { map { $_->{origin} => acknowledged_count($_) } values %client };
	$change->();
	for my $client (@busy)
	{
		cmp_ok(acknowledged_count($client), '>', $before->{ $client->{origin} },
			"$what: inserts through $client->{origin} went on meanwhile");
	}
	wait_for_acknowledged($inserts_meanwhile,
		{ map { $_->{origin} => acknowledged_count($_) } values %client }, values %client);
	return;
}

# The node holding each shard of a table: shard id => port.
sub placements
{
	my ($table) = @_;
	return map { split /\|/ } split /\n/,
	  $coordinator->safe_psql('postgres',
		"SELECT shardid, nodeport FROM citus_shards WHERE table_name = '$table'::regclass");
}

# A shard of the snowflake-keyed table moves from worker1 to worker2 by logical replication,
# which keeps it writable while it is copied.
my %placement = placements('orders_snowflake');
my ($moving) = sort grep { $placement{$_} == $worker1->port } keys %placement;
while_inserting(
	'logical shard move',
	sub {
		$coordinator->safe_psql(
			'postgres', sprintf(
				"SELECT citus_move_shard_placement(%d, '%s', %d, '%s', %d, "
				  . "shard_transfer_mode => 'force_logical')",
				$moving, $worker1->host, $worker1->port, $worker2->host, $worker2->port));
	},
	values %client);
%placement = placements('orders_snowflake');
is($placement{$moving}, $worker2->port, 'the shard moved to worker2');

# worker1 stops and starts again. While it is down, inserts through the other nodes go on (those
# whose row belongs on worker1 fail).
while_inserting(
	'worker restart',
	sub {
		$worker1->stop;
		wait_for_acknowledged($inserts_meanwhile,
			{ map { $_ => acknowledged_count($client{$_}) } qw(coordinator worker2) },
			@client{qw(coordinator worker2)});
		$worker1->start;
	},
	@client{qw(coordinator worker2)});

# The coordinator crashes (immediate shutdown: no checkpoint, no goodbye to clients) and starts
# again. Meanwhile the workers route inserts themselves.
while_inserting(
	'coordinator crash',
	sub {
		$coordinator->stop('immediate');
		wait_for_acknowledged($inserts_meanwhile,
			{ map { $_ => acknowledged_count($client{$_}) } qw(worker1 worker2) },
			@client{qw(worker1 worker2)});
		$coordinator->start;
	},
	@client{qw(worker1 worker2)});

# A third worker joins; inserts go through it too, and a rebalance moves shards onto it by
# logical replication, in background tasks, while all four nodes take inserts.
my $worker3 = add_citus_worker($coordinator, 'worker3');
$node_named{worker3} = $worker3;
$client{worker3} = start_inserts($worker3, 'worker3', @tables);
wait_for_acknowledged($inserts_meanwhile, {}, $client{worker3});
while_inserting(
	'rebalance',
	sub {
		$coordinator->safe_psql(
			'postgres', q{
			SELECT citus_rebalance_start(shard_transfer_mode => 'force_logical');
			SELECT citus_rebalance_wait();
		});
	},
	values %client);
is( $coordinator->safe_psql(
		'postgres',
		'SELECT state FROM pg_dist_background_job ORDER BY job_id DESC LIMIT 1'),
	'finished',
	'the rebalance finished');
for my $table (@tables)
{
	%placement = placements($table);
	cmp_ok(scalar(grep { $_ == $worker3->port } values %placement),
		'>', 0, "the rebalance moved shards of $table onto worker3");
}

stop_inserts(values %client);

# Account for every row. Worker ids are read from the nodes now, after their restarts.
my %worker_id = map { $_ => worker_id_of($node_named{$_}) } keys %node_named;
is(scalar(keys %{ { reverse %worker_id } }), 4, 'every node has a worker id of its own');
note(join ', ', map { "$_: worker id $worker_id{$_}" } sort keys %worker_id);

my (%stored, %ids_seen, $duplicate_ids, @foreign);
for my $table (@tables)
{
	for my $row (
		split /\n/,
		$coordinator->safe_psql(
			'postgres', "SELECT origin, n, id, (snowflake_decode(id)).worker_id FROM $table"))
	{
		my ($origin, $n, $id, $maker) = split /\|/, $row;
		$duplicate_ids++ if $ids_seen{$id}++;
		push @{ $stored{$origin}{$n} }, { table => $table, id => $id };
		push @foreign, "$table $id (through $origin): worker id $maker"
		  if $maker != $worker_id{$origin};
	}
}
is($duplicate_ids // 0, 0, 'no two rows share an id');
is(scalar(@foreign), 0, 'every id carries the worker id of the node the insert went through')
  or diag(join "\n", @foreign[ 0 .. 9 ]);

for my $origin (sort keys %client)
{
	my (@lost, @changed, $in_doubt, $committed_in_doubt, @out_of_order, $last_id);
	my %inserted;
	for my $outcome (client_outcomes($client{$origin}))
	{
		my ($table, $n, $id) = @$outcome;
		$inserted{$n} = 1;
		my $rows = $stored{$origin}{$n} // [];
		if (!defined $id)
		{
			$in_doubt++;
			$committed_in_doubt++ if @$rows;
			next;
		}
		if (!@$rows) { push @lost, "$table $n ($id)"; next; }
		push @changed, "$table $n: acknowledged $id, stored $rows->[0]{id}"
		  if @$rows != 1 || $rows->[0]{table} ne $table || $rows->[0]{id} ne $id;
	}
	# Rows in id order must be in insert order: a node's ids only rise.
	for my $n (sort { $a <=> $b } keys %{ $stored{$origin} })
	{
		my $id = $stored{$origin}{$n}[0]{id};
		push @out_of_order, "n $n: $id after $last_id" if defined $last_id && $id <= $last_id;
		$last_id = $id;
	}
	my @unknown = grep { !$inserted{$_} } keys %{ $stored{$origin} };
	is(scalar(@lost), 0, "$origin: every acknowledged insert is there") or diag("@lost[0 .. 9]");
	is(scalar(@changed), 0, "$origin: each with the id it was acknowledged with")
	  or diag(join "\n", @changed[ 0 .. 9 ]);
	is(scalar(@unknown), 0, "$origin: no row that the client did not insert");
	is(scalar(@out_of_order), 0, "$origin: its ids rise in the order its inserts were made")
	  or diag(join "\n", @out_of_order[ 0 .. 9 ]);
	note(sprintf('%s: %d inserts, %d acknowledged, %d failed (%d of them committed anyway)',
		$origin, scalar(keys %inserted), scalar(keys %inserted) - ($in_doubt // 0),
		$in_doubt // 0, $committed_in_doubt // 0));
}

$_->stop for values %node_named;
note(sprintf('run time: %.1f s', Time::HiRes::time() - $test_started));

done_testing();
