#!/usr/bin/perl
# test/suites/pooler.t - two users' requests interleaved over ONE server connection
# (PgBouncer, transaction mode, pool_size 1): each sees only its own data, and after any
# request the server session is back to the login role with app.user_id and app.token
# empty, as seen directly through the pooler with psql on that same server connection.
#
# Run by test/suites/pooler.sh, with POOLED_URL (the gateway's DATABASE_URL through the
# pooler), POOLER_PORT, POOLED_DB (the database behind it), GATEWAY_PASSWORD, PG* (the
# cluster) and SUITE_WORK.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../e2e/lib";
BEGIN { $ENV{TODO_BASE_URL} ||= 'http://127.0.0.1:9' }    # E2E wants one at import; set below
use Test::More;
use Suite;
use E2E;

my $gw = gateway_start(name => 'interleave',
	env => { DATABASE_URL => $ENV{POOLED_URL}, POOL_SIZE => 10, ENVIRONMENT => 'development',
		PREPARED_STATEMENTS => 'off' });   # PgBouncer 1.18 cannot carry named statements
BAIL_OUT('the gateway did not start behind PgBouncer') unless $gw;
$ENV{TODO_BASE_URL} = $gw->{url};

my %user = (A => new_user(label => 'pa'), B => new_user(label => 'pb'));
my %tasks;
for my $name (qw(A B)) {
	$tasks{$name} = [map { create_task_ok($user{$name}, title => "$name task $_")->{id} } 1 .. 3];
}

# What is wrong with what $name saw in one round of requests ('' when nothing).
sub round_problems {
	my ($name, $other) = @_;
	my ($u, $o) = ($user{$name}, $user{$other});
	my @p;
	my $r = list_tasks($u);
	my @data = ref $r->{json} eq 'HASH' && ref $r->{json}{data} eq 'ARRAY' ? @{ $r->{json}{data} } : ();
	push @p, "list $r->{status}" unless $r->{status} == 200;
	push @p, "list shows another user's task" if grep { $_->{user_id} ne $u->{id} || $_->{title} !~ /^$name / } @data;
	push @p, 'list misses own tasks' unless (grep { $_->{title} =~ /^$name task \d$/ } @data) == 3;
	$r = req('GET', '/api/auth/me', auth($u));
	push @p, "me is not $name" unless $r->{status} == 200 && ($r->{json}{data}{id} // '') eq $u->{id};
	$r = get_task($u, $tasks{$other}[0]);
	push @p, "another user's task by id: $r->{status}" unless $r->{status} == 404;
	$r = req('GET', "/api/$o->{id}/tasks", auth($u));
	push @p, "another user's path: $r->{status}" unless $r->{status} == 403;
	$r = req('GET', "/api/$u->{id}/tasks", token => 'e30.e30.c2ln');
	push @p, "a bad token: $r->{status}" unless $r->{status} == 401;
	$r = req('GET', '/api/v1/health');
	push @p, "health $r->{status}" unless $r->{status} == 200;
	return join ', ', @p;
}

# --- sequential: A, B, A, B, ... -------------------------------------------------------------
my @problems;
for my $round (1 .. 20) {
	for my $pair (['A', 'B'], ['B', 'A']) {
		my $p = round_problems(@$pair);
		push @problems, "round $round, $pair->[0]: $p" if $p;
	}
}
ok(!@problems, '20 rounds of A then B (list, me, get, 403, 401, health) over one server connection: each sees only its own')
	or diag(join "\n", @problems[0 .. ($#problems < 9 ? $#problems : 9)]);

# --- parallel: 12 clients, half A, half B -----------------------------------------------------
my @res = parallel(12, sub {
	my $i = shift;
	my ($name, $other) = $i % 2 ? ('B', 'A') : ('A', 'B');
	my @p;
	for my $k (1 .. 6) {
		my $p = round_problems($name, $other);
		push @p, "#$k $p" if $p;
	}
	return @p ? "$name: @p" : 'ok';
});
my @bad = grep { ($_ // '') ne 'ok' } @res;
ok(!@bad, '12 parallel clients (6 as A, 6 as B), 6 rounds each: each sees only its own') or diag(join "\n", map { $_ // 'no answer' } @bad);

# writes interleaved with the other user's reads: still each its own
@res = parallel(10, sub {
	my $i = shift;
	my $name = $i % 2 ? 'B' : 'A';
	my $t = create_task($user{$name}, title => "$name extra $i");
	return "$t->{status} " . (ref $t->{json} eq 'HASH' && ref $t->{json}{data} eq 'HASH' ? $t->{json}{data}{user_id} : '-');
});
is(scalar(grep { $_ eq "201 $user{A}{id}" } @res), 5, "A's 5 parallel creates: 201, owned by A");
is(scalar(grep { $_ eq "201 $user{B}{id}" } @res), 5, "B's 5 parallel creates: 201, owned by B") or diag("@res");

# --- the server connection itself, seen through the pooler -----------------------------------
my $backends = psql("SELECT count(*), min(pid) FROM pg_stat_activity
	WHERE datname = '$ENV{POOLED_DB}' AND usename = 'todo_gateway'", db => 'postgres');
my ($count, $pid) = split /\|/, $backends;
is($count, 1, 'PgBouncer used exactly one server connection for all of it');

# One psql session through the pooler on that connection: who it is and what is set.
sub session_state {
	local $ENV{PGPASSWORD} = $ENV{GATEWAY_PASSWORD};
	local @ENV{qw(PGHOST PGPORT PGUSER PGDATABASE)} = ('127.0.0.1', $ENV{POOLER_PORT}, 'todo_gateway', 'pooled1');
	my $out = `psql -X -At -c "SELECT current_user, session_user, current_setting('role'),
		coalesce(current_setting('app.user_id', true), '<unset>'),
		coalesce(current_setting('app.token', true), '<unset>'), pg_backend_pid()" 2>&1`;
	chomp $out;
	return $out;
}

# the probe can see a leak: a session-level setting made through the pooler is seen by the
# next psql session on that server connection (then it is reset)
{
	local $ENV{PGPASSWORD} = $ENV{GATEWAY_PASSWORD};
	local @ENV{qw(PGHOST PGPORT PGUSER PGDATABASE)} = ('127.0.0.1', $ENV{POOLER_PORT}, 'todo_gateway', 'pooled1');
	`psql -X -At -c "SELECT set_config('app.user_id', 'leaked', false)" 2>&1`;
	like(session_state(), qr/^todo_gateway\|todo_gateway\|none\|leaked\|/, 'control: a session-level value would be seen by the probe');
	`psql -X -At -c "RESET app.user_id" 2>&1`;
}

my @steps = (
	['a request by A' => sub { list_tasks($user{A}) }],
	['a request by B' => sub { req('GET', '/api/auth/me', auth($user{B})) }],
	['a create by A' => sub { create_task($user{A}, title => 'A after') }],
	["B refused on A's path (403)" => sub { req('GET', "/api/$user{A}{id}/tasks", auth($user{B})) }],
	['a refused validation (422)' => sub { create_task($user{B}, title => '') }],
	['a bad token (401)' => sub { req('GET', '/api/auth/me', token => 'e30.e30.c2ln') }],
	['a login' => sub { login_user(username => $user{A}{username}, password => $user{A}{password}) }],
);
for my $step (@steps) {
	my ($what, $do) = @$step;
	$do->();
	my $state = session_state();
	my ($cur, $sess, $role, $uid, $token, $bpid) = split /\|/, $state, -1;
	my $clean = defined $bpid && $cur eq 'todo_gateway' && $sess eq 'todo_gateway' && $role eq 'none'
		&& ($uid eq '' || $uid eq '<unset>') && ($token eq '' || $token eq '<unset>');
	ok($clean, "after $what: the server session is todo_gateway again, role none, app.user_id and app.token empty")
		or diag("current_user|session_user|role|app.user_id|app.token|pid: $state");
	is($bpid, $pid, "after $what: psql was on the same server connection as the gateway");
}

is(gateway_stop($gw), 0, 'the gateway exits 0 on SIGTERM');
done_testing;
