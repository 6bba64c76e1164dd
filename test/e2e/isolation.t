#!/usr/bin/perl
# Two users: neither can see or touch the other's tasks. A task id of another user is a
# 404 on one's own path (its existence is never revealed); another user's path is a 403.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use E2E;

my $ua = new_user(label => 'isoa');
my $ub = new_user(label => 'isob');
my $ta = create_task_ok($ua, title => 'secret of A', description => 'only A may see this', tags => ['a'],
	recursion_pattern => 'daily', due_date => '2099-04-01');
my $tb = create_task_ok($ub, title => 'task of B');
my $ghost = '00000000-0000-4000-8000-00000000abcd';

# --- B on B's own path, with A's task id: 404, same as a task that does not exist ---------
my $pb = "/api/$ub->{id}/tasks";
my $none = req('GET', "$pb/$ghost", auth($ub));
error_ok($none, 404, 'not_found', 'B: unknown task');
my %ops = (
	GET    => sub { req('GET', "$pb/$_[0]", auth($ub)) },
	PUT    => sub { req('PUT', "$pb/$_[0]", auth($ub), json => { title => 'stolen', status => 'completed' }) },
	DELETE => sub { req('DELETE', "$pb/$_[0]", auth($ub)) },
	'PATCH toggle' => sub { req('PATCH', "$pb/$_[0]/complete", auth($ub)) },
	'PATCH set'    => sub { req('PATCH', "$pb/$_[0]/complete", auth($ub), json => { completed => JSON::PP::true }) },
);
for my $op (sort keys %ops) {
	my $r = $ops{$op}->($ta->{id});
	error_ok($r, 404, 'not_found', "B $op A's task on B's path");
	is_deeply($r->{json}{error}, $none->{json}{error}, "B $op A's task: same error as for a task that does not exist");
}

# --- B on A's path: 403, whatever the task ---------------------------------------------------
my $pa = "/api/$ua->{id}/tasks";
for my $c (
	['GET', $pa], ['POST', $pa, json => { title => 'planted by B' }],
	['GET', "$pa/$ta->{id}"], ['PUT', "$pa/$ta->{id}", json => { title => 'stolen' }], ['DELETE', "$pa/$ta->{id}"],
	['PATCH', "$pa/$ta->{id}/complete"], ['PATCH', "$pa/$ta->{id}/complete", json => { completed => JSON::PP::true }],
	['GET', "$pa/$ghost"], ['GET', "$pa/not-a-uuid"], ['DELETE', "$pa/$tb->{id}"],
) {
	my ($m, $p, @rest) = @$c;
	my $name = "B: $m " . ($p =~ s/\Q$ua->{id}\E/{A}/r =~ s/[0-9a-f]{8}-[0-9a-f-]{27}/{id}/gr) . (@rest ? ' with body' : '');
	error_ok(req($m, $p, auth($ub), @rest), 403, 'forbidden', $name);
}
# the same the other way round: A's token on B's path
error_ok(req('GET', $pb, auth($ua)), 403, 'forbidden', "A lists B's tasks");
error_ok(req('GET', "$pb/$tb->{id}", auth($ua)), 403, 'forbidden', "A gets B's task on B's path");
error_ok(req('POST', $pb, auth($ua), json => { title => 'planted by A' }), 403, 'forbidden', "A creates on B's path");
error_ok(req('GET', "/api/$ua->{id}/tasks/$tb->{id}", auth($ua)), 404, 'not_found', "A gets B's task on A's path");
# a user id that is not a UUID, or not anybody's: still "not your path"
error_ok(req('GET', '/api/not-a-uuid/tasks', auth($ua)), 403, 'forbidden', 'path user id not a UUID');
error_ok(req('GET', "/api/$ghost/tasks", auth($ua)), 403, 'forbidden', 'path user id of nobody');
# a user id segment that cannot even be decoded to text: "not your path" (403) or "no such
# path" (404) are both defensible; a 500 is not
for my $seg ('%FF', '%C3%28', '%00') {
	my $r = req('GET', "/api/$seg/tasks", auth($ua));
	ok($r->{status} == 403 || $r->{status} == 404, "path user id $seg: 403 or 404 (got $r->{status})") or diag($r->{raw});
	envelope_ok($r, $r->{status}, "path user id $seg");
}
error_ok(req('GET', "/api/$ghost/tasks/$ta->{id}", auth($ua)), 403, 'forbidden', "A's task under nobody's path");

# --- nothing changed -----------------------------------------------------------------------
my $r = get_task($ua, $ta->{id});
envelope_ok($r, 200, 'A still gets the task');
is_deeply($r->{json}{data}, $ta, "A's task is unchanged after B's attempts");
$r = list_tasks($ua);
is_deeply([map { $_->{id} } @{ $r->{json}{data} || [] }], [$ta->{id}], "A's list holds only A's task (nothing planted, no occurrence created)");
is($r->{json}{meta}{total}, 1, "A's total is 1");
$r = list_tasks($ub);
is_deeply([map { $_->{id} } @{ $r->{json}{data} || [] }], [$tb->{id}], "B's list holds only B's task");
for my $q ([q => 'secret'], [tag => 'a'], [sort => 'title'], [overdue => 'true'], [status => 'pending']) {
	my $x = list_tasks($ub, @$q);
	ok(!grep({ $_->{id} eq $ta->{id} } @{ $x->{json}{data} || [] }), "B's list with $q->[0]=$q->[1] never shows A's task");
}

# --- a logged-out user of A does not open B's data either ------------------------------------
my $login = login_user(username => $ua->{username}, password => $ua->{password});
my $tok2 = $login->{json}{data}{access_token};
no_content_ok(req('POST', '/api/auth/logout', token => $tok2), 'A logs out its second session');
error_ok(req('GET', $pa, token => $tok2), 401, 'unauthorized', 'logged-out token on own path');
error_ok(req('GET', $pb, token => $tok2), 401, 'unauthorized', 'logged-out token on another path: 401 before 403');
envelope_ok(req('GET', $pa, auth($ua)), 200, "A's first session still works");

done_testing;
