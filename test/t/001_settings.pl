# Settings checked at server start: a bad value in postgresql.conf stops the server with a
# clear message instead of running with a default; a server without a worker id refuses to
# generate; a layout whose range has ended starts, warns and refuses to generate.
use strict;
use warnings FATAL => 'all';
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;

# No worker id on purpose: the first checks are of a server started without one.
my $node = new_snowflake_node('settings', worker_id => undef);
$node->start;

# CREATE EXTENSION (and so a restore) warns at once that ids cannot be generated here.
my ($ret, $stdout, $stderr) = $node->psql('postgres', 'CREATE EXTENSION snowflake');
is($ret, 0, 'no worker id: CREATE EXTENSION succeeds');
like($stderr, qr/WARNING:  snowflake\.worker_id is not set/, 'no worker id: CREATE EXTENSION warns');

# Without snowflake.worker_id, generating fails and says which setting to set.
($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT snowflake_nextval()');
isnt($ret, 0, 'no worker id: snowflake_nextval() fails');
like($stderr, qr/snowflake\.worker_id is not set/, 'no worker id: the error names the setting');
like($stderr, qr/HINT:.*postgresql\.conf/, 'no worker id: the hint says where to set it');
is($node->safe_psql('postgres', 'SELECT (snowflake_decode(4194304)).worker_id'),
	'0', 'no worker id: decoding still works');
$node->stop;

# Each bad configuration keeps the server from starting, with a message naming the problem.
# A worker id wider than the worker bits would spill into the timestamp and repeat ids: the
# message names both settings.
my @refused = (
	[ "snowflake.worker_id = 1024",
		qr/FATAL:  snowflake\.worker_id = 1024 does not fit snowflake\.worker_bits = 10/ ],
	[ "snowflake.worker_id = 'seven'", qr/invalid value for parameter "snowflake\.worker_id"/ ],
	[ "snowflake.epoch = 'garbage'", qr/invalid value for parameter "snowflake\.epoch"/ ],
	[ "snowflake.epoch = '2024-01-01 00:00:00'", qr/no time zone/ ],
	[ "snowflake.worker_bits = 99", qr/99 is outside the valid range for parameter "snowflake\.worker_bits"/ ],
	[ "snowflake.worker_bits = 20\nsnowflake.sequence_bits = 20", qr/too few timestamp bits/ ],
	[ "snowflake.worker_bits = 5\nsnowflake.worker_id = 32",
		qr/FATAL:  snowflake\.worker_id = 32 does not fit snowflake\.worker_bits = 5\n.*worker ids run from 0 to 31/ ],
	[ "snowflake.worker_bits = 0\nsnowflake.sequence_bits = 22\nsnowflake.worker_id = 5",
		qr/FATAL:  snowflake\.worker_id = 5 does not fit snowflake\.worker_bits = 0/ ],
);
for my $case (@refused)
{
	my ($settings, $message) = @$case;
	my ($log, $started) = restart_with_settings($node, "$settings\n", fail_ok => 1);
	ok(!$started, "refused to start with: $settings");
	like($log, $message, "the log says why: $settings");
}

# ALTER SYSTEM checks a worker id on its own, as SET does, not against the worker bits the next
# start will have: one the bits cannot hold is written, and the next start refuses it. The way
# back, as the README's Troubleshooting gives it: correct the line in postgresql.auto.conf.
restart_with_settings($node, "snowflake.worker_id = 3\n");
$node->safe_psql('postgres', 'ALTER SYSTEM SET snowflake.worker_id = 1024');
$node->stop;
my $log_offset = -s $node->logfile;
ok(!$node->start(fail_ok => 1), 'ALTER SYSTEM SET snowflake.worker_id = 1024: the next start is refused');
like(slurp_file($node->logfile, $log_offset),
	qr/FATAL:  snowflake\.worker_id = 1024 does not fit snowflake\.worker_bits = 10/,
	'ALTER SYSTEM SET snowflake.worker_id = 1024: the log names both settings');
my $auto_conf = $node->data_dir . '/postgresql.auto.conf';
my $corrected = slurp_file($auto_conf) =~ s/^snowflake\.worker_id = '1024'\n//mr;
open(my $auto_fh, '>', $auto_conf) or die "could not write $auto_conf: $!";
print $auto_fh $corrected;
close($auto_fh) or die "could not write $auto_conf: $!";
ok($node->start(fail_ok => 1), 'the line removed from postgresql.auto.conf: the server starts');
is($node->safe_psql('postgres', 'SHOW snowflake.worker_id'), '3',
	'the line removed from postgresql.auto.conf: the worker id is the configured one');

# A machine whose clock is not yet set (2005, before the default 2010 epoch) still starts: the
# epoch is checked without the clock, and the clock only warns. Ids are refused while the clock
# is before the epoch, and issued as soon as it is right, without a restart.
my $years_back = time() - 1104537600;    # to 2005-01-01
my ($log, $started) = restart_with_settings($node, "snowflake.worker_id = 3\n",
	clock_offset_s => -$years_back, fail_ok => 1);
ok($started, 'clock in 2005: the server starts');
like($log, qr/WARNING:  the system clock is before snowflake\.epoch/,
	'clock in 2005: the log warns');
my ($sqlstate, $error) = error_of($node, 'SELECT snowflake_nextval()');
is($sqlstate, '58000', 'clock in 2005: snowflake_nextval() fails with 58000');
like($error, qr/the system clock is before the snowflake epoch/, 'clock in 2005: the error says why');
like($error, qr/HINT:  Set the system clock/, 'clock in 2005: the hint names the fix');
is($node->safe_psql('postgres', 'SELECT (snowflake_decode(4194304)).worker_id'),
	'0', 'clock in 2005: decoding works');
set_clock($node, 0);
check_clock($node, 0);
like($node->safe_psql('postgres', 'SELECT snowflake_nextval()'),
	qr/^\d+$/, 'clock set right: ids are issued without a restart');

# A future epoch is accepted: it is compared with the clock only to warn.
($log) = restart_with_settings($node,
	"snowflake.worker_id = 3\nsnowflake.epoch = '2999-01-01 00:00:00+00'\n");
like($log, qr/WARNING:  the system clock is before snowflake\.epoch/,
	'an epoch in the future only warns');
$node->stop;
unlink($node->data_dir . '/snowflake.lease');

# A layout of its own (docs/deployment.md, "Capacity planning"): 5 worker bits, 8 sequence bits and a 2024 epoch
# leave 50 timestamp bits. Every function follows it.
restart_with_settings($node,
	"snowflake.worker_id = 31\nsnowflake.worker_bits = 5\nsnowflake.sequence_bits = 8\n"
	  . "snowflake.epoch = '2024-01-01 00:00:00+00'\n");
$node->safe_psql('postgres', 'CREATE TABLE layout_ids AS SELECT snowflake_nextval() AS id');
is( $node->safe_psql(
		'postgres', q{
	SELECT (snowflake_decode(id)).worker_id = 31,
	       abs(extract(epoch FROM snowflake_to_timestamp(id) - clock_timestamp())) < 60,
	       id >> 13 = (extract(epoch FROM snowflake_to_timestamp(id)) * 1000)::bigint
	                  - 1704067200000,
	       snowflake_decode(id) = snowflake_decode(id, '2024-01-01 00:00:00+00', 5, 8)
	FROM layout_ids}),
	't|t|t|t',
	'own layout: worker id in bits 12..8, milliseconds since 2024 above them');
is( $node->safe_psql(
		'postgres', q{
	SELECT snowflake_from_timestamp('2024-01-01 00:00:00+00'),
	       snowflake_to_timestamp(9223372036854775807) = '37702-05-07 22:07:22.623+00'}),
	'0|t', 'own layout: range from the 2024 epoch to the year 37702');
$node->stop;
unlink($node->data_dir . '/snowflake.lease');

# 36 timestamp bits from 2020 ran out in 2022: the server starts, warns, and refuses to generate.
($log) = restart_with_settings($node,
	"snowflake.worker_id = 0\nsnowflake.worker_bits = 5\nsnowflake.sequence_bits = 22\n"
	  . "snowflake.epoch = '2020-01-01 00:00:00+00'\n");
like($log, qr/WARNING:  snowflake ids ran out at 2022-/, 'an ended range is reported at start');
($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT snowflake_nextval()');
like($stderr, qr/the system clock is past the last millisecond snowflake ids can hold/,
	'an ended range: snowflake_nextval() fails');
$node->stop;

done_testing();
