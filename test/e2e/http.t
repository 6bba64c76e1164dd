#!/usr/bin/perl
# HTTP-level behaviour: routing (404/405), media type (415), size (413), JSON (400),
# the order of checks, and CORS.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use E2E;
binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);

my $u = new_user(label => 'http');
my $v = new_user(label => 'http');
my $t = create_task_ok($u, title => 'http task');
my $tasks = "/api/$u->{id}/tasks";
my $one = "$tasks/$t->{id}";
my $JSON = 'application/json';

# --- 404 (outside /api, the web app answers: static.t) -------------------------------------
for my $p ('/api', '/api/', '/api/auth', '/api/auth/nope', '/api/v1', '/api/v1/nope', '/api/v2/health',
	"/api/$u->{id}", "/api/$u->{id}/nope", "$one/nope", "$one/complete/x", '/api/auth/me/x', '/api/favicon.ico') {
	error_ok(req('GET', $p), 404, 'not_found', "GET $p without token");
	error_ok(req('GET', $p, auth($u)), 404, 'not_found', "GET $p with token");
}
error_ok(req('POST', '/api/nope', body => '{bad', content_type => $JSON), 404, 'not_found', 'unknown path with a bad body: 404 first');

# --- 405 with Allow ------------------------------------------------------------------------
sub allow_ok {
	my ($r, $want, $refused, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	error_ok($r, 405, 'method_not_allowed', $name);
	my %allow = map { uc($_) => 1 } grep { length } split /\s*,\s*/, (header($r, 'allow') // '');
	my @missing = grep { !$allow{$_} } @$want;
	ok(defined header($r, 'allow') && !@missing && !$allow{$refused}, "$name: Allow names @$want, not $refused")
		or diag('Allow: ' . (header($r, 'allow') // 'none'));
}
allow_ok(req('PATCH', $tasks, auth($u)), [qw(GET POST)], 'PATCH', 'PATCH /api/{uid}/tasks');
allow_ok(req('DELETE', $tasks, auth($u)), [qw(GET POST)], 'DELETE', 'DELETE /api/{uid}/tasks');
allow_ok(req('PUT', $tasks, auth($u), json => { title => 'x' }), [qw(GET POST)], 'PUT', 'PUT /api/{uid}/tasks');
allow_ok(req('POST', $one, auth($u), json => { title => 'x' }), [qw(GET PUT DELETE)], 'POST', 'POST /api/{uid}/tasks/{id}');
allow_ok(req('PATCH', $one, auth($u), json => {}), [qw(GET PUT DELETE)], 'PATCH', 'PATCH /api/{uid}/tasks/{id}');
allow_ok(req('GET', "$one/complete", auth($u)), ['PATCH'], 'GET', 'GET /complete');
allow_ok(req('POST', "$one/complete", auth($u)), ['PATCH'], 'POST', 'POST /complete');
allow_ok(req('GET', '/api/auth/register'), ['POST'], 'GET', 'GET /api/auth/register');
allow_ok(req('GET', '/api/auth/login'), ['POST'], 'GET', 'GET /api/auth/login');
allow_ok(req('GET', '/api/auth/logout', auth($u)), ['POST'], 'GET', 'GET /api/auth/logout');
allow_ok(req('POST', '/api/auth/me', auth($u), json => {}), ['GET'], 'POST', 'POST /api/auth/me');
allow_ok(req('DELETE', '/api/v1/health'), ['GET'], 'DELETE', 'DELETE /api/v1/health');
# route checks come before authentication and ownership
allow_ok(req('PATCH', $tasks), [qw(GET POST)], 'PATCH', 'PATCH /api/{uid}/tasks without token');
allow_ok(req('PATCH', "/api/$v->{id}/tasks", auth($u)), [qw(GET POST)], 'PATCH', "PATCH another user's tasks");
allow_ok(req('PATCH', $tasks, auth($u), body => '{bad', content_type => 'text/plain'), [qw(GET POST)], 'PATCH', 'PATCH /api/{uid}/tasks with a bad body');

# --- 415 -------------------------------------------------------------------------------------
my $regbody = sub { my $n = uniq_name('ct'); return encode_json_utf8({ username => $n, email => "$n\@example.com", password => 'password 123' }) };
error_ok(req('POST', '/api/auth/register', body => $regbody->()), 415, 'unsupported_media_type', 'register without Content-Type');
for my $ct ('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'text/json',
	'application/xml', 'json') {
	error_ok(req('POST', '/api/auth/register', body => $regbody->(), content_type => $ct), 415, 'unsupported_media_type', "register as $ct");
}
for my $ct ('application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON') {
	envelope_ok(req('POST', '/api/auth/register', body => $regbody->(), content_type => $ct), 201, "register as $ct is accepted");
}
error_ok(req('POST', $tasks, auth($u), body => '{"title":"x"}'), 415, 'unsupported_media_type', 'create task without Content-Type');
error_ok(req('POST', $tasks, auth($u), body => '{"title":"x"}', content_type => 'text/plain'), 415, 'unsupported_media_type', 'create task as text/plain');
error_ok(req('PUT', $one, auth($u), body => '{"title":"x"}', content_type => 'text/plain'), 415, 'unsupported_media_type', 'PUT as text/plain');
error_ok(req('PATCH', "$one/complete", auth($u), body => '{"completed":true}', content_type => 'text/plain'), 415, 'unsupported_media_type', 'PATCH as text/plain');
error_ok(req('POST', '/api/auth/login', body => '{"username":"x","password":"y"}'), 415, 'unsupported_media_type', 'login without Content-Type');

# --- 413 --------------------------------------------------------------------------------------
sub body_of_size {    # a valid JSON task whose description makes the body exactly $n bytes
	my $n = shift;
	my $shell = '{"title":"big","description":""}';
	my $b = '{"title":"big","description":"' . ('d' x ($n - length $shell)) . '"}';
	die unless length $b == $n;
	return $b;
}
for my $n (65537, 66 * 1024, 200 * 1024) {
	my $r = req('POST', $tasks, auth($u), body => body_of_size($n), content_type => $JSON);
	error_ok($r, 413, 'payload_too_large', "task body of $n bytes");
}
error_ok(req('POST', '/api/auth/register', body => '{"username":"' . ('u' x 70000) . '"}', content_type => $JSON),
	413, 'payload_too_large', 'register body of 70,000 bytes');
error_ok(req('PUT', $one, auth($u), body => body_of_size(70000), content_type => $JSON), 413, 'payload_too_large', 'PUT body of 70,000 bytes');
for my $n (65000, 65535, 65536) {
	# within the limit: the body is read and validated (the description is too long: 422)
	my $r = req('POST', $tasks, auth($u), body => body_of_size($n), content_type => $JSON);
	error_ok($r, 422, 'validation_failed', "task body of $n bytes is not too large");
	has_detail($r, 'description', "task body of $n bytes");
}

# chunked bodies obey the same limit
{
	sub chunks {    # a JSON task body of exactly $total bytes, handed out $size bytes at a time
		my ($total, $size) = @_;
		my $shell = '{"title":"chunked","description":""}';
		my $body = '{"title":"chunked","description":"' . ('c' x ($total - length $shell)) . '"}';
		return sub { return length $body ? substr($body, 0, $size, '') : undef };
	}
	my $r = req('POST', $tasks, auth($u), body => chunks(200, 64), content_type => $JSON);
	envelope_ok($r, 201, 'chunked body of 200 bytes');
	is($r->{json}{data}{title}, 'chunked', 'chunked body read whole');
	is(length($r->{json}{data}{description} // ''), 200 - length('{"title":"chunked","description":""}'), 'chunked body: every chunk arrived');
	$r = req('POST', $tasks, auth($u), body => chunks(100_000, 8192), content_type => $JSON);
	error_ok($r, 413, 'payload_too_large', 'chunked body of 100,000 bytes');
}

# --- 400 invalid_json ----------------------------------------------------------------------------
my %bad_json = (
	'truncated'          => '{"title":',
	'garbage'            => '{bad',
	'array'              => '[1,2]',
	'array of object'    => '[{"title":"x"}]',
	'string'             => '"a string"',
	'number'             => '42',
	'true'               => 'true',
	'null'               => 'null',
	'empty'              => '',
	'whitespace'         => "  \n ",
	'trailing garbage'   => '{"title":"x"}x',
	'two objects'        => '{"title":"x"}{"title":"y"}',
	'trailing comma'     => '{"title":"x",}',
	'single quotes'      => "{'title':'x'}",
	'unquoted key'       => '{title:"x"}',
	'invalid UTF-8'      => '{"title":"' . pack('C*', 0xff, 0xfe) . '"}',
	'bad escape'         => '{"title":"\\q"}',
	'NaN'                => '{"title":NaN}',
);
for my $k (sort keys %bad_json) {
	error_ok(req('POST', $tasks, auth($u), body => $bad_json{$k}, content_type => $JSON), 400, 'invalid_json', "create task, body $k");
}
{	# valid JSON syntax that PostgreSQL cannot store as text: the client's fault, so a 4xx, never a 500
	for my $b ('{"title":"\\ud800"}', '{"title":"a\\u0000b"}') {
		my $r = req('POST', $tasks, auth($u), body => $b, content_type => $JSON);
		ok($r->{status} == 400 || $r->{status} == 422 || $r->{status} == 201, "create task, body $b: 400, 422 or 201 (got $r->{status})")
			or diag($r->{raw});
		envelope_ok($r, $r->{status}, "create task, body $b");
	}
}
{	# nesting deep enough to exhaust a recursive parser: a client error, and the gateway survives
	for my $depth (1000, 30000) {
		my $b = '{"title":"deep","n":' . ('[' x $depth) . (']' x $depth) . '}';
		my $r = req('POST', $tasks, auth($u), body => $b, content_type => $JSON);
		ok($r->{status} == 400 || $r->{status} == 422, "nesting depth $depth: 400 or 422 (got $r->{status})") or diag(substr($r->{raw}, 0, 300));
		envelope_ok($r, $r->{status}, "nesting depth $depth");
	}
	envelope_ok(req('GET', '/api/v1/health'), 200, 'gateway still answers after deeply nested bodies');
}
error_ok(req('POST', '/api/auth/register', body => '[]', content_type => $JSON), 400, 'invalid_json', 'register with an array');
error_ok(req('POST', '/api/auth/login', body => '{"username":', content_type => $JSON), 400, 'invalid_json', 'login with malformed JSON');
error_ok(req('PUT', $one, auth($u), body => '"title"', content_type => $JSON), 400, 'invalid_json', 'PUT with a string');
error_ok(req('PATCH', "$one/complete", auth($u), body => '[true]', content_type => $JSON), 400, 'invalid_json', 'PATCH with an array');
is(get_task($u, $t->{id})->{json}{data}{status}, 'pending', 'refused bodies did not touch the task');

# --- order of checks: route, authentication, owner, body, validation -----------------------------
my %bodies = (
	'malformed JSON'  => [body => '{bad', content_type => $JSON],
	'text/plain'      => [body => '{"title":"x"}', content_type => 'text/plain'],
	'no Content-Type' => [body => '{"title":"x"}'],
	'70,000 bytes'    => [body => body_of_size(70000), content_type => $JSON],
	'invalid fields'  => [json => { title => '', bogus => 1 }],
	'a JSON array'    => [body => '[]', content_type => $JSON],
	'valid'           => [json => { title => 'fine' }],
);
for my $k (sort keys %bodies) {
	my @b = @{ $bodies{$k} };
	my $r = req('POST', $tasks, @b);
	error_ok($r, 401, 'unauthorized', "no token, body $k");
	like(header($r, 'www-authenticate') // '', qr/^Bearer/i, "no token, body $k: WWW-Authenticate");
	error_ok(req('POST', $tasks, token => 'not.a.jwt', @b), 401, 'unauthorized', "bad token, body $k");
	error_ok(req('POST', "/api/$v->{id}/tasks", auth($u), @b), 403, 'forbidden', "another user's path, body $k");
	error_ok(req('PUT', "/api/$v->{id}/tasks/$t->{id}", auth($u), @b), 403, 'forbidden', "PUT on another user's path, body $k");
	error_ok(req('PATCH', "/api/$v->{id}/tasks/$t->{id}/complete", auth($u), @b), 403, 'forbidden', "PATCH on another user's path, body $k");
}
{	# the 403 body is the same whatever the body was
	my @e = map { req('POST', "/api/$v->{id}/tasks", auth($u), @{ $bodies{$_} })->{json}{error} } sort keys %bodies;
	is_deeply([@e[1 .. $#e]], [($e[0]) x $#e], '403 never depends on the body');
}
error_ok(req('PUT', $one, auth($u), body => '{bad', content_type => 'text/plain'), 415, 'unsupported_media_type', 'text/plain and malformed: 415');
error_ok(req('PUT', "$tasks/00000000-0000-4000-8000-000000000000", auth($u), body => '{bad', content_type => $JSON),
	400, 'invalid_json', 'PUT unknown task with malformed JSON: body check before the task lookup');

# --- odds and ends of HTTP ------------------------------------------------------------------
envelope_ok(req('GET', '/api/v1/health?probe=1'), 200, 'a query string on a route without parameters is ignored');
envelope_ok(req('GET', '/api/auth/me?x=y', auth($u)), 200, 'a query string on me is ignored');
# the auth-scheme is case-insensitive (RFC 9110 section 11.1)
envelope_ok(req('GET', '/api/auth/me', headers => { Authorization => "bearer $u->{token}" }), 200, 'lowercase "bearer" scheme');
envelope_ok(req('GET', '/api/auth/me', headers => { Authorization => "BEARER $u->{token}" }), 200, 'uppercase "BEARER" scheme');
{	# several requests over one persistent connection
	my $ka = keepalive_agent();
	my @st;
	for my $i (1 .. 5) {
		my $x = $ka->request($i % 2 ? 'GET' : 'POST', base_url() . ($i % 2 ? '/api/auth/me' : $tasks), {
			headers => { Authorization => "Bearer $u->{token}", ($i % 2 ? () : ('Content-Type' => $JSON)) },
			($i % 2 ? () : (content => '{"title":"keep-alive"}')) });
		push @st, $x->{status};
	}
	is("@st", '200 201 200 201 200', 'five requests on a keep-alive connection');
}

# --- CORS ----------------------------------------------------------------------------------------
my $origin = cors_origin();
sub cors_headers { my $r = shift; return grep { /^access-control-/ } keys %{ $r->{headers} } }
sub cors_ok {
	my ($r, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	is(header($r, 'access-control-allow-origin'), $origin, "$name: Access-Control-Allow-Origin echoes the origin");
}
my %o = (headers => { Origin => $origin });
cors_ok(req('GET', '/api/v1/health', %o), 'health (200)');
cors_ok(req('GET', '/api/auth/me', auth($u), %o), 'me (200)');
cors_ok(req('POST', $tasks, auth($u), json => { title => 'cors' }, %o), 'create (201)');
cors_ok(req('GET', '/api/nowhere', %o), '404');
cors_ok(req('GET', '/api/auth/me', %o), '401');
cors_ok(req('GET', "/api/$v->{id}/tasks", auth($u), %o), '403');
cors_ok(req('PATCH', $tasks, auth($u), %o), '405');
cors_ok(req('POST', $tasks, auth($u), json => { title => '' }, %o), '422');
cors_ok(req('POST', $tasks, auth($u), body => '{bad', content_type => $JSON, %o), '400');
cors_ok(req('POST', $tasks, auth($u), body => '{}', content_type => 'text/plain', %o), '415');
cors_ok(req('POST', $tasks, auth($u), body => body_of_size(70000), content_type => $JSON, %o), '413');
{
	my $d = create_task_ok($u, title => 'cors delete');
	my $r = req('DELETE', "$tasks/$d->{id}", auth($u), %o);
	is($r->{status}, 204, 'DELETE with Origin: 204');
	cors_ok($r, 'DELETE (204)');
}
for my $other ('http://evil.example', 'http://localhost:3001', "$origin.evil.example", 'null', 'https://evil.example') {
	next if $other eq $origin;
	for my $case (['GET', '/api/v1/health'], ['GET', '/api/auth/me'], ['GET', '/api/nowhere']) {
		my $r = req($case->[0], $case->[1], headers => { Origin => $other });
		my @h = cors_headers($r);
		ok(!@h, "origin $other, $case->[0] $case->[1] ($r->{status}): no CORS headers") or diag("got: @h");
	}
}
# no Origin at all: nothing to echo
{
	my $r = req('GET', '/api/v1/health');
	ok(!defined header($r, 'access-control-allow-origin'), 'no Origin: no Access-Control-Allow-Origin');
}

# preflight
sub preflight {
	my ($path, $method, $org) = @_;
	return req('OPTIONS', $path, headers => { Origin => $org // $origin, 'Access-Control-Request-Method' => $method,
		'Access-Control-Request-Headers' => 'authorization, content-type' });
}
sub list_has {
	my ($value, @want) = @_;
	my %have = map { lc($_) => 1 } grep { length } split /\s*,\s*/, ($value // '');
	return !grep { !$have{ lc $_ } } @want;
}
for my $c ([$tasks, 'POST'], [$tasks, 'GET'], [$one, 'PUT'], [$one, 'DELETE'], ["$one/complete", 'PATCH'],
	['/api/auth/login', 'POST'], ['/api/auth/me', 'GET']) {
	my ($path, $m) = @$c;
	my $r = preflight($path, $m);
	my $name = "preflight $m " . ($path =~ s/[0-9a-f]{8}-[0-9a-f-]{27}/{id}/gr);
	no_content_ok($r, $name);
	cors_ok($r, $name);
	ok(list_has(header($r, 'access-control-allow-methods'), $m), "$name: Access-Control-Allow-Methods includes $m")
		or diag('got: ' . (header($r, 'access-control-allow-methods') // 'none'));
	ok(list_has(header($r, 'access-control-allow-headers'), 'Authorization', 'Content-Type', 'Idempotency-Key'),
		"$name: Access-Control-Allow-Headers includes Authorization, Content-Type and Idempotency-Key")
		or diag('got: ' . (header($r, 'access-control-allow-headers') // 'none'));
	ok(length(header($r, 'x-request-id') // ''), "$name: X-Request-Id");
}
{
	my $r = preflight($tasks, 'POST', 'http://evil.example');
	my @h = cors_headers($r);
	ok(!@h, "preflight from another origin ($r->{status}): no CORS headers") or diag("got: @h");
}

done_testing;
