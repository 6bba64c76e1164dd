#!/usr/bin/perl
# test/suites/tls.t - the gateway over TLS with SCRAM channel binding, and the start-up
# failures of a wrong TLS or authentication setting: each exits non-zero at once
# (ENVIRONMENT=development) with a message naming the problem and no password.
#
# Run by test/suites/tls.sh, with TLS_PORT, TLS_DB, TLS_PASSWORD, TLS_CERT, TLS_LOG (the
# TLS cluster, PG* pointing at it too), PLAIN_PORT and PLAIN_PASSWORD (the main cluster,
# without TLS) and SUITE_WORK.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../e2e/lib";
BEGIN { $ENV{TODO_BASE_URL} ||= 'http://127.0.0.1:9' }
use Test::More;
use Suite;
use E2E;

my $tls_base = "postgresql://todo_gateway:$ENV{TLS_PASSWORD}\@127.0.0.1:$ENV{TLS_PORT}/$ENV{TLS_DB}";

is(psql("SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = 'todo_gateway'"), 'SCRAM-SHA-256$',
	"the gateway's password is stored as a SCRAM verifier");

# --- sslmode=require&channel_binding=require: a working stack ---------------------------------
my $gw = gateway_start(name => 'tls', env => { DATABASE_URL => "$tls_base?sslmode=require&channel_binding=require" });
ok($gw, 'the gateway starts with sslmode=require&channel_binding=require')
	or BAIL_OUT('no TLS gateway');
$ENV{TODO_BASE_URL} = $gw->{url};
{
	my $u = new_user(label => 'tls');
	ok($u->{token}, 'register over TLS: 201 with a token');
	my $r = login_user(username => $u->{username}, password => $u->{password});
	is($r->{status}, 200, 'login over TLS: 200');
	my $t = create_task($u, title => 'over TLS');
	is($t->{status}, 201, 'create over TLS: 201');
	$r = list_tasks($u);
	is($r->{status}, 200, 'list over TLS: 200');
	is_deeply([map { $_->{title} } @{ $r->{json}{data} || [] }], ['over TLS'], 'list over TLS: the task');
	$r = req('GET', '/api/v1/health');
	is($r->{json}{data}{status}, 'healthy', 'health over TLS: healthy');
}
my $ssl = psql("SELECT count(*), count(*) FILTER (WHERE s.ssl) FROM pg_stat_activity a
	JOIN pg_stat_ssl s USING (pid) WHERE a.usename = 'todo_gateway'");
my ($conns, $encrypted) = split /\|/, $ssl;
ok($conns >= 1 && $conns == $encrypted, "every gateway connection is encrypted ($encrypted of $conns)");
{
	open my $fh, '<', $ENV{TLS_LOG} or die "$ENV{TLS_LOG}: $!";
	local $/;
	my $log = <$fh>;
	like($log, qr/connection authenticated: identity="todo_gateway" method=scram-sha-256/,
		'the server authenticated the gateway with scram-sha-256 (channel binding required by the client)');
}
is(gateway_stop($gw), 0, 'the TLS gateway exits 0 on SIGTERM');

# sslmode=verify-full against the certificate made for this cluster
$gw = gateway_start(name => 'tls-verify',
	env => { DATABASE_URL => "$tls_base?sslmode=verify-full&sslrootcert=$ENV{TLS_CERT}&channel_binding=require" });
ok($gw, 'the gateway starts with sslmode=verify-full and the cluster\'s certificate as root');
if ($gw) {
	is(http_json('GET', "$gw->{url}/api/v1/health")->{status}, 200, 'verify-full: health 200');
	is(gateway_stop($gw), 0, 'the verify-full gateway exits 0 on SIGTERM');
}

# --- start-up failures ---------------------------------------------------------------------
# fails(name, url, qr/message/, what, env): exit 1, a message naming the problem, no password
sub fails {
	my ($name, $url, $want, $what, %env) = @_;
	my ($password) = $url =~ m{//[^:]+:([^@]+)@};
	my $r = gateway_run(name => $name, timeout => 30,
		env => { DATABASE_URL => $url, ENVIRONMENT => 'development', %env });
	is($r->{status}, 1, "$what: exits 1");
	like($r->{err}, $want, "$what: the message names the problem") or diag($r->{err});
	unlike("$r->{out}$r->{err}", qr/\Q$password\E/, "$what: the password is not printed");
	unlike("$r->{out}$r->{err}", qr/postgres(ql)?:\/\//, "$what: the connection URL is not printed");
	note(sprintf '%s: exited after %.0f ms', $what, $r->{elapsed} * 1000);
	return $r;
}

my $plain = "postgresql://todo_gateway:$ENV{PLAIN_PASSWORD}\@127.0.0.1:$ENV{PLAIN_PORT}/todo_e2e";
fails('no-tls-server', "$plain?sslmode=require", qr/server does not support SSL, but SSL was required/,
	'sslmode=require against a server without TLS');
fails('no-tls-client', "$tls_base?sslmode=disable", qr/pg_hba\.conf rejects connection .*no encryption/,
	'sslmode=disable against a server that requires TLS');
fails('bad-password', "postgresql://todo_gateway:not-the-password-42\@127.0.0.1:$ENV{TLS_PORT}/$ENV{TLS_DB}?sslmode=require",
	qr/password authentication failed for user \\?"todo_gateway/, 'a wrong password over TLS');
fails('cb-no-tls', "$plain?sslmode=disable&channel_binding=require", qr/channel binding/i,
	'channel_binding=require without TLS');

# production retries (5 times, short backoff here), each attempt naming the problem, then exits 1
{
	my $r = gateway_run(name => 'no-tls-production', timeout => 60,
		env => { DATABASE_URL => "$plain?sslmode=require", ENVIRONMENT => 'production', STARTUP_BACKOFF_MS => 20 });
	is($r->{status}, 1, 'production, sslmode=require against a server without TLS: exits 1 after its retries');
	my @attempts = $r->{err} =~ /\(attempt \d of 6\): [^\n]*server does not support SSL, but SSL was required/g;
	is(scalar @attempts, 6, 'production: 6 attempts, each logged with the reason');
	unlike($r->{err}, qr/\Q$ENV{PLAIN_PASSWORD}\E/, 'production: no password in the log');
}

done_testing;
