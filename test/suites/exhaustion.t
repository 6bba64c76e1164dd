#!/usr/bin/perl
# test/suites/exhaustion.t - more concurrent slow requests than connections: a gateway of
# POOL_SIZE 2 and POOL_TIMEOUT 2 s, ten updates of one task while psql holds its row lock
# for 6 s. The two that got a connection wait for the lock and succeed; the eight queued
# wait the acquisition timeout and get 503 unavailable with Retry-After; the gateway still
# answers what needs no connection, health answers, and afterwards the pool is whole
# (no slot lost, no extra connection) and nothing leaked (ASan at exit: test/run.sh checks
# the reports in SUITE_WORK).
#
# Run by test/suites/exhaustion.sh with EXHAUSTION_URL, PG* (the main cluster, PGDATABASE
# the suite's database) and SUITE_WORK.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../e2e/lib";
BEGIN { $ENV{TODO_BASE_URL} ||= 'http://127.0.0.1:9' }
use POSIX ();
use Test::More;
use Time::HiRes qw(sleep);
use Suite;
use E2E;

my $POOL_TIMEOUT_MS = 2000;
my $LOCK_S = 6;

my $gw = gateway_start(name => 'exhaustion',
	env => { DATABASE_URL => $ENV{EXHAUSTION_URL}, POOL_SIZE => 2, POOL_TIMEOUT => 2 });
BAIL_OUT('the gateway did not start') unless $gw;
$ENV{TODO_BASE_URL} = $gw->{url};
my $u = new_user(label => 'exh');
my $t = create_task_ok($u, title => 'contended');

my $lock = fork // die "fork: $!";
if (!$lock) {
	open STDOUT, '>', '/dev/null';
	exec 'psql', '-X', '-q', '-c',
		"BEGIN; SELECT 1 FROM todo.tasks WHERE id = '$t->{id}' FOR UPDATE; SELECT pg_sleep($LOCK_S); COMMIT;"
		or POSIX::_exit(127);
}
sleep 0.05 until psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'") >= 1;

# ten updates of the locked task, and one probe of what must keep working meanwhile
my @res = parallel(11, sub {
	my $i = shift;
	if ($i == 10) {
		sleep 0.8;      # both connections are held by then
		my $h = http_json('GET', "$gw->{url}/api/v1/health");
		my $n = http_json('GET', "$gw->{url}/no/such/path");
		return sprintf 'probe %d %s %.0f %d %.0f', $h->{status}, $h->{json}{data}{database} // '-', $h->{ms}, $n->{status}, $n->{ms};
	}
	my $r = http_json('PUT', "$gw->{url}/api/$u->{id}/tasks/$t->{id}", token => $u->{token}, json => { title => "exhaust $i" });
	return sprintf '%d %.0f %s %s', $r->{status}, $r->{ms}, $r->{headers}{'retry-after'} // '-',
		ref $r->{json} eq 'HASH' && ref $r->{json}{error} eq 'HASH' ? $r->{json}{error}{code} : '-';
});
waitpid $lock, 0;
my $probe = pop @res;
my @ok = grep { /^200 / } @res;
my @busy = grep { /^503 \d+ \d+ unavailable$/ } @res;
is(scalar @ok, 2, 'the two requests holding the connections waited for the lock and got 200') or diag("@res");
is(scalar @busy, 8, 'the eight queued requests got 503 unavailable with Retry-After') or diag(join ' | ', @res);
my @busy_ms = sort { $a <=> $b } map { (split / /)[1] } @busy;
my @ok_ms = sort { $a <=> $b } map { (split / /)[1] } @ok;
ok(@busy_ms && $busy_ms[0] >= $POOL_TIMEOUT_MS - 10, 'the queued requests waited the pool timeout (2 s) before the 503');
ok(@busy_ms && $busy_ms[-1] < $LOCK_S * 1000, 'the queued requests did not wait for a connection beyond the pool timeout');
note("503s after @busy_ms ms; 200s after @ok_ms ms (the lock was held $LOCK_S s)");

my (undef, $h_status, $h_db, $h_ms, $n_status, $n_ms) = split / /, $probe // '';
# health checks the database on a connection of its own (gateway/src/health.c): the pool
# being busy is not the database being down
ok(($h_status // 0) == 200 && ($h_db // '') eq 'connected', 'health during the exhaustion: 200, the database is reachable')
	or diag($probe);
is($n_status, 404, 'a request that needs no connection is answered during the exhaustion');
note("during the exhaustion: health answered in $h_ms ms, an unknown path in $n_ms ms") if defined $n_ms;

my $title = get_task($u, $t->{id})->{json}{data}{title} // '';
my @winners = map { "exhaust $_" } grep { $res[$_] =~ /^200 / } 0 .. 9;
ok(grep({ $_ eq $title } @winners), "the task holds the title of one of the two that succeeded ($title)");

# the pool is whole again: a burst as large as the queue was succeeds at once
my @after = parallel(10, sub { list_tasks($u)->{status} });
is(scalar(grep { $_ eq '200' } @after), 10, 'afterwards 10 parallel requests all succeed') or diag("@after");
my $conns = psql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND usename = 'todo_gateway'");
ok($conns >= 1 && $conns <= 3, "the gateway holds at most its 2 connections and health's one ($conns)");
ok(gateway_alive($gw), 'the gateway is still running');
is(gateway_stop($gw), 0, 'the gateway exits 0 on SIGTERM');
done_testing;
