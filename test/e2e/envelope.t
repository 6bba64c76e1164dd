#!/usr/bin/perl
# The response envelope {"status","data","error"}, details only on 422, 204 without a body,
# X-Request-Id handling, and error messages that leak nothing internal.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use E2E;
binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);

my $u = new_user(label => 'env');
my $v = new_user(label => 'env');

# --- success envelopes ---------------------------------------------------------------
my $r = req('GET', '/api/auth/me', auth($u));
envelope_ok($r, 200, 'GET me');
ok(!defined $r->{json}{error} && exists $r->{json}{error}, 'success: "error" is present and null');
ok(!exists $r->{json}{meta}, 'GET me: no meta');

$r = create_task($u, title => 'envelope task');
envelope_ok($r, 201, 'create task');
is(ref $r->{json}{data}, 'HASH', 'create task: data is the task object');
my $task = $r->{json}{data};

$r = list_tasks($u);
envelope_ok($r, 200, 'list tasks');
is(ref $r->{json}{data}, 'ARRAY', 'list: data is an array');
is(ref $r->{json}{meta}, 'HASH', 'list: meta is an object');
is_deeply([sort keys %{ $r->{json}{meta} || {} }], [qw(limit offset total)], 'list: meta has total, limit, offset');

# --- error envelopes: every code except 422 has no details ----------------------------
error_ok(req('GET', '/api/definitely/not/here'), 404, 'not_found', 'unknown path');
error_ok(req('GET', '/api/auth/me'), 401, 'unauthorized', 'me without token');
error_ok(req('GET', "/api/$v->{id}/tasks", auth($u)), 403, 'forbidden', "another user's path");
error_ok(req('GET', "/api/$u->{id}/tasks/00000000-0000-4000-8000-000000000000", auth($u)), 404, 'not_found', 'unknown task');
error_ok(req('PATCH', "/api/$u->{id}/tasks", auth($u)), 405, 'method_not_allowed', 'wrong method');
error_ok(req('POST', "/api/$u->{id}/tasks", auth($u), body => '{"title":', content_type => 'application/json'),
	400, 'invalid_json', 'malformed JSON');
error_ok(list_tasks($u, limit => 'abc'), 400, 'bad_request', 'bad limit');
error_ok(req('POST', "/api/$u->{id}/tasks", auth($u), body => '{"title":"x"}', content_type => 'text/plain'),
	415, 'unsupported_media_type', 'text/plain body');
error_ok(register_user(username => $u->{username}), 409, 'conflict', 'username taken');
error_ok(req('POST', "/api/$u->{id}/tasks", auth($u), body => '{"title":"' . ('x' x 70000) . '"}',
	content_type => 'application/json'), 413, 'payload_too_large', 'body over 64 KiB');

# --- 422 carries details with field and message ---------------------------------------
$r = create_task($u, title => '', priority => 'urgent');
error_ok($r, 422, 'validation_failed', 'two invalid fields');
has_detail($r, 'title', 'two invalid fields');
has_detail($r, 'priority', 'two invalid fields');

# --- 204: no body ---------------------------------------------------------------------
no_content_ok(req('DELETE', "/api/$u->{id}/tasks/$task->{id}", auth($u)), 'DELETE task');
my $w = new_user(label => 'env');
$r = req('POST', '/api/auth/logout', auth($w));
no_content_ok($r, 'logout');
ok(length(header($r, 'x-request-id') // ''), '204 also carries X-Request-Id');

# --- X-Request-Id -----------------------------------------------------------------------
sub rid { my ($id, @rest) = @_; return req('GET', '/api/auth/me', auth($u), headers => { 'X-Request-Id' => $id }, @rest) }

for my $sane ('e2e-Req_1.x', 'a', 'A' x 128, join('', 'a' .. 'z', 'A' .. 'Z', 0 .. 9, '.', '_', '-')) {
	$r = rid($sane);
	is(header($r, 'x-request-id'), $sane, 'sane X-Request-Id echoed (' . length($sane) . ' chars)');
}
# echoed on errors too
$r = req('GET', '/api/nowhere', headers => { 'X-Request-Id' => 'err-echo-1' });
is(header($r, 'x-request-id'), 'err-echo-1', 'X-Request-Id echoed on a 404');
$r = req('GET', '/api/auth/me', headers => { 'X-Request-Id' => 'err-echo-2' });
is(header($r, 'x-request-id'), 'err-echo-2', 'X-Request-Id echoed on a 401');

for my $bad ('A' x 129, 'has space', 'slash/inside', 'semi;colon', 'colon:x', '<script>', 'pct%20', 'quote"x', 'comma,x') {
	$r = rid($bad);
	my $got = header($r, 'x-request-id');
	ok(defined $got && length $got && $got ne $bad, "insane X-Request-Id '" . substr($bad, 0, 20) . "' replaced")
		or diag('got: ' . ($got // 'none'));
}
$r = rid('');
ok(length(header($r, 'x-request-id') // ''), 'empty X-Request-Id replaced by a generated one');

my $g1 = header(req('GET', '/api/auth/me', auth($u)), 'x-request-id');
my $g2 = header(req('GET', '/api/auth/me', auth($u)), 'x-request-id');
ok(length($g1 // '') && length($g2 // '') && $g1 ne $g2, 'generated X-Request-Ids differ between requests');

# --- error messages never leak internals ----------------------------------------------
# Inputs that could trip a careless SQL layer; each must come back as a clean 4xx (or a
# 200), never a 500, and the bodies pass the leak check inside envelope_ok/error_ok.
error_ok(req('GET', "/api/$u->{id}/tasks/'%3B%20DROP%20TABLE%20tasks%3B--", auth($u)), 404, 'not_found', 'SQL-ish task id');
error_ok(req('GET', "/api/$u->{id}/tasks/" . ('9' x 300), auth($u)), 404, 'not_found', 'very long task id');
envelope_ok(list_tasks($u, q => "'\"\\%_;--"), 200, 'quote-laden q');
error_ok(list_tasks($u, sort => 'title; DROP TABLE tasks'), 400, 'bad_request', 'SQL-ish sort');
error_ok(list_tasks($u, limit => '99999999999999999999'), 400, 'bad_request', 'limit beyond any integer');
error_ok(list_tasks($u, due_before => "2099-01-01' OR '1'='1"), 400, 'bad_request', 'SQL-ish due_before');
$r = create_task($u, title => 'x' x 201);
error_ok($r, 422, 'validation_failed', 'title too long');
$r = create_task($u, title => 'ok', due_date => "'; SELECT 1; --");
error_ok($r, 422, 'validation_failed', 'SQL-ish due_date');
$r = create_task($u, title => 'ok', tags => ["a'b"]);
ok($r->{status} == 201 || $r->{status} == 422, "tag with a quote: 201 or 422 (got $r->{status})");
$r = login_user(username => "x' OR '1'='1' -- " . uniq_name('sq'), password => "x' OR '1'='1");  # unique: unknown accounts are throttled too
error_ok($r, 401, 'unauthorized', 'SQL-ish login');
# a NUL character is valid JSON but cannot be stored as PostgreSQL text: it is the
# client's input, so a 4xx, not a 500 with the database's complaint
$r = req('POST', "/api/$u->{id}/tasks", auth($u), body => '{"title":"nul\u0000here"}', content_type => 'application/json');
ok($r->{status} == 201 || $r->{status} == 400 || $r->{status} == 422, "title with \\u0000: 201, 400 or 422 (got $r->{status})")
	or diag($r->{raw});
envelope_ok($r, $r->{status}, 'title with \u0000');

done_testing;
