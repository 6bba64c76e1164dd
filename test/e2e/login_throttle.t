#!/usr/bin/perl
# Login throttling over HTTP (docs/security.md): it holds under concurrency (40 parallel
# wrong passwords for one account: at most 5 answers of 401, then 429), a 429 does not tell
# which email belongs to which username, and a blank identifier is a 422, never a 500.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use E2E;

# --- a blank identifier: 422 (it was a 500: the counter row failed its own policy) -----------
for my $body ({ email => '  ', password => 'whatever1' }, { username => '', password => 'whatever1' },
	{ username => " \t", password => 'whatever1' }) {
	my $field = exists $body->{email} ? 'email' : 'username';
	my $r = login_user(%$body);
	error_ok($r, 422, 'validation_failed', "login with a blank $field");
	has_detail($r, $field, "login with a blank $field");
}

# --- 40 parallel wrong passwords for one account -------------------------------------------
{
	my $u = new_user(label => 'par');
	my $N = 40;
	my @status = parallel($N, sub {
		my $i = shift;
		return login_user(username => $u->{username}, password => "wrong guess $i")->{status};
	});
	my $n401 = grep { ($_ // '') eq '401' } @status;
	my $n429 = grep { ($_ // '') eq '429' } @status;
	cmp_ok($n401, '<=', 5, "$N parallel wrong passwords for one account: at most 5 answers of 401 (got $n401)");
	cmp_ok($n401, '>=', 1, '... and at least one (the first is checked)');
	is($n401 + $n429, $N, '... every other answer is a 429') or diag("statuses: @{[ map { $_ // 'none' } @status ]}");
	my $r = login_user(username => $u->{username}, password => $u->{password});
	error_ok($r, 429, 'too_many_requests', 'after them, the right password by username is refused too');
	# the same account by email counts apart: a 429 links no email to a username
	$r = login_user(email => $u->{email}, password => 'still wrong');
	error_ok($r, 401, 'unauthorized', 'the account locked by username, a wrong password by email is a plain 401');
	$r = login_user(email => $u->{email}, password => $u->{password});
	envelope_ok($r, 200, 'the account locked by username, the right password by email logs in');
}

# --- the client's address: an attacker elsewhere cannot lock the owner out ------------------
# test/run.sh starts the gateway with TRUSTED_PROXIES=127.0.0.1 and says so in
# TODO_E2E_TRUSTED_PROXY: X-Forwarded-For then names the client, as behind a load balancer.
SKIP: {
	skip 'the gateway under test does not trust this client as a proxy (TODO_E2E_TRUSTED_PROXY unset)', 9
		unless $ENV{TODO_E2E_TRUSTED_PROXY};
	my $u = new_user(label => 'own');
	my @attacker = (headers => { 'X-Forwarded-For' => '198.51.100.1' });
	my $n401 = 0;
	for my $i (1 .. 6) {
		my $r = req('POST', '/api/auth/login', @attacker, json => { username => $u->{username}, password => "guess $i" });
		$n401++ if $r->{status} == 401;
		error_ok($r, 429, 'too_many_requests', 'the 6th wrong password from one address') if $i == 6;
	}
	is($n401, 5, 'from one address, 5 wrong passwords are 401s');
	my $r = req('POST', '/api/auth/login', headers => { 'X-Forwarded-For' => '1.2.3.4, 198.51.100.2' },
		json => { username => $u->{username}, password => $u->{password} });
	envelope_ok($r, 200, 'the owner, from another address (the proxy\'s entry, not the one the client wrote), logs in');
	$r = req('POST', '/api/auth/login', @attacker, json => { username => $u->{username}, password => $u->{password} });
	error_ok($r, 429, 'too_many_requests', 'the right password from the attacker\'s address is still refused');
}

done_testing();
