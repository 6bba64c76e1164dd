#!/usr/bin/perl
# test/e2e/hardening.t - client mistakes found by probing (issue 9): never a 500, and the
# contract's order holds (route 404, auth 401, owner 403, then the body's 400).
#   - a number jsonb's numeric cannot hold (1e-20000: jansson accepts it as 0) in the body of
#     every endpoint that takes one: 401 with a bad token, 403 with another user's, 400
#     invalid_json with the right one, and nothing changed;
#   - a path segment holding an encoded slash (%2F) matches no route: 404, nothing created.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use E2E;

my $u = new_user(label => 'hard');
my $other = new_user(label => 'hardo');
my $t = create_task_ok($u, title => 'untouched', tags => ['a']);
(my $forged = $u->{token}) =~ s/(.)$/$1 eq 'A' ? 'B' : 'A'/e;     # a wrong signature

# (0e1073741823: an exponent numeric's input refuses whatever the digits, found by
# fuzz/gateway_body)
my @numbers = ('1e-20000', '-1e-20000', '0.1e-16383', '1e-16384', '0e-99999', '0.' . ('0' x 20000) . '1',
	'0e1073741823');
my @task_routes = (
	['POST', "/api/$u->{id}/tasks"],
	['PUT', "/api/$u->{id}/tasks/$t->{id}"],
	['PATCH', "/api/$u->{id}/tasks/$t->{id}/complete"],
);
my $before = get_task($u, $t->{id})->{raw};
for my $n (@numbers) {
	my $body = qq({"title":"x","d":$n});
	my $short = length $n > 20 ? substr($n, 0, 12) . '...' : $n;
	for my $r (@task_routes) {
		my ($m, $p) = @$r;
		error_ok(req($m, $p, token => $forged, body => $body, content_type => 'application/json'),
			401, 'unauthorized', "$m task with $short and a bad token");
		error_ok(req($m, $p, token => $other->{token}, body => $body, content_type => 'application/json'),
			403, 'forbidden', "$m task with $short and another user's token");
		error_ok(req($m, $p, token => $u->{token}, body => $body, content_type => 'application/json'),
			400, 'invalid_json', "$m task with $short");
	}
	for my $p ('/api/auth/register', '/api/auth/login') {
		my $name = uniq_name('hn');
		error_ok(req('POST', $p, content_type => 'application/json',
			body => qq({"username":"$name","email":"$name\@example.com","password":"long enough 1","d":$n})),
			400, 'invalid_json', "POST $p with $short");
	}
}
is(get_task($u, $t->{id})->{raw}, $before, 'the task is unchanged');
is(scalar @{ list_tasks($u)->{json}{data} }, 1, 'and no task was created');
# numbers at numeric's limits still reach the database (and its validation)
error_ok(req('POST', "/api/$u->{id}/tasks", token => $u->{token}, content_type => 'application/json',
	body => '{"title":"x","priority":1e-16383}'), 422, 'validation_failed', 'a number numeric holds goes on to validation');

# an encoded slash is not a separator
my $name = uniq_name('slash');
my %reg = (username => $name, email => "$name\@example.com", password => 'long enough 1');
error_ok(req('POST', '/api/auth%2Fregister', json => \%reg), 404, 'not_found', 'POST /api/auth%2Fregister');
error_ok(req('POST', '/api/auth%2fregister', json => \%reg), 404, 'not_found', 'POST /api/auth%2fregister');
error_ok(login_user(username => $name, password => 'long enough 1'), 401, 'unauthorized', 'and no user was created');
error_ok(req('GET', '/api/v1%2Fhealth'), 404, 'not_found', 'GET /api/v1%2Fhealth');
error_ok(req('GET', "/api%2F$u->{id}%2Ftasks", token => $u->{token}), 404, 'not_found', 'GET /api%2F{user_id}%2Ftasks');
error_ok(req('GET', "/api/$u->{id}/tasks%2F$t->{id}", token => $u->{token}), 404, 'not_found', 'GET /api/{user_id}/tasks%2F{id}');
error_ok(req('POST', "/api/$u->{id}/tasks%2F", token => $u->{token}, json => { title => 'x' }), 404, 'not_found', 'POST /api/{user_id}/tasks%2F');
# other encoded characters still decode
envelope_ok(req('GET', '/api/v1/%68ealth'), 200, 'GET /api/v1/%68ealth is health');

done_testing();
