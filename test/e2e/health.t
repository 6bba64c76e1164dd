#!/usr/bin/perl
# GET /api/v1/health: no token needed, healthy payload when the stack is up.
# (The degraded / unhealthy variants need a stale schema or a stopped database; they are
# not exercised against a live shared stack.)
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use E2E;

my $r = req('GET', '/api/v1/health');
envelope_ok($r, 200, 'health without a token');
is_deeply($r->{json}{data}, { status => 'healthy', database => 'connected', migration => 'up-to-date' },
	'health payload: healthy, connected, up-to-date');
ok(!exists $r->{json}{meta}, 'health has no meta');

# a token is not needed, and a valid one does not change anything
my $u = new_user(label => 'h');
$r = req('GET', '/api/v1/health', auth($u));
envelope_ok($r, 200, 'health with a token');
is($r->{json}{data}{status}, 'healthy', 'health with a token: healthy');

# it answers quickly (the contract's bound is 200 ms even with the database down;
# best of three, so a scheduling hiccup on a busy machine does not fail the test)
my $best = 10;
for (1 .. 3) {
	my $x = req('GET', '/api/v1/health');
	$best = $x->{elapsed} if $x->{elapsed} < $best;
}
cmp_ok($best, '<', 0.2, 'health answers within 200 ms');

# only GET
$r = req('POST', '/api/v1/health', json => {});
error_ok($r, 405, 'method_not_allowed', 'POST /api/v1/health');
like(header($r, 'allow') // '', qr/\bGET\b/, 'POST /api/v1/health: Allow names GET');

done_testing;
