#!/usr/bin/perl
# PATCH /api/{user_id}/tasks/{id}/complete: toggle, set (idempotent), and recurrence.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use E2E;
binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);

my $u = new_user(label => 'cmp');
my $base = "/api/$u->{id}/tasks";

sub patch {
	my ($id, @body) = @_;    # no body argument: PATCH without a body
	return req('PATCH', "$base/$id/complete", auth($u), @body ? (json => $body[0]) : ());
}
sub next_task { my $r = shift; my $m = ref $r->{json} eq 'HASH' ? $r->{json}{meta} : undef; return ref $m eq 'HASH' ? $m->{next_task} : undef }
sub no_next_ok {
	my ($r, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	ok(!defined next_task($r), "$name: no meta.next_task") or diag(encode_json_utf8($r->{json}{meta}));
}

# --- toggle -----------------------------------------------------------------------------
my $t = create_task_ok($u, title => 'toggle me');
my $r = patch($t->{id});
envelope_ok($r, 200, 'PATCH toggle (no body)');
is($r->{json}{data}{id}, $t->{id}, 'toggle: the same task');
is($r->{json}{data}{status}, 'completed', 'toggle: pending -> completed');
ok(jtrue($r->{json}{data}{completed}), 'toggle: completed true');
ok(is_ts($r->{json}{data}{completed_at}), 'toggle: completed_at set');
no_next_ok($r, 'toggle of a task without recurrence');
cmp_ok(ts_epoch($r->{json}{data}{updated_at}) // 0, '>', ts_epoch($t->{updated_at}) // 9e9, 'toggle: updated_at moved forward');
is_deeply(get_task($u, $t->{id})->{json}{data}, $r->{json}{data}, 'GET agrees with the PATCH response');
$r = patch($t->{id});
envelope_ok($r, 200, 'PATCH toggle again');
is($r->{json}{data}{status}, 'pending', 'toggle: completed -> pending');
ok(jfalse($r->{json}{data}{completed}), 'toggle: completed false');
ok(exists $r->{json}{data}{completed_at} && !defined $r->{json}{data}{completed_at}, 'toggle: completed_at cleared');
is($r->{json}{data}{title}, 'toggle me', 'toggle: other fields kept');

# --- set ----------------------------------------------------------------------------------
$r = patch($t->{id}, { completed => JSON::PP::true });
envelope_ok($r, 200, 'PATCH {"completed":true}');
ok(jtrue($r->{json}{data}{completed}), 'set true: completed');
my $at = $r->{json}{data}{completed_at};
ok(is_ts($at), 'set true: completed_at set');
sleep 1;
$r = patch($t->{id}, { completed => JSON::PP::true });
envelope_ok($r, 200, 'PATCH {"completed":true} again');
ok(jtrue($r->{json}{data}{completed}), 'set true twice: still completed (idempotent, no toggle)');
is($r->{json}{data}{completed_at}, $at, 'set true twice: completed_at unchanged');
$r = patch($t->{id}, { completed => JSON::PP::false });
envelope_ok($r, 200, 'PATCH {"completed":false}');
is($r->{json}{data}{status}, 'pending', 'set false: pending');
ok(!defined $r->{json}{data}{completed_at}, 'set false: completed_at cleared');
$r = patch($t->{id}, { completed => JSON::PP::false });
is($r->{json}{data}{status}, 'pending', 'set false twice: still pending');

for my $case ([{ completed => 'yes' }, 'completed', 'completed a string'], [{ completed => 1 }, 'completed', 'completed a number'],
	[{ completed => undef }, 'completed', 'completed null'], [{ completed => JSON::PP::true, foo => 1 }, 'foo', 'unknown field']) {
	$r = patch($t->{id}, $case->[0]);
	error_ok($r, 422, 'validation_failed', "PATCH $case->[2]");
	has_detail($r, $case->[1], "PATCH $case->[2]");
}
is(get_task($u, $t->{id})->{json}{data}{status}, 'pending', 'refused PATCHes changed nothing');

error_ok(req('PATCH', "$base/$t->{id}/complete", auth($u), body => '{"completed":', content_type => 'application/json'),
	400, 'invalid_json', 'PATCH malformed JSON');
error_ok(req('PATCH', "$base/$t->{id}/complete", auth($u), body => '{"completed":true}', content_type => 'text/plain'),
	415, 'unsupported_media_type', 'PATCH body as text/plain');

# --- recurrence -----------------------------------------------------------------------------
my @cases = (
	['daily',          '2099-01-10T15:45:00Z', '2099-01-11T15:45:00Z'],
	['daily',          '2099-12-31',           '2100-01-01T00:00:00Z'],
	['weekly',         '2099-01-10',           '2099-01-17T00:00:00Z'],
	['weekly',         '2099-12-28T23:59:59Z', '2100-01-04T23:59:59Z'],
	['monthly',        '2099-01-15',           '2099-02-15T00:00:00Z'],
	['monthly',        '2099-01-31',           '2099-02-28T00:00:00Z'],
	['monthly',        '2096-01-31',           '2096-02-29T00:00:00Z'],
	['monthly',        '2099-03-31T08:00:00Z', '2099-04-30T08:00:00Z'],
	['monthly',        '2099-12-31',           '2100-01-31T00:00:00Z'],
	['monthly',        '2099-01-31T23:30:00-05:00', '2099-03-01T04:30:00Z'],    # 2099-02-01T04:30Z + 1 month
	['yearly',         '2099-05-05',           '2100-05-05T00:00:00Z'],
	['yearly',         '2096-02-29',           '2097-02-28T00:00:00Z'],
	['every 1 days',   '2099-02-28',           '2099-03-01T00:00:00Z'],
	['every 3 days',   '2099-01-30',           '2099-02-02T00:00:00Z'],
	['every 365 days', '2099-01-01',           '2100-01-01T00:00:00Z'],
	['every 2 weeks',  '2099-01-10',           '2099-01-24T00:00:00Z'],
	['every 2 months', '2099-12-31',           '2100-02-28T00:00:00Z'],
	['every 3 months', '2099-11-30T10:00:00Z', '2100-02-28T10:00:00Z'],
	['every 4 years',  '2096-02-29',           '2100-02-28T00:00:00Z'],
	['every 2 years',  '2096-02-29',           '2098-02-28T00:00:00Z'],
);
my $n = 0;
for my $c (@cases) {
	my ($pat, $due, $want) = @$c;
	$n++;
	my $title = "recur $n " . uniq_name('r');
	my $x = create_task_ok($u, title => $title, description => "desc $n", priority => 'high', tags => ['r', "n$n"],
		recursion_pattern => $pat, due_date => $due);
	$r = patch($x->{id}, { completed => JSON::PP::true });
	my $name = "complete '$pat' due $due";
	envelope_ok($r, 200, $name);
	is($r->{json}{data}{id}, $x->{id}, "$name: data is the completed task");
	is($r->{json}{data}{status}, 'completed', "$name: task completed");
	is($r->{json}{data}{due_date}, $x->{due_date}, "$name: its due date is unchanged");
	my $nt = next_task($r);
	ok(ref $nt eq 'HASH', "$name: meta.next_task present") or next;
	is($nt->{due_date}, $want, "$name: next due date $want");
	ok(is_uuid($nt->{id}) && $nt->{id} ne $x->{id}, "$name: next task is a new task");
	is($nt->{status}, 'pending', "$name: next task pending");
	ok(jfalse($nt->{completed}) && !defined $nt->{completed_at}, "$name: next task not completed");
	is_deeply([@{$nt}{qw(user_id title description priority recursion_pattern)}], [@{$x}{qw(user_id title description priority recursion_pattern)}],
		"$name: next task has the same fields");
	is_deeply($nt->{tags}, $x->{tags}, "$name: next task has the same tags");
	is_deeply(get_task($u, $nt->{id})->{json}{data}, $nt, "$name: next task is stored");
}

# completing twice creates one occurrence
{
	my $title = 'twice ' . uniq_name('tw');
	my $x = create_task_ok($u, title => $title, recursion_pattern => 'daily', due_date => '2099-07-01');
	my $r1 = patch($x->{id}, { completed => JSON::PP::true });
	ok(defined next_task($r1), 'first completion creates the next occurrence');
	my $r2 = patch($x->{id}, { completed => JSON::PP::true });
	envelope_ok($r2, 200, 'completing again');
	no_next_ok($r2, 'completing an already completed task');
	my $l = list_tasks($u, q => $title);
	is($l->{json}{meta}{total}, 2, 'exactly one next occurrence exists');
	# PUT completed on the already completed task: still no new occurrence
	my $r3 = req('PUT', "$base/$x->{id}", auth($u), json => { status => 'completed' });
	envelope_ok($r3, 200, 'PUT status completed on a completed task');
	no_next_ok($r3, 'PUT status completed on a completed task');
	is(list_tasks($u, q => $title)->{json}{meta}{total}, 2, 'still exactly one next occurrence');
}

# the toggle and PUT also create the next occurrence
{
	my $x = create_task_ok($u, title => 'toggle recur', recursion_pattern => 'weekly', due_date => '2099-08-01');
	$r = patch($x->{id});
	is(next_task($r) && next_task($r)->{due_date}, '2099-08-08T00:00:00Z', 'toggle to completed creates the next occurrence');
	$r = patch($x->{id});
	is($r->{json}{data}{status}, 'pending', 'toggle back to pending');
	no_next_ok($r, 'reopening');
	$x = create_task_ok($u, title => 'put recur', recursion_pattern => 'monthly', due_date => '2099-08-31');
	$r = req('PUT', "$base/$x->{id}", auth($u), json => { status => 'completed' });
	envelope_ok($r, 200, 'PUT status completed on a recurring task');
	is(next_task($r) && next_task($r)->{due_date}, '2099-09-30T00:00:00Z', 'PUT completion creates the next occurrence');
	$x = create_task_ok($u, title => 'put recur 2', recursion_pattern => 'daily', due_date => '2099-08-31');
	$r = req('PUT', "$base/$x->{id}", auth($u), json => { completed => JSON::PP::true, title => 'put recur 2b' });
	is(next_task($r) && next_task($r)->{title}, 'put recur 2b', 'next occurrence copies the fields as updated in the same request');
}

# no occurrence without a due date or without a pattern
{
	my $x = create_task_ok($u, title => 'pattern no due', recursion_pattern => 'daily');
	$r = patch($x->{id}, { completed => JSON::PP::true });
	envelope_ok($r, 200, 'complete a recurring task without due date');
	no_next_ok($r, 'recurring task without due date');
	$x = create_task_ok($u, title => 'due no pattern', due_date => '2099-09-09');
	$r = patch($x->{id}, { completed => JSON::PP::true });
	envelope_ok($r, 200, 'complete a dated task without pattern');
	no_next_ok($r, 'dated task without pattern');
	is(list_tasks($u, q => 'due no pattern')->{json}{meta}{total}, 1, 'no new task for a dated task without pattern');
	is(list_tasks($u, q => 'pattern no due')->{json}{meta}{total}, 1, 'no new task for a pattern without due date');
}

# an overdue recurring task: the next occurrence is one period after its own due date
{
	my $x = create_task_ok($u, title => 'overdue recur', recursion_pattern => 'every 10 days', due_date => '2099-01-01');
	req('PUT', "$base/$x->{id}", auth($u), json => { due_date => '2001-03-05' });
	$r = patch($x->{id}, { completed => JSON::PP::true });
	is(next_task($r) && next_task($r)->{due_date}, '2001-03-15T00:00:00Z', 'overdue task: next due = due + period, even in the past');
}

done_testing;
