#!/usr/bin/perl
# Idempotency-Key on every write (register, create, update, delete, complete, logout): the
# first request runs, the same request again gets the stored answer with
# Idempotent-Replayed: true and runs nothing, another request under the key is a 422, a
# malformed key a 400, one user's key is not another's, other routes ignore the header,
# and browsers may send and read the headers (CORS). The 409 of a key in use, expiry and the
# restart under load: test/suites/idempotency.sh.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use E2E;
binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);

my $RUN = "$$-" . time;
sub key { return "e2e-$RUN-" . shift }
sub with_key { my $k = shift; return (headers => { 'Idempotency-Key' => $k, @_ }) }
sub replayed { return header($_[0], 'idempotent-replayed') }

my $u = new_user(label => 'idm');
my $v = new_user(label => 'idv');
my $tasks = "/api/$u->{id}/tasks";
sub count_tasks { my $r = list_tasks($u); return scalar @{ $r->{json}{data} || [] } }

# --- create: once, then the stored answer ----------------------------------------------------
my $k = key('create');
my $r1 = req('POST', $tasks, auth($u), json => { title => 'milk' }, with_key($k));
envelope_ok($r1, 201, 'create with a new key');
ok(!defined replayed($r1), 'the first answer has no Idempotent-Replayed');
my $r2 = req('POST', $tasks, auth($u), json => { title => 'milk' }, with_key($k));
envelope_ok($r2, 201, 'the same create again: 201 again');
is(replayed($r2), 'true', 'the retry: Idempotent-Replayed: true');
is_deeply($r2->{json}, $r1->{json}, 'the retry: the same body (the same task)');
is(header($r2, 'location'), header($r1, 'location'), 'the retry: the same Location');
is(count_tasks(), 1, 'one task was created');

# --- another request under the key: 422 ------------------------------------------------------
my $r = req('POST', $tasks, auth($u), json => { title => 'eggs' }, with_key($k));
error_ok($r, 422, 'idempotency_key_reused', 'another body under the key');
is_deeply($r->{json}{error}{details}, [{ field => 'Idempotency-Key', message => 'was used for a different request' }],
	'422: details name the header');
like($r->{json}{error}{message} // '', qr/different request/, '422: the message says why');
is(count_tasks(), 1, 'still one task');
$r = req('PUT', "$tasks/$r1->{json}{data}{id}", auth($u), json => { title => 'milk' }, with_key($k));
error_ok($r, 422, 'idempotency_key_reused', 'another method and path under the key');

# --- malformed keys: 400, nothing runs ------------------------------------------------------
# (a key with bytes outside ASCII: test_request.c and pgTAP; HTTP::Tiny will not send one)
for my $bad (['', 'empty'], ['x' x 256, '256 characters'], ["a\tb", 'a tab']) {
	$r = req('POST', $tasks, auth($u), json => { title => 'bad key' }, with_key($bad->[0]));
	error_ok($r, 400, 'invalid_idempotency_key', "a key that is $bad->[1]");
}
$r = req('POST', $tasks, auth($u), json => { title => 'long key' }, with_key('~' x 255));
envelope_ok($r, 201, 'a key of 255 printable characters');
$r = req('POST', $tasks, json => { title => 'no token' }, with_key('x' x 256));
error_ok($r, 401, 'unauthorized', 'no token and a bad key: 401 first');
is(count_tasks(), 2, 'the malformed keys created nothing');

# --- one user's key is not another's ----------------------------------------------------------
$r = req('POST', "/api/$v->{id}/tasks", auth($v), json => { title => 'milk' }, with_key($k));
envelope_ok($r, 201, 'another user with the same key string: runs');
ok(!defined replayed($r), 'another user: not a replay');
isnt($r->{json}{data}{id}, $r1->{json}{data}{id}, 'another user: a task of their own');
$r = req('POST', $tasks, auth($v), json => { title => 'milk' }, with_key($k));
error_ok($r, 403, 'forbidden', 'another user on the first user\'s path with the key: 403, no replay');
ok(!defined replayed($r), '403: no Idempotent-Replayed');

# --- complete (a toggle), update, delete --------------------------------------------------------
my $t = create_task_ok($u, title => 'toggle');
$k = key('toggle');
$r = req('PATCH', "$tasks/$t->{id}/complete", auth($u), with_key($k));
envelope_ok($r, 200, 'toggle with a key');
is($r->{json}{data}{status}, 'completed', 'toggle: completed');
$r = req('PATCH', "$tasks/$t->{id}/complete", auth($u), with_key($k));
envelope_ok($r, 200, 'the toggle again');
is(replayed($r), 'true', 'the toggle again: replayed');
is($r->{json}{data}{status}, 'completed', 'the toggle again: the stored answer, completed');
is(get_task($u, $t->{id})->{json}{data}{status}, 'completed', 'the task is still completed: toggled once');
$r = req('PATCH', "$tasks/$t->{id}/complete", auth($u), with_key(key('toggle-2')));
is($r->{json}{data}{status}, 'pending', 'a new key toggles again');

$k = key('update');
$r = req('PUT', "$tasks/$t->{id}", auth($u), json => { title => 'updated' }, with_key($k));
envelope_ok($r, 200, 'update with a key');
$r = req('PUT', "$tasks/$t->{id}", auth($u), json => { title => 'updated' }, with_key($k));
is(replayed($r), 'true', 'the update again: replayed');
is($r->{json}{data}{title}, 'updated', 'the update again: the stored task');

$r = req('PUT', "$tasks/$t->{id}", auth($u), json => { title => '' }, with_key(key('bad-update')));
error_ok($r, 422, 'validation_failed', 'an update refused under a key');
$r = req('PUT', "$tasks/$t->{id}", auth($u), json => { title => 'fixed' }, with_key(key('bad-update')));
envelope_ok($r, 200, 'an error is not stored: the key then serves another request');
ok(!defined replayed($r), 'not a replay');

$k = key('delete');
$r = req('DELETE', "$tasks/$t->{id}", auth($u), with_key($k));
no_content_ok($r, 'delete with a key');
$r = req('DELETE', "$tasks/$t->{id}", auth($u), with_key($k));
no_content_ok($r, 'the delete again: 204, not 404');
is(replayed($r), 'true', 'the delete again: replayed');
$r = req('DELETE', "$tasks/$t->{id}", auth($u));
error_ok($r, 404, 'not_found', 'the delete without a key: 404 (the task is gone)');

# --- register: keyed by the client's address ------------------------------------------------------
{
	my $name = uniq_name('idr');
	my %body = (username => $name, email => "$name\@example.com", password => 'correct horse 1');
	$k = key('register');
	my $a = req('POST', '/api/auth/register', json => \%body, with_key($k));
	envelope_ok($a, 201, 'register with a key');
	my $b = req('POST', '/api/auth/register', json => \%body, with_key($k));
	envelope_ok($b, 201, 'the register again: 201, not 409');
	is(replayed($b), 'true', 'the register again: replayed');
	is($b->{json}{data}{access_token}, $a->{json}{data}{access_token}, 'the register again: the same token');
	$r = req('POST', '/api/auth/register', json => { %body, password => 'another one 2' }, with_key($k));
	error_ok($r, 422, 'idempotency_key_reused', 'register with another body under the key');
	if ($ENV{TODO_E2E_TRUSTED_PROXY}) {
		$r = req('POST', '/api/auth/register', json => \%body, with_key($k, 'X-Forwarded-For' => '203.0.113.77'));
		error_ok($r, 409, 'conflict', 'the key from another client address is another key: register runs (taken)');
	}
	else {
		pass('(another client address needs a trusted proxy)') for 1 .. 3;
	}
	$r = req('POST', '/api/auth/login', json => { username => $name, password => 'correct horse 1' }, with_key($k));
	envelope_ok($r, 200, 'login ignores the header');
	ok(!defined replayed($r), 'login: never a replay');
	$r = req('GET', '/api/auth/me', token => $a->{json}{data}{access_token}, with_key($k));
	envelope_ok($r, 200, 'a read ignores the header');
}

# --- logout: its retry is replayed although the session has ended ------------------------------------
{
	my $w = new_user(label => 'ido');
	$k = key('logout');
	$r = req('POST', '/api/auth/logout', auth($w), with_key($k));
	no_content_ok($r, 'logout with a key');
	$r = req('POST', '/api/auth/logout', auth($w), with_key($k));
	no_content_ok($r, 'the logout again: 204, not 401');
	is(replayed($r), 'true', 'the logout again: replayed');
	$r = req('POST', '/api/auth/logout', auth($w), with_key(key('logout-2')));
	error_ok($r, 401, 'unauthorized', 'another key with the ended session: 401');
	$r = req('GET', '/api/auth/me', auth($w));
	error_ok($r, 401, 'unauthorized', 'the token is refused after the logout');
}

# --- CORS: browsers may send the key and read the replay header -------------------------------------
{
	my $origin = cors_origin();
	SKIP: {
		skip 'no allowed CORS origin configured', 3 unless $origin;
		$r = req('OPTIONS', $tasks, headers => { Origin => $origin, 'Access-Control-Request-Method' => 'POST',
			'Access-Control-Request-Headers' => 'authorization, content-type, idempotency-key' });
		like(header($r, 'access-control-allow-headers') // '', qr/(^|, )Idempotency-Key(,|$)/, 'preflight allows Idempotency-Key');
		$k = key('cors');
		req('POST', $tasks, auth($u), json => { title => 'cors' }, with_key($k, Origin => $origin));
		$r = req('POST', $tasks, auth($u), json => { title => 'cors' }, with_key($k, Origin => $origin));
		is(replayed($r), 'true', 'a cross-origin replay');
		like(header($r, 'access-control-expose-headers') // '', qr/(^|, )Idempotent-Replayed(,|$)/,
			'Idempotent-Replayed is exposed (with Server-Timing)');
	}
}

done_testing();
