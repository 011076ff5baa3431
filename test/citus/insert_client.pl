#!/usr/bin/perl
# An application inserting through one node of a Citus cluster, for test/citus/t: one row per
# statement and transaction, numbered 1, 2, 3, ..., into the given tables in turn, until
# STOP_FILE exists or MAX_SECONDS have passed. It goes on while nodes restart or crash,
# reconnecting as an application would, and prints what became of every row, one line each,
# so that the test can account for every id:
#
#   ack TABLE N ID     the commit was acknowledged, and the row got ID
#   error TABLE N      the statement failed; the row may still have committed (a node that
#                      crashed after its commit but before its answer)
#
#   insert_client.pl HOST PORT ORIGIN STOP_FILE MAX_SECONDS TABLE...
#
# Each row carries ORIGIN and N (the tables have columns origin and n), so that a row in a
# table can be matched with its line here.
use strict;
use warnings FATAL => 'all';
use DBI;
use IO::Handle;
use Time::HiRes qw(time usleep);

my ($host, $port, $origin, $stop_file, $max_seconds, @tables) = @ARGV;
die "usage: $0 HOST PORT ORIGIN STOP_FILE MAX_SECONDS TABLE...\n" unless @tables;
STDOUT->autoflush(1);

# A reconnecting application would not hammer a node that is down: a short pause between
# attempts, not a wait for anything.
my $reconnect_pause_us = 20_000;
my $deadline = time() + $max_seconds;

# connect_timeout bounds an attempt on a node that hangs; statement_timeout a statement stuck
# behind one.
my $dsn = "dbi:Pg:host=$host;port=$port;dbname=postgres;connect_timeout=5;"
  . "options=-cstatement_timeout=30s";
my ($dbh, %insert);

# Connects unless connected, with one prepared INSERT per table; false while the node is down.
sub connected
{
	return 1 if $dbh && $dbh->ping;
	%insert = ();
	$dbh = DBI->connect($dsn, 'postgres', '',
		{ AutoCommit => 1, RaiseError => 0, PrintError => 0 });
	return 0 unless $dbh;
	for my $table (@tables)
	{
		$insert{$table} =
		  $dbh->prepare("INSERT INTO $table (origin, n) VALUES (?, ?) RETURNING id");
	}
	return 1;
}

my $n = 0;
until (-e $stop_file || time() > $deadline)
{
	unless (connected())
	{
		usleep($reconnect_pause_us);
		next;
	}
	$n++;
	my $table = $tables[ $n % @tables ];
	my $statement = $insert{$table};
	my ($id) =
	  $statement && $statement->execute($origin, $n) ? $statement->fetchrow_array : ();
	if (defined $id)
	{
		print "ack\t$table\t$n\t$id\n";
	}
	else
	{
		print "error\t$table\t$n\n";
		print STDERR "$origin $n: ", ($DBI::errstr // 'no answer'), "\n";
	}
}
$dbh->disconnect if $dbh;
