#!/usr/bin/perl
# Parallel requests: 50 simultaneous creates for one user all succeed and all exist, and
# parallel completions of one recurring task create exactly one next occurrence.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use E2E;

my $u = new_user(label => 'conc');

# --- 50 parallel creates ------------------------------------------------------------------------
my $N = 50;
my @res = parallel($N, sub {
	my $i = shift;
	my $r = req('POST', "/api/$u->{id}/tasks", auth($u), json => { title => "parallel $i", tags => ['par'] });
	my $id = ref $r->{json} eq 'HASH' && ref $r->{json}{data} eq 'HASH' ? $r->{json}{data}{id} // '' : '';
	return "$r->{status} $id";
});
my @status = map { (split / /, $_ // 'none')[0] } @res;
my @ids = grep { is_uuid($_) } map { (split / /, $_ // '')[1] // '' } @res;
my @not201 = grep { $status[$_] ne '201' } 0 .. $N - 1;
ok(!@not201, "$N parallel creates all got 201") or diag('failed: ' . join(', ', map { "#$_: " . ($res[$_] // 'no answer') } @not201));
my %uniq = map { $_ => 1 } @ids;
is(scalar keys %uniq, $N, "$N distinct task ids");

my $r = list_tasks($u);
envelope_ok($r, 200, 'list after the parallel creates');
is($r->{json}{meta}{total}, $N, "list total is $N");
is_deeply([sort map { $_->{id} } @{ $r->{json}{data} || [] }], [sort keys %uniq], 'the list holds exactly the created tasks');
is_deeply([sort map { $_->{title} } @{ $r->{json}{data} || [] }], [sort map { "parallel $_" } 0 .. $N - 1], 'every title once');

# --- parallel completion of one recurring task: one next occurrence --------------------------------
my $title = 'race ' . uniq_name('race');
my $t = create_task_ok($u, title => $title, recursion_pattern => 'daily', due_date => '2099-10-10');
my $M = 10;
@res = parallel($M, sub {
	my $r = req('PATCH', "/api/$u->{id}/tasks/$t->{id}/complete", auth($u), json => { completed => JSON::PP::true });
	my $m = ref $r->{json} eq 'HASH' ? $r->{json}{meta} : undef;
	return "$r->{status} " . (ref $m eq 'HASH' && ref $m->{next_task} eq 'HASH' ? 'next' : 'none');
});
my @bad = grep { ($res[$_] // '') !~ /^200 / } 0 .. $M - 1;
ok(!@bad, "$M parallel completions all got 200") or diag(join ', ', map { "#$_: " . ($res[$_] // 'no answer') } @bad);
is(scalar(grep { ($_ // '') eq '200 next' } @res), 1, 'exactly one of them reports meta.next_task');
$r = list_tasks($u, q => $title);
is($r->{json}{meta}{total}, 2, 'exactly one next occurrence was created');

# --- parallel toggles: the final state is consistent with the number of toggles ---------------------
my $tt = create_task_ok($u, title => 'toggle race ' . uniq_name('tr'));
my $K = 10;
@res = parallel($K, sub {
	my $r = req('PATCH', "/api/$u->{id}/tasks/$tt->{id}/complete", auth($u));
	return "$r->{status} " . (ref $r->{json} eq 'HASH' && ref $r->{json}{data} eq 'HASH' ? $r->{json}{data}{status} : '?');
});
my @ok = grep { /^200 / } map { $_ // '' } @res;
is(scalar @ok, $K, "$K parallel toggles all got 200");
my $completed = grep { /completed$/ } @ok;
is($completed, $K / 2, 'toggles are serialised: half of them saw completed, half pending');
is(get_task($u, $tt->{id})->{json}{data}{status}, 'pending', 'after an even number of toggles the task is pending');

# --- the same username or email registered in parallel: one 201, the others 409 ------------------
for my $what ('username', 'email') {
	my $n = uniq_name('dup');
	my $P = 8;
	@res = parallel($P, sub {
		my $i = shift;
		my %b = $what eq 'username'
			? (username => $n, email => "$n.$i\@example.com")
			: (username => "${n}_$i", email => "$n\@example.com");
		my $r = req('POST', '/api/auth/register', json => { %b, password => 'parallel pw 1' });
		my $code = ref $r->{json} eq 'HASH' && ref $r->{json}{error} eq 'HASH' ? $r->{json}{error}{code} : '-';
		return "$r->{status} $code";
	});
	is(scalar(grep { ($_ // '') eq '201 -' } @res), 1, "$P parallel registrations of one $what: exactly one 201");
	is(scalar(grep { ($_ // '') eq '409 conflict' } @res), $P - 1, "$P parallel registrations of one $what: the others 409 conflict")
		or diag(join ', ', map { $_ // 'no answer' } @res);
}

# --- parallel deletes of one task: one 204, the others 404 ----------------------------------------
{
	my $d = create_task_ok($u, title => 'delete race');
	@res = parallel(8, sub { req('DELETE', "/api/$u->{id}/tasks/$d->{id}", auth($u))->{status} });
	is(scalar(grep { ($_ // '') eq '204' } @res), 1, 'parallel deletes: exactly one 204');
	is(scalar(grep { ($_ // '') eq '404' } @res), 7, 'parallel deletes: the others 404') or diag("@res");
}

# --- parallel failed logins: counted, throttled, never a 500 ---------------------------------------
{
	my $v = new_user(label => 'pthr');
	@res = parallel(12, sub { my $i = shift; login_user(username => $v->{username}, password => "wrong $i")->{status} });
	my @odd = grep { !defined $_ || ($_ ne '401' && $_ ne '429') } @res;
	ok(!@odd, '12 parallel failed logins: each 401 or 429') or diag("@res");
	my $r = login_user(username => $v->{username}, password => $v->{password});
	error_ok($r, 429, 'too_many_requests', 'after 12 parallel failures the right password is throttled');
}

done_testing;
