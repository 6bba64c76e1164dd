#!/usr/bin/perl
# test/suites/startup.t - start-up against a database that is down, or comes up late.
#
#   ENVIRONMENT=production   5 retries, waits STARTUP_BACKOFF_MS doubling each time (1, 2, 4,
#                            8, 16 s by default), every attempt logged without secrets; then
#                            exit 1 with a clear message; connected as soon as the database
#                            answers; a stop signal while waiting exits 0
#   ENVIRONMENT=development  exit 1 at once with a clear message
#   anything else            a configuration error, before any connection attempt
#
# Run by test/suites/startup.sh with STARTUP_URL, SUITE_PGDATA (the suite's cluster, PG*
# pointing at it) and SUITE_WORK.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP ();
use Test::More;
use Time::Local qw(timegm);
use Suite;

my $url = $ENV{STARTUP_URL};
my ($password) = $url =~ m{//[^:]+:([^@]+)@};
ok(pg_ctl('-m', 'fast', '-w', 'stop'), 'the database is stopped');

# The gateway's JSON log lines: [{ts_ms, level, msg}]
sub log_lines {
	my @out;
	for my $l (split /\n/, shift) {
		my $j = eval { JSON::PP->new->decode($l) } or next;
		my ($Y, $M, $D, $h, $m, $s, $ms) = ($j->{ts} // '') =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)Z$/ or next;
		push @out, { ts_ms => timegm($s, $m, $h, $D, $M - 1, $Y) * 1000 + $ms, level => $j->{level}, msg => $j->{msg} };
	}
	return @out;
}

sub no_secret {
	my ($r, $what) = @_;
	unlike("$r->{out}$r->{err}", qr/\Q$password\E/, "$what: no password in the output");
	unlike("$r->{out}$r->{err}", qr/postgres(ql)?:\/\//, "$what: no connection URL in the output");
}

# --- an unknown ENVIRONMENT -------------------------------------------------------------------
{
	my $r = gateway_run(name => 'env-unknown', env => { DATABASE_URL => $url, ENVIRONMENT => 'staging' });
	is($r->{status}, 1, 'ENVIRONMENT=staging: exits 1');
	like($r->{err}, qr/configuration error: ENVIRONMENT must be development or production/,
		'ENVIRONMENT=staging: the message names the variable and its values');
	unlike($r->{err}, qr/attempt/, 'ENVIRONMENT=staging: no connection attempted');
	no_secret($r, 'ENVIRONMENT=staging');
}

# --- development: fails at once ----------------------------------------------------------------
{
	my $r = gateway_run(name => 'dev-down', env => { DATABASE_URL => $url, ENVIRONMENT => 'development' });
	is($r->{status}, 1, 'development, database down: exits 1');
	my @l = log_lines($r->{err});
	is(scalar @l, 1, 'development: one attempt, one message');
	like($l[0]{msg} // '', qr/^cannot connect to the database given by DATABASE_URL \(attempt 1 of 1\): connection to server at .* failed: Connection refused.*; giving up \(ENVIRONMENT=development does not retry\)$/,
		'development: the message says what failed, why, and that it does not retry') or diag($r->{err});
	is($l[0]{level}, 'error', 'development: logged as an error');
	no_secret($r, 'development');
	note(sprintf 'development: exited after %.0f ms', $r->{elapsed} * 1000);
}

# --- production: 5 retries with exponential backoff, then gives up ----------------------------
{
	my $r = gateway_run(name => 'prod-down', timeout => 60,
		env => { DATABASE_URL => $url, ENVIRONMENT => 'production', STARTUP_BACKOFF_MS => 100 });
	is($r->{status}, 1, 'production, database down: exits 1 after its retries');
	my @l = log_lines($r->{err});
	is(scalar @l, 6, 'production: 6 attempts (the first and 5 retries), each logged');
	my @waits = map { $_->{msg} =~ /retrying in (\d+) ms$/ ? $1 : () } @l;
	is_deeply(\@waits, [100, 200, 400, 800, 1600], 'production: the waits double (STARTUP_BACKOFF_MS=100)');
	my @gaps = map { $l[$_]{ts_ms} - $l[$_ - 1]{ts_ms} } 1 .. $#l;
	my @short = grep { $gaps[$_] < $waits[$_] - 2 } 0 .. $#gaps;
	ok(@gaps == 5 && !@short, 'production: each retry came after its wait') or diag("gaps: @gaps ms");
	note("production: gaps between attempts @gaps ms (waits @waits ms)");
	is(scalar(grep { $_->{msg} =~ /\(attempt (\d) of 6\): connection to server at .* failed: Connection refused/ } @l), 6,
		'production: every attempt names the reason');
	like($l[-1]{msg} // '', qr/\(attempt 6 of 6\): .*; giving up$/, 'production: the last message says it gives up');
	is($l[-1]{level}, 'error', 'production: the last one is an error, the others warnings')
		&& is(scalar(grep { $_->{level} eq 'warn' } @l), 5, 'production: 5 warnings');
	no_secret($r, 'production');
}

# --- production: the database comes up during the retries (default backoff: 1 s, 2 s, ...) ----
{
	my ($started, $t_up) = (0, undef);
	my $t0 = now_ms();
	my $gw = gateway_start(name => 'prod-late', wait => 40,
		env => { DATABASE_URL => $url, ENVIRONMENT => 'production' },
		while_waiting => sub {
			my $gw = shift;
			return if $started || gateway_log($gw, 'err') !~ /attempt 2 of 6/;
			$started = 1;
			pg_ctl('-w', 'start') or diag('pg_ctl start failed');
			$t_up = now_ms();
		});
	ok($gw, 'production: the gateway starts once the database is up');
	ok($started, 'production: the database was started after the second failed attempt');
	if ($gw) {
		my @l = log_lines(gateway_log($gw, 'err') . gateway_log($gw, 'out'));
		my ($ok) = grep { $_->{msg} =~ /^connected to the database \(attempt (\d) of 6\)$/ && $1 >= 3 } @l;
		ok($ok, 'production: "connected to the database (attempt N of 6)" logged') or diag(join "\n", map { $_->{msg} } @l);
		my $h = http_json('GET', "$gw->{url}/api/v1/health");
		is($h->{status}, 200, 'production: health 200 after the late start');
		my $r = http_json('POST', "$gw->{url}/api/auth/register",
			json => { username => 'late_' . int(rand 1e9), email => 'late' . int(rand 1e9) . '@example.com', password => 'late password 1' });
		is($r->{status}, 201, 'production: a request succeeds after the late start');
		note(sprintf 'production: database up %.0f ms after the gateway started; gateway listening %.0f ms after that',
			$t_up - $t0, now_ms() - $t_up) if $t_up;
		is(gateway_stop($gw), 0, 'production: exits 0 on SIGTERM');
	}
	ok(pg_ctl('-m', 'fast', '-w', 'stop'), 'the database is stopped again');
}

# --- a stop signal while waiting to retry: exits 0 at once ------------------------------------
{
	my $t_sig;
	my $r = gateway_run(name => 'prod-signal', timeout => 30,
		env => { DATABASE_URL => $url, ENVIRONMENT => 'production', STARTUP_BACKOFF_MS => 20000 },
		on_line => sub {
			my ($line, $pid) = @_;
			return if $t_sig || $line !~ /attempt 1 of 6/;
			$t_sig = now_ms();
			kill 'TERM', $pid;
		});
	is($r->{status}, 0, 'production: SIGTERM while waiting to retry exits 0');
	ok($t_sig, 'production: the signal came during the 20 s wait');
}

done_testing;
