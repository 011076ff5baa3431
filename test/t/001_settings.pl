# Settings checked at server start: a bad value in postgresql.conf stops the server with a
# clear message instead of running with a default; a server without a worker id refuses to
# generate; a layout whose range has ended starts, warns and refuses to generate.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SnowflakeTest;
use Test::More;

# No worker id on purpose: the first checks are of a server started without one.
my $node = new_snowflake_node('settings', worker_id => undef);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snowflake');

# Without snowflake.worker_id, generating fails and says which setting to set.
my ($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT snowflake_nextval()');
isnt($ret, 0, 'no worker id: snowflake_nextval() fails');
like($stderr, qr/snowflake\.worker_id is not set/, 'no worker id: the error names the setting');
like($stderr, qr/HINT:.*postgresql\.conf/, 'no worker id: the hint says where to set it');
is($node->safe_psql('postgres', 'SELECT (snowflake_decode(4194304)).worker_id'),
	'0', 'no worker id: decoding still works');
$node->stop;

# Each bad configuration keeps the server from starting, with a message naming the problem.
my @refused = (
	[ "snowflake.worker_id = 1024", qr/invalid value for parameter "snowflake\.worker_id"/ ],
	[ "snowflake.worker_id = 'seven'", qr/invalid value for parameter "snowflake\.worker_id"/ ],
	[ "snowflake.epoch = 'garbage'", qr/invalid value for parameter "snowflake\.epoch"/ ],
	[ "snowflake.epoch = '2999-01-01 00:00:00+00'", qr/must not be in the future/ ],
	[ "snowflake.epoch = '2024-01-01 00:00:00'", qr/no time zone/ ],
	[ "snowflake.worker_bits = 99", qr/99 is outside the valid range for parameter "snowflake\.worker_bits"/ ],
	[ "snowflake.worker_bits = 20\nsnowflake.sequence_bits = 20", qr/too few timestamp bits/ ],
	[ "snowflake.worker_bits = 5\nsnowflake.worker_id = 32", qr/worker ids run from 0 to 31/ ],
);
$node->append_conf('postgresql.conf', "include_if_exists = 'bad.conf'");
for my $case (@refused)
{
	my ($settings, $message) = @$case;
	PostgreSQL::Test::Utils::append_to_file($node->data_dir . '/bad.conf', "$settings\n");
	my $log_offset = -s $node->logfile;
	ok(!$node->start(fail_ok => 1), "refused to start with: $settings");
	like(substr(slurp_file($node->logfile), $log_offset), $message, "the log says why: $settings");
	unlink($node->data_dir . '/bad.conf');
}

# A layout of its own (the README's example): 5 worker bits, 8 sequence bits and a 2024 epoch
# leave 50 timestamp bits. Every function follows it.
PostgreSQL::Test::Utils::append_to_file($node->data_dir . '/bad.conf',
	"snowflake.worker_id = 31\nsnowflake.worker_bits = 5\nsnowflake.sequence_bits = 8\n"
	  . "snowflake.epoch = '2024-01-01 00:00:00+00'\n");
$node->start;
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
unlink($node->data_dir . '/bad.conf');

# 36 timestamp bits from 2020 ran out in 2022: the server starts, warns, and refuses to generate.
PostgreSQL::Test::Utils::append_to_file($node->data_dir . '/bad.conf',
	"snowflake.worker_id = 0\nsnowflake.worker_bits = 5\nsnowflake.sequence_bits = 22\n"
	  . "snowflake.epoch = '2020-01-01 00:00:00+00'\n");
my $log_offset = -s $node->logfile;
$node->start;
like(substr(slurp_file($node->logfile), $log_offset), qr/WARNING:  snowflake ids ran out at 2022-/,
	'an ended range is reported at start');
($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT snowflake_nextval()');
like($stderr, qr/snowflake ids have run out/, 'an ended range: snowflake_nextval() fails');
$node->stop;

done_testing();
