#!/usr/bin/perl
# Registration, login, throttling, me, logout and token validation.
#
# Not covered here: expired (exp) and not-yet-valid (nbf) tokens, and wrong issuer /
# audience. Forging them needs the JWT secret, which lives only in the database cluster's
# configuration; the database's own tests (test/pgtap) cover those cases.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use E2E;
binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);

my @USER_KEYS = qw(id username email name is_active email_verified created_at updated_at);

sub user_ok {
	my ($user, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	return ok(0, "$name: user is an object") unless ref $user eq 'HASH';
	my @missing = grep { !exists $user->{$_} } @USER_KEYS;
	ok(!@missing, "$name: user has all fields") or diag("missing: @missing");
	my @secret = grep { /pass|hash|secret|salt/i } keys %$user;
	ok(!@secret, "$name: no password or hash field") or diag("found: @secret");
	ok(is_uuid($user->{id}), "$name: id is a UUID");
	ok(is_jbool($user->{is_active}) && is_jbool($user->{email_verified}), "$name: is_active and email_verified are booleans");
	ok(is_ts($user->{created_at}) && is_ts($user->{updated_at}), "$name: created_at and updated_at are RFC 3339 UTC");
}

# checks the {user, access_token, token_type, expires_at} body; returns the data
sub session_ok {
	my ($r, $status, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	envelope_ok($r, $status, $name) or return undef;
	my $d = $r->{json}{data};
	user_ok($d->{user}, $name);
	is($d->{token_type}, 'bearer', "$name: token_type bearer");
	ok(is_ts($d->{expires_at}), "$name: expires_at is RFC 3339 with Z") or diag($d->{expires_at});
	cmp_ok(ts_epoch($d->{expires_at}) // 0, '>', time, "$name: expires_at is in the future");
	my ($h, $p) = jwt_split($d->{access_token} // '');
	ok(ref $h eq 'HASH' && ref $p eq 'HASH', "$name: access_token is a JWT") or return $d;
	is($p->{sub}, $d->{user}{id}, "$name: JWT sub is the user id");
	ok(defined $p->{jti} && length $p->{jti}, "$name: JWT has a jti");
	ok(defined $p->{iat} && defined $p->{exp} && $p->{exp} > $p->{iat}, "$name: JWT has iat < exp");
	ok(defined $p->{exp} && abs($p->{exp} - (ts_epoch($d->{expires_at}) // 0)) <= 1, "$name: expires_at is the token's exp");
	isnt(lc($h->{alg} // 'none'), 'none', "$name: JWT is signed");
	return $d;
}

sub unauthorized_ok {
	my ($r, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	error_ok($r, 401, 'unauthorized', $name);
	like(header($r, 'www-authenticate') // '', qr/^Bearer\b/i, "$name: WWW-Authenticate: Bearer");
}

# --- register --------------------------------------------------------------------------
my $uname = uniq_name('reg');
my $r = req('POST', '/api/auth/register', json => {
	username => $uname, email => "$uname\@example.com", password => 'long enough 1', name => 'Ada Lovelace' });
my $reg = session_ok($r, 201, 'register');
is($reg->{user}{username}, $uname, 'register: username as sent');
is($reg->{user}{email}, "$uname\@example.com", 'register: email');
is($reg->{user}{name}, 'Ada Lovelace', 'register: name');
ok(jtrue($reg->{user}{is_active}), 'register: a new user is active');
unlike($r->{raw}, qr/long enough 1/, 'register: the password is not echoed anywhere');

$r = register_user(omit => ['name']);
envelope_ok($r, 201, 'register without name');
ok(exists $r->{json}{data}{user}{name} && !defined $r->{json}{data}{user}{name}, 'register without name: name is null');

# username rules
for my $bad ('ab', 'a' x 31, 'has-dash', 'has space', 'dot.ted', 'ünïcode', 'semi;colon', '') {
	$r = register_user(username => $bad);
	error_ok($r, 422, 'validation_failed', "username '$bad'");
	has_detail($r, 'username', "username '$bad'");
}
$r = register_user(username => undef);
error_ok($r, 422, 'validation_failed', 'username null');
has_detail($r, 'username', 'username null');
$r = register_user(username => 12345);
error_ok($r, 422, 'validation_failed', 'username a number');

{	# 30 characters, mixed case and underscore: fine
	my $u30 = uniq_name('x');
	$u30 .= join '', map { ('A' .. 'Z')[int rand 26] } 1 .. 30 - length $u30;
	$r = register_user(username => $u30, email => lc($u30) . '@example.com');
	envelope_ok($r, 201, 'username of 30 characters');
	# 3 characters: the length rule passes (a name that short may be taken by an earlier run)
	my $status;
	for (1 .. 8) {
		my $u3 = join '', map { ('a' .. 'z', 0 .. 9, '_')[int rand 37] } 1 .. 3;
		$r = register_user(username => $u3, email => uniq_name('m') . '@example.com');
		$status = $r->{status};
		last if $status == 201;
	}
	ok($status == 201 || $status == 409, "username of 3 characters accepted (got $status)") or diag($r->{raw});
}

# email rules
for my $bad ('plainaddress', 'no-at.example.com', 'user@', '@example.com', 'two@@example.com', 'sp ace@example.com', '') {
	$r = register_user(email => $bad);
	error_ok($r, 422, 'validation_failed', "email '$bad'");
	has_detail($r, 'email', "email '$bad'");
}
$r = register_user(omit => ['email']);
error_ok($r, 422, 'validation_failed', 'email missing');
has_detail($r, 'email', 'email missing');
{
	my $n = uniq_name('em');
	$r = register_user(username => $n, email => uc($n) . '@Example.COM');
	envelope_ok($r, 201, 'mixed-case email');
	is($r->{json}{data}{user}{email}, lc($n) . '@example.com', 'email stored lowercase');
}

# password: 8..72 bytes, counted in bytes
my %pw = (
	'7 bytes' => ['x' x 7, 422], '8 bytes' => ['x' x 8, 201], '72 bytes' => ['y' x 72, 201], '73 bytes' => ['y' x 73, 422],
	'36 x é = 72 bytes' => ['é' x 36, 201], '37 x é = 74 bytes (37 characters)' => ['é' x 37, 422],
	'4 x é = 8 bytes' => ['é' x 4, 201], '3 x é + 1 = 7 bytes' => ['ééé1', 422],
	'24 x € = 72 bytes' => ['€' x 24, 201], '25 x € = 75 bytes' => ['€' x 25, 422],
);
for my $k (sort keys %pw) {
	my ($p, $want) = @{ $pw{$k} };
	$r = register_user(password => $p);
	if ($want == 201) { envelope_ok($r, 201, "password $k") }
	else { error_ok($r, 422, 'validation_failed', "password $k"); has_detail($r, 'password', "password $k") }
}
$r = register_user(omit => ['password']);
error_ok($r, 422, 'validation_failed', 'password missing');
has_detail($r, 'password', 'password missing');

{	# a 72-byte password is used in full, and a longer one is never truncated to match it
	my $n = uniq_name('p72');
	my $p72 = 'z' x 71 . 'q';
	envelope_ok(register_user(username => $n, email => "$n\@example.com", password => $p72), 201, 'register with 72-byte password');
	envelope_ok(login_user(username => $n, password => $p72), 200, 'login with the 72-byte password');
	isnt(login_user(username => $n, password => $p72 . 'EXTRA')->{status}, 200, 'login with those 72 bytes plus more is refused');
	isnt(login_user(username => $n, password => 'z' x 71 . 'r')->{status}, 200, 'login with a different 72nd byte is refused');
}

$r = req('POST', '/api/auth/register', json => {});
error_ok($r, 422, 'validation_failed', 'empty registration');
has_detail($r, $_, 'empty registration') for qw(username email password);

# conflicts, ignoring case
$r = register_user(username => uc $uname, email => uniq_name('c') . '@example.com');
error_ok($r, 409, 'conflict', 'username taken (other case)');
$r = register_user(email => uc("$uname\@example.com"));
error_ok($r, 409, 'conflict', 'email taken (other case)');
$r = register_user(username => $uname, email => "$uname\@example.com");
error_ok($r, 409, 'conflict', 'username and email taken');

# --- login -----------------------------------------------------------------------------
$r = login_user(email => "$uname\@example.com", password => 'long enough 1');
my $l1 = session_ok($r, 200, 'login by email');
is($l1->{user}{id}, $reg->{user}{id}, 'login by email: same user');
isnt($l1->{access_token}, $reg->{access_token}, 'login gives a new token');
$r = login_user(username => $uname, password => 'long enough 1');
my $l2 = session_ok($r, 200, 'login by username');
is($l2->{user}{id}, $reg->{user}{id}, 'login by username: same user');
my (undef, $p1) = jwt_split($l1->{access_token});
my (undef, $p2) = jwt_split($l2->{access_token});
isnt($p1->{jti}, $p2->{jti}, 'each login is a new session (jti)');

# wrong password and unknown user: same 401 body
my $wrong = login_user(username => $uname, password => 'not the password');
my $nobody = login_user(username => uniq_name('ghost'), password => 'not the password');
my $nobody_mail = login_user(email => uniq_name('ghost') . '@example.com', password => 'not the password');
error_ok($wrong, 401, 'unauthorized', 'wrong password');
error_ok($nobody, 401, 'unauthorized', 'unknown username');
error_ok($nobody_mail, 401, 'unauthorized', 'unknown email');
is_deeply($nobody->{json}, $wrong->{json}, 'unknown user and wrong password: identical bodies');
is_deeply($nobody_mail->{json}, $wrong->{json}, 'unknown email and wrong password: identical bodies');

# --- throttling ------------------------------------------------------------------------
{
	my $t = new_user(label => 'thr');
	my ($n401, $got429, @other) = (0, undef);
	for my $i (1 .. 30) {
		my $x = login_user($i % 2 ? (username => $t->{username}) : (email => $t->{email}), password => "wrong $i");
		if ($x->{status} == 401) { $n401++; next }
		if ($x->{status} == 429) { $got429 = $x; last }
		push @other, $x->{status};
		last;
	}
	ok($got429, "repeated failed logins are throttled (429 after $n401 failures)") or diag("other statuses: @other");
	cmp_ok($n401, '>=', 1, 'the first failures are plain 401s');
	if ($got429) {
		error_ok($got429, 429, 'too_many_requests', 'throttled login');
		like(header($got429, 'retry-after') // '', qr/^\s*[1-9]\d*\s*$/, 'throttled login: Retry-After is a positive number of seconds');
	}
	$r = login_user(username => $t->{username}, password => $t->{password});
	error_ok($r, 429, 'too_many_requests', 'correct password while throttled');
	like(header($r, 'retry-after') // '', qr/^\s*[1-9]\d*\s*$/, 'correct password while throttled: Retry-After');
	$r = login_user(email => $t->{email}, password => $t->{password});
	error_ok($r, 429, 'too_many_requests', 'correct password by email while throttled');
	# the account's existing token keeps working; other accounts are not affected
	envelope_ok(req('GET', '/api/auth/me', auth($t)), 200, 'throttled account: existing token still works');
	envelope_ok(login_user(username => $uname, password => 'long enough 1'), 200, 'another account is not throttled');
}

# --- me ---------------------------------------------------------------------------------
$r = req('GET', '/api/auth/me', token => $reg->{access_token});
envelope_ok($r, 200, 'me');
user_ok($r->{json}{data}, 'me');
is($r->{json}{data}{id}, $reg->{user}{id}, 'me: the token\'s user');
is($r->{json}{data}{email}, "$uname\@example.com", 'me: email');
is_deeply($r->{json}{data}, $reg->{user}, 'me: same user object as at registration');

# --- logout ---------------------------------------------------------------------------
$r = req('POST', '/api/auth/logout', token => $l1->{access_token});
no_content_ok($r, 'logout');
unauthorized_ok(req('GET', '/api/auth/me', token => $l1->{access_token}), 'me with a logged-out token');
unauthorized_ok(req('GET', "/api/$reg->{user}{id}/tasks", token => $l1->{access_token}), 'tasks with a logged-out token');
unauthorized_ok(req('POST', '/api/auth/logout', token => $l1->{access_token}), 'logout twice');
envelope_ok(req('GET', '/api/auth/me', token => $l2->{access_token}), 200, 'another token of the same user still works');
envelope_ok(req('GET', '/api/auth/me', token => $reg->{access_token}), 200, 'the registration token still works');
unauthorized_ok(req('POST', '/api/auth/logout'), 'logout without a token');

# --- bad tokens -------------------------------------------------------------------------
my $tok = $l2->{access_token};
my $other = new_user(label => 'oth');
my ($h, $p, $sig, @raw) = jwt_split($tok);

unauthorized_ok(req('GET', '/api/auth/me'), 'no Authorization header');
my %bad_auth = (
	'Basic scheme'       => 'Basic ' . b64url_encode("$uname:long enough 1"),
	'Bearer, no token'   => 'Bearer',
	'Bearer and a space' => 'Bearer ',
	'Token scheme'       => "Token $tok",
	'token without scheme' => $tok,
	'garbage'            => 'Bearer garbage',
	'three garbage parts' => 'Bearer a.b.c',
	'empty parts'        => 'Bearer ..',
	'four parts'         => "Bearer $tok.x",
	'two tokens'         => "Bearer $tok $tok",
);
for my $k (sort keys %bad_auth) {
	unauthorized_ok(req('GET', '/api/auth/me', headers => { Authorization => $bad_auth{$k} }), "Authorization: $k");
}

{	# flip one character in the middle of the signature (not the last one, whose low bits are padding)
	my $s = $raw[2];
	substr($s, 10, 1) = substr($s, 10, 1) eq 'A' ? 'B' : 'A';
	unauthorized_ok(req('GET', '/api/auth/me', token => join('.', @raw[0, 1], $s)), 'tampered signature');
	unauthorized_ok(req('GET', '/api/auth/me', token => join('.', @raw[0, 1], '')), 'signature removed');
	unauthorized_ok(req('GET', '/api/auth/me', token => join('.', @raw[0, 1], $s x 2)), 'signature doubled');
}
{	# payload changed, signature kept
	my %q = %$p; $q{sub} = $other->{id};
	my $forged = join '.', $raw[0], b64url_encode(encode_json_utf8(\%q)), $raw[2];
	unauthorized_ok(req('GET', '/api/auth/me', token => $forged), 'tampered payload (sub of another user)');
	unauthorized_ok(req('GET', "/api/$other->{id}/tasks", token => $forged), 'tampered payload on the other user\'s tasks');
	%q = %$p; $q{exp} = $p->{exp} + 86400 * 365;
	unauthorized_ok(req('GET', '/api/auth/me', token => join('.', $raw[0], b64url_encode(encode_json_utf8(\%q)), $raw[2])),
		'tampered payload (exp extended)');
	%q = %$p; $q{jti} = $p->{jti} . 'x';
	unauthorized_ok(req('GET', '/api/auth/me', token => join('.', $raw[0], b64url_encode(encode_json_utf8(\%q)), $raw[2])),
		'tampered payload (jti)');
}
for my $alg ('none', 'None', 'NONE') {
	my $hn = b64url_encode(encode_json_utf8({ alg => $alg, typ => 'JWT' }));
	unauthorized_ok(req('GET', '/api/auth/me', token => "$hn.$raw[1]."), "alg $alg, no signature");
	unauthorized_ok(req('GET', '/api/auth/me', token => "$hn.$raw[1].$raw[2]"), "alg $alg, original signature");
}
for my $alg ('HS384', 'HS512', 'RS256') {
	my $ha = b64url_encode(encode_json_utf8({ %$h, alg => $alg }));
	unauthorized_ok(req('GET', '/api/auth/me', token => "$ha.$raw[1].$raw[2]"), "header alg changed to $alg");
}
# the good token still works after all that
envelope_ok(req('GET', '/api/auth/me', token => $tok), 200, 'the untampered token still works');

done_testing;
