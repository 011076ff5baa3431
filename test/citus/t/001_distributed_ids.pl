# snowflake on a Citus cluster, a coordinator and two workers, written through every node.
# Proves: where each way of inserting evaluates a snowflake_nextval() DEFAULT (measured from the
# worker ids in the ids it made, and held to what docs/citus.md says); that inserts through all
# nodes at once, by every path, make no duplicate and carry the worker id of the node that made
# them; that queries by id, id lists and time ranges on distributed tables, keyed by bigint and
# by snowflake, return the rows they return on a local table, after ALTER EXTENSION UPDATE on the
# coordinator has updated snowflake from 1.0 on every node; which tables can be colocated.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use CitusCluster;
use DBI;
use IPC::Run;
use List::Util qw(all uniq);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes;

my $test_started = Time::HiRes::time();

# Made with 1.0, the first release, and updated below.
my ($coordinator, @workers) = new_citus_cluster(2, '1.0');
my @nodes = ($coordinator, @workers);
my %node_named = map { $_->name => $_ } @nodes;
my %worker_id = map { $_->name => worker_id_of($_) } @nodes;
my %node_at_port = map { $_->port => $_->name } @nodes;
is(scalar(uniq values %worker_id), scalar(@nodes), 'every node has a worker id of its own');
note(join ', ', map { "$_: worker id $worker_id{$_}" } sort keys %worker_id);

# Two tables alike but for the type of their key, distributed by it; event_copies is keyed by
# the id of the row it copies and makes an id of its own in another column; tags is a reference
# table, a copy on every node.
$coordinator->safe_psql(
	'postgres', q{
	CREATE TABLE events_bigint (id bigint PRIMARY KEY DEFAULT snowflake_nextval(),
		origin text NOT NULL, path text NOT NULL, n integer, source bigint);
	SELECT create_distributed_table('events_bigint', 'id');
	CREATE TABLE events_snowflake (id snowflake PRIMARY KEY DEFAULT snowflake_nextval(),
		origin text NOT NULL, path text NOT NULL, n integer, source bigint);
	SELECT create_distributed_table('events_snowflake', 'id');
	CREATE TABLE event_copies (source bigint NOT NULL,
		copy_id bigint NOT NULL DEFAULT snowflake_nextval(), origin text NOT NULL,
		path text NOT NULL, PRIMARY KEY (source, copy_id));
	SELECT create_distributed_table('event_copies', 'source', colocate_with => 'events_bigint');
	CREATE TABLE tags (id bigint PRIMARY KEY DEFAULT snowflake_nextval(), origin text NOT NULL,
		path text NOT NULL);
	SELECT create_reference_table('tags');
});

# Colocation. Citus colocates tables only when their distribution columns have the same type,
# so a snowflake-keyed table cannot join a bigint-keyed one's group, though the values and the
# hashes are the same. Snowflake-keyed tables colocate with each other, and a join on the key
# then runs on the workers.
my ($status, $stdout, $stderr) = $coordinator->psql(
	'postgres', q{
	CREATE TABLE notes_by_bigint_event (event_id snowflake NOT NULL, note text);
	SELECT create_distributed_table('notes_by_bigint_event', 'event_id',
		colocate_with => 'events_bigint');
});
my $refusal = 'cannot colocate tables events_bigint and notes_by_bigint_event';
like(
	$stderr,
	qr/\Q$refusal\E\nDETAIL: +Distribution column types don't match/,
	'a snowflake-keyed table cannot be colocated with a bigint-keyed one');
$coordinator->safe_psql(
	'postgres', q{
	CREATE TABLE event_notes (event_id snowflake NOT NULL,
		id snowflake NOT NULL DEFAULT snowflake_nextval(), note text,
		PRIMARY KEY (event_id, id));
	SELECT create_distributed_table('event_notes', 'event_id', colocate_with => 'events_snowflake');
});
is( $coordinator->safe_psql(
		'postgres', q{
		SELECT count(DISTINCT colocationid) FROM pg_dist_partition
		WHERE logicalrelid IN ('events_snowflake'::regclass, 'event_notes'::regclass)}),
	1,
	'snowflake-keyed tables are colocated with each other');

# Source rows for the INSERT ... SELECT paths, spread over both workers' shards.
$coordinator->safe_psql('postgres',
	"INSERT INTO events_snowflake (origin, path) "
	  . "SELECT 'coordinator', 'source' FROM generate_series(1, 30)");

# Where does each way of inserting evaluate the DEFAULT? Each statement below runs through each
# node; the worker ids in the ids it made tell which node made them. The places an id can come
# from: the node the statement was sent to, the worker holding the row an INSERT ... SELECT
# read, or the worker holding the new row. %documented is what docs/citus.md says.
my $received = 'the node the statement was sent to';
my $source_worker = 'the worker holding the row the SELECT read';
my $target_worker = 'the worker holding the new row';
my $rows_per_statement = 8;
my @paths = (
	{
		path => 'router INSERT',
		documented => $received,
		sql => sub {
			join '',
			  map { "INSERT INTO events_bigint (origin, path) VALUES ('$_[0]', 'router INSERT');\n" }
			  1 .. $rows_per_statement;
		},
	},
	{
		path => 'multi-row INSERT',
		documented => $received,
		sql => sub {
			'INSERT INTO events_bigint (origin, path) VALUES '
			  . join(', ', ("('$_[0]', 'multi-row INSERT')") x $rows_per_statement);
		},
	},
	{
		path => 'COPY',
		documented => $received,
		sql => sub {
			"COPY events_bigint (origin, path) FROM STDIN;\n"
			  . ("$_[0]\tCOPY\n" x $rows_per_statement) . "\\.\n";
		},
	},
	{
		path => 'INSERT ... SELECT from generate_series',
		documented => $received,
		sql => sub {
			"INSERT INTO events_bigint (origin, path) SELECT '$_[0]', "
			  . "'INSERT ... SELECT from generate_series' FROM generate_series(1, $rows_per_statement)";
		},
	},
	{
		path => 'INSERT ... SELECT between distributed tables',
		documented => $source_worker,
		sql => sub {
			"INSERT INTO events_bigint (origin, path, source) SELECT '$_[0]', "
			  . "'INSERT ... SELECT between distributed tables', id FROM events_snowflake "
			  . "WHERE path = 'source'";
		},
	},
	{
		path => 'INSERT ... SELECT with ORDER BY and LIMIT',
		documented => $source_worker,
		sql => sub {
			"INSERT INTO events_bigint (origin, path, source) SELECT '$_[0]', "
			  . "'INSERT ... SELECT with ORDER BY and LIMIT', id FROM events_snowflake "
			  . "WHERE path = 'source' ORDER BY id LIMIT 20";
		},
	},
	{
		path => 'INSERT ... SELECT into a colocated table, DEFAULT on a non-key column',
		# The new row lies beside the row it copies.
		documented => [ $source_worker, $target_worker ],
		sql => sub {
			"INSERT INTO event_copies (source, origin, path) SELECT id, '$_[0]', "
			  . "'INSERT ... SELECT into a colocated table, DEFAULT on a non-key column' "
			  . "FROM events_bigint WHERE path = 'router INSERT' AND origin = '$_[0]'";
		},
	},
	{
		path => 'INSERT into a reference table',
		documented => $received,
		sql => sub {
			join '',
			  map { "INSERT INTO tags (origin, path) VALUES ('$_[0]', 'INSERT into a reference table');\n" }
			  1 .. $rows_per_statement;
		},
	},
);

# How Citus plans an INSERT ... SELECT: its EXPLAIN's method, or "pushed down" when it sends the
# whole statement to the shards.
sub insert_select_method
{
	my ($node, $statement) = @_;
	my $plan = $node->safe_psql('postgres', "EXPLAIN (COSTS OFF) $statement");
	return $1 if $plan =~ /INSERT\/SELECT method: (.*)/;
	return 'pushed down' if $plan =~ /Citus Adaptive/ && $plan =~ /->  Insert on/;
	return 'unknown';
}

for my $path (@paths)
{
	$path->{method} = insert_select_method($coordinator, $path->{sql}->('coordinator'))
	  if $path->{path} =~ /SELECT/;
	$_->safe_psql('postgres', $path->{sql}->($_->name)) for @nodes;
}

# The shard placements, which stay where they are in this test: shard id => node name.
my %node_of_shard = map { my ($shard, $port) = split /\|/; ($shard => $node_at_port{$port}) }
  split /\n/, $coordinator->safe_psql('postgres', 'SELECT shardid, nodeport FROM citus_shards');

# The worker id of the node holding a shard; undefined for no shard.
sub worker_id_of_shard
{
	my ($shard) = @_;
	return $shard ? $worker_id{ $node_of_shard{$shard} } : undef;
}

# Every row the paths made: its path, the node it was sent to, its id's worker id and the worker
# ids of the places it could have been made.
my %made_by;
for my $table (qw(events_bigint event_copies tags))
{
	my $id = $table eq 'event_copies' ? 'copy_id' : 'id';
	# The concurrent inserts below number their rows; these statements leave n NULL.
	my $measured = $table eq 'events_bigint' ? 'n IS NULL' : 'true';
	# The shard holding the row the SELECT read (of events_snowflake, or for event_copies of
	# events_bigint), and the one holding the new row.
	my $source_shard =
	  $table eq 'events_bigint'
	  ? "CASE WHEN source IS NOT NULL THEN
		 get_shard_id_for_distribution_column('events_snowflake', source::snowflake) END"
	  : $table eq 'event_copies' ? "get_shard_id_for_distribution_column('events_bigint', source)"
	  :                            'NULL';
	my $target_shard =
	  $table eq 'tags' ? 'NULL' : "get_shard_id_for_distribution_column('$table', "
	  . ($table eq 'event_copies' ? 'source' : 'id') . ')';
	my $rows = $coordinator->safe_psql(
		'postgres', qq{
		SELECT path, origin, (snowflake_decode($id)).worker_id, $source_shard, $target_shard
		FROM $table WHERE $measured});
	for my $row (split /\n/, $rows)
	{
		my ($path, $origin, $maker, $source_shard_id, $target_shard_id) = split /\|/, $row;
		push @{ $made_by{$path} },
		  {
			origin => $origin,
			maker => $maker,
			$received => $worker_id{$origin},
			$source_worker => worker_id_of_shard($source_shard_id),
			$target_worker => worker_id_of_shard($target_shard_id),
		  };
	}
}

# Tags' placements are the same rows, ids included, on every node.
my ($tags_shard) = $coordinator->safe_psql('postgres',
	"SELECT shardid FROM pg_dist_shard WHERE logicalrelid = 'tags'::regclass");
my %tags_placement = map {
	$_->name => $_->safe_psql('postgres',
		"SELECT string_agg(id || ' ' || origin, ',' ORDER BY id) FROM tags_$tags_shard")
} @nodes;
is(scalar(uniq values %tags_placement), 1,
	'a reference table holds the same ids on every node, whichever node the insert went through');

# The measured table: per path, Citus's plan, the worker ids of the ids made through each node
# and which place explains every row. The documented place must explain them all, and no other
# place may: else the statement could not tell them apart.
my @table_lines = (
	'| path | INSERT ... SELECT method | '
	  . join(' | ', map { 'sent to ' . $_->name } @nodes)
	  . ' | where the DEFAULT is evaluated |',
	'|' . ('---|' x (3 + @nodes)));
for my $path (@paths)
{
	my $rows = $made_by{ $path->{path} } // [];
	my @where = grep {
		my $place = $_;
		@$rows && all { defined $_->{$place} && $_->{$place} == $_->{maker} } @$rows
	} ($received, $source_worker, $target_worker);
	my @documented = ref $path->{documented} ? @{ $path->{documented} } : ($path->{documented});
	is_deeply([ sort(uniq(map { $_->{origin} } @$rows)) ], [ sort keys %node_named ],
		"$path->{path}: rows were made through every node");
	is_deeply(\@where, \@documented,
		"$path->{path}: the DEFAULT is evaluated on " . join(', which is ', @documented));
	my @made_through = map {
		my $origin = $_->name;
		join ',', sort { $a <=> $b } uniq map { $_->{maker} } grep { $_->{origin} eq $origin } @$rows
	} @nodes;
	push @table_lines,
	  join(' | ',
		"| $path->{path}", $path->{method} // '-',
		@made_through, (join(', which is ', @where) || 'no single place') . ' |');
}
note("where the DEFAULT is evaluated (worker ids: "
	  . join(', ', map { "$_ $worker_id{$_}" } map { $_->name } @nodes)
	  . "):\n" . join("\n", @table_lines));

# An INSERT ... SELECT that evaluates no DEFAULT is pushed down whole to the shards; one that
# evaluates snowflake_nextval() (any volatile function) is not, so no shard query makes ids.
is( insert_select_method(
		$coordinator,
		'INSERT INTO event_copies (source, copy_id, origin, path) '
		  . 'SELECT id, id, origin, path FROM events_bigint'),
	'pushed down',
	'an INSERT ... SELECT between colocated tables that supplies every column is pushed down');
isnt(
	insert_select_method(
		$coordinator,
		"INSERT INTO event_copies (source, origin, path) SELECT id, origin, path FROM events_bigint"),
	'pushed down',
	'the same with a snowflake_nextval() DEFAULT to evaluate is not');

# Inserts through all three nodes at once, by every path, rows numbered by round (n): single-row
# INSERTs into both tables, a multi-row INSERT, a COPY and an INSERT ... SELECT of the round's
# rows from one table into the other.
my $rounds = 40;
my (%concurrent, %concurrent_stderr);
for my $node (@nodes)
{
	my $origin = $node->name;
	my $script = "\\set ON_ERROR_STOP 1\n";
	for my $round (1 .. $rounds)
	{
		for my $table (qw(events_bigint events_snowflake))
		{
			$script .= "INSERT INTO $table (origin, path, n) VALUES ('$origin', 'router', $round);\n"
			  x 5;
		}
		$script .=
		    'INSERT INTO events_snowflake (origin, path, n) VALUES '
		  . join(', ', ("('$origin', 'multi-row', $round)") x 10) . ";\n"
		  . "COPY events_bigint (origin, path, n) FROM STDIN;\n"
		  . ("$origin\tCOPY\t$round\n" x 10) . "\\.\n"
		  . "INSERT INTO events_bigint (origin, path, n, source) SELECT '$origin', 'INSERT ... SELECT', "
		  . "$round, id FROM events_snowflake "
		  . "WHERE origin = '$origin' AND n = $round AND path = 'router';\n";
	}
	my $file = $node->basedir . '/concurrent.sql';
	append_to_file($file, $script);
	$concurrent{$origin} = IPC::Run::start(
		[ 'psql', '-X', '-q', '-d', $node->connstr('postgres'), '-f', $file ],
		'>', \my $stdout, '2>', \$concurrent_stderr{$origin});
}
for my $origin (sort keys %concurrent)
{
	ok($concurrent{$origin}->finish, "$origin: concurrent inserts by every path succeeded")
	  or diag($concurrent_stderr{$origin});
}

# Every id is unique, across all tables, and names the node that made it: the node a statement
# was sent to, or for INSERT ... SELECT the worker holding the row read.
my (%rows_by, @wrong_maker, %seen, $duplicates);
for my $table (qw(events_bigint events_snowflake))
{
	for my $row (
		split /\n/,
		$coordinator->safe_psql(
			'postgres', qq{
			SELECT id, origin, path, (snowflake_decode(id)).worker_id,
				   CASE WHEN source IS NOT NULL THEN
					 get_shard_id_for_distribution_column('events_snowflake', source::snowflake) END
			FROM $table WHERE n IS NOT NULL}))
	{
		my ($id, $origin, $path, $maker, $source_shard) = split /\|/, $row;
		my $expected = $source_shard ? $node_of_shard{$source_shard} : $origin;
		push @wrong_maker, "$table $id ($origin, $path): worker id $maker, not that of $expected"
		  if $maker != $worker_id{$expected};
		$rows_by{"$origin $table $path"}++;
	}
}
for my $row (
	split /\n/,
	$coordinator->safe_psql(
		'postgres', q{
		SELECT id FROM events_bigint UNION ALL SELECT id FROM events_snowflake
		UNION ALL SELECT copy_id FROM event_copies UNION ALL SELECT id FROM tags}))
{
	$duplicates++ if $seen{$row}++;
}
is($duplicates // 0, 0, 'no two rows of any table share an id');
is(scalar(@wrong_maker), 0, 'every id carries the worker id of the node that made it')
  or diag(join "\n", @wrong_maker[ 0 .. 9 ]);
for my $origin (sort keys %node_named)
{
	is_deeply(
		[
			map { $rows_by{"$origin $_"} // 0 } 'events_bigint router', 'events_snowflake router',
			'events_snowflake multi-row', 'events_bigint COPY', 'events_bigint INSERT ... SELECT'
		],
		[ map { $_ * $rounds } 5, 5, 10, 10, 5 ],
		"$origin: every row of every path is there");
}
note('ids checked: ' . scalar(keys %seen));

# The three nodes did run at the same time: each one's inserts began before the others' ended.
is( $coordinator->safe_psql(
		'postgres', q{
		SELECT max(first) < min(last) FROM (
			SELECT min(snowflake_to_timestamp(id)) AS first, max(snowflake_to_timestamp(id)) AS last
			FROM events_snowflake WHERE path = 'router' GROUP BY origin) AS p}),
	't',
	'the three nodes inserted during a common period');

# ALTER EXTENSION UPDATE on the coordinator updates snowflake on every node. 1.1 adds what IN
# lists and = ANY arrays of integers need on an index of a snowflake column, the shards' too.
$coordinator->safe_psql('postgres', 'ALTER EXTENSION snowflake UPDATE');
my $default_version = $coordinator->safe_psql('postgres',
	"SELECT default_version FROM pg_available_extensions WHERE name = 'snowflake'");
is_deeply(
	{
		map {
			$_->name => $_->safe_psql('postgres',
				"SELECT extversion FROM pg_extension WHERE extname = 'snowflake'")
		} @nodes
	},
	{ map { $_ => $default_version } keys %node_named },
	"ALTER EXTENSION UPDATE on the coordinator updates snowflake to $default_version on every node");

# Queries by id, as applications and ORMs send them, on both distributed tables through every
# node, against the same query on a local copy of the table on the coordinator: an id (a router
# query, sent to one shard), IN lists and = ANY arrays of integers written out or passed as
# parameters, and time ranges by snowflake_from_timestamp. Each runs as the planner chooses and
# again with sequential scans off, on the workers too (Citus passes SET LOCAL on when told to),
# so that the shards' primary key indexes answer.
my $dbi_options = { AutoCommit => 1, RaiseError => 1, PrintError => 0 };
my %dbh = map {
	$_->name => DBI->connect('dbi:Pg:host=' . $_->host . ';port=' . $_->port . ';dbname=postgres',
		'postgres', '', $dbi_options)
} @nodes;

# The ids a query returns through $node, comma-separated in order, or its error. With
# $index_only, sequential scans are off on every node the query reaches.
sub ids_of
{
	my ($node, $index_only, $sql, @parameters) = @_;
	my $dbh = $dbh{ $node->name };
	my $ids = eval {
		$dbh->begin_work;
		$dbh->do("SET LOCAL citus.propagate_set_commands = 'local'");
		$dbh->do('SET LOCAL enable_seqscan = off') if $index_only;
		my $found = $dbh->selectcol_arrayref("SELECT id FROM ($sql) AS q ORDER BY id",
			undef, @parameters);
		$dbh->commit;
		join ',', @$found;
	};
	return $ids if defined $ids;
	my $error = $dbh->errstr // $@;
	$dbh->rollback unless $dbh->{AutoCommit};
	return "error: $error";
}

for my $table (qw(events_bigint events_snowflake))
{
	$coordinator->safe_psql(
		'postgres', qq{
		CREATE TABLE local_$table (LIKE $table INCLUDING ALL);
		INSERT INTO local_$table SELECT * FROM $table;
		ANALYZE local_$table;
		ANALYZE $table;
	});
	my @all_ids = split /\n/,
	  $coordinator->safe_psql('postgres', "SELECT id FROM local_$table ORDER BY id");
	# Every 50th id, and two that no node made.
	my @sample = ((map { $all_ids[ $_ * 50 ] } 0 .. int($#all_ids / 50)), 1, 2);
	my $list = join ',', @sample;
	my ($from, $to) = map {
		$coordinator->safe_psql('postgres', "SELECT snowflake_to_timestamp($all_ids[$_])")
	} int(@all_ids / 4), int(3 * @all_ids / 4);
	my @forms = (
		[ 'id = literal', "id = $sample[1]" ],
		[ 'id IN (integer literals)', "id IN ($list)" ],
		[ "id = ANY('{...}'::bigint[])", "id = ANY('{$list}'::bigint[])" ],
		[ "id = ANY('{...}')", "id = ANY('{$list}')" ],
		[ 'id = ANY(ARRAY[...])', "id = ANY(ARRAY[$list])" ],
		[ 'id = $1 (a parameter)', 'id = ?', $sample[2] ],
		[ 'id IN ($1, $2, ...)', 'id IN (' . join(', ', ('?') x @sample) . ')', @sample ],
		[ 'id = ANY($1) with an array parameter', 'id = ANY(?)', \@sample ],
		[
			'a time range by snowflake_from_timestamp',
			"id >= snowflake_from_timestamp('$from') AND id < snowflake_from_timestamp('$to')"
		],
		[
			'a time range with timestamp parameters',
			'id >= snowflake_from_timestamp(?) AND id < snowflake_from_timestamp(?)', $from, $to
		],
	);
	for my $form (@forms)
	{
		my ($name, $where, @parameters) = @$form;
		for my $index_only (0, 1)
		{
			my $mode = $index_only ? ', shard indexes' : '';
			my $expected =
			  ids_of($coordinator, $index_only, "SELECT id FROM local_$table WHERE $where", @parameters);
			my %got = map {
				$_->name => ids_of($_, $index_only, "SELECT id FROM $table WHERE $where", @parameters)
			} @nodes;
			is_deeply(\%got, { map { $_ => $expected } keys %node_named },
				"$table, $name$mode: the same rows as on a local table, through every node");
		}
	}
	is( ids_of($coordinator, 0, "SELECT id FROM local_$table WHERE id IN ($list)"),
		join(',', @sample[ 0 .. $#sample - 2 ]),
		"$table: the local table finds every sampled id");
	like(
		$coordinator->safe_psql(
			'postgres', qq{
			BEGIN;
			SET LOCAL citus.propagate_set_commands = 'local';
			SET LOCAL enable_seqscan = off;
			EXPLAIN (COSTS OFF) SELECT id FROM $table WHERE id >= snowflake_from_timestamp('$from');
			COMMIT;}),
		qr/Index.* Scan .*on ${table}_pkey_/,
		"$table: with sequential scans off, the shards answer from their primary key index");
	like(
		$coordinator->safe_psql('postgres',
			"EXPLAIN (COSTS OFF) SELECT * FROM $table WHERE id = $sample[1]"),
		qr/Task Count: 1\n/,
		"$table: a query by id is a router query, sent to one shard");
}
$_->disconnect for values %dbh;

done_testing();
