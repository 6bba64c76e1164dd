#!/usr/bin/perl
# metrics.t - the admin listener (ADMIN_PORT): /live, /ready, /metrics, and counters that move
# by exactly what this file does (prove runs the e2e files one at a time), and Server-Timing
# on API responses. Skips the admin part without TODO_ADMIN_URL (test/run.sh sets it).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use E2E;
use Test::More;
use HTTP::Tiny;

# --- Server-Timing on every API response ------------------------------------------------
my $st_re = qr/^db;dur=\d+\.\d{3}, total;dur=\d+\.\d{3}$/;
for my $r (req('GET', '/api/v1/health'), req('GET', '/api/auth/me'), req('GET', '/api/nowhere'),
	req('DELETE', '/api/v1/health'), req('OPTIONS', '/api/auth/me')) {
	my $v = header($r, 'server-timing') // '';
	like($v, $st_re, "$r->{method} $r->{path} ($r->{status}): Server-Timing db and total");
	my ($db, $total) = $v =~ /db;dur=([\d.]+), total;dur=([\d.]+)/;
	ok(defined $db && $db <= $total, "$r->{method} $r->{path}: database time within the total");
}

my $admin = $ENV{TODO_ADMIN_URL};
unless ($admin) {
	done_testing();
	exit 0;
}
my $http = HTTP::Tiny->new(timeout => 10);

my $live = $http->get("$admin/live");
is($live->{status}, 200, '/live: 200');
my $ready = $http->get("$admin/ready");
is($ready->{status}, 200, '/ready: 200 while the database answers') or diag($ready->{content});
is($http->get("$admin/nothing")->{status}, 404, 'an unknown admin path: 404');
is($http->request('POST', "$admin/metrics")->{status}, 405, 'POST /metrics: 405');
is($http->get(base_url() . '/metrics')->{status} != 200 ? 1 : 0, 1, '/metrics is not served on the API port');

# name{labels} -> value of one scrape
sub scrape {
	my $r = $http->get("$admin/metrics");
	is($r->{status}, 200, 'GET /metrics: 200');
	like($r->{headers}{'content-type'} // '', qr{^text/plain; version=0\.0\.4}, '/metrics: the text format');
	my %m;
	for (split /\n/, $r->{content}) {
		next if /^#/ || !/\S/;
		my ($k, $v) = /^(\S+(?:\{[^}]*\})?) (\S+)$/ or next;
		$m{$k} = $v;
	}
	return (\%m, $r->{content});
}

my ($before) = scrape();
my $u = new_user(label => 'met');
my $t = create_task_ok($u, title => 'counted');
get_task($u, $t->{id}) for 1 .. 3;
req('GET', "/api/$u->{id}/tasks/$t->{id}", token => 'not.a.valid-token') for 1 .. 2;
req('GET', '/api/auth/me') for 1 .. 4;
req('GET', '/api/auth/me', headers => { Authorization => 'Basic abc' });
req('GET', "/api/no/such/path/$u->{id}");
my $web = req('GET', '/');    # the web app's page (WEB_ROOT), when the gateway serves one
my ($after, $text) = scrape();

sub delta {
	my $k = shift;
	return ($after->{$k} // 0) - ($before->{$k} // 0);
}
my $get_task = 'todo_http_requests_total{route="/api/{user_id}/tasks/{id}",method="GET",status="200"}';
is(delta($get_task), 3, 'three task reads counted under the route template, GET, 200');
is(delta('todo_http_requests_total{route="/api/{user_id}/tasks/{id}",method="GET",status="401"}'), 2,
	'two refused tokens counted as 401 on that route');
is(delta('todo_http_requests_total{route="/api/{user_id}/tasks",method="POST",status="201"}'), 1, 'one creation');
is(delta('todo_http_requests_total{route="/api/auth/register",method="POST",status="201"}'), 1, 'one registration');
is(delta('todo_http_requests_total{route="/api/auth/me",method="GET",status="401"}'), 5, 'five /me without a good token');
is(delta('todo_http_requests_total{route="none",method="GET",status="404"}'), 1, 'an unknown path: route "none"');
is(delta("todo_http_requests_total{route=\"web\",method=\"GET\",status=\"$web->{status}\"}"), 1,
	"the web app's page ($web->{status}): route \"web\"");
is(delta('todo_token_refusals_total{reason="missing"}'), 4, 'token refusals: four missing');
is(delta('todo_token_refusals_total{reason="malformed"}'), 1, 'token refusals: one malformed');
is(delta('todo_token_refusals_total{reason="invalid"}'), 2, 'token refusals: two refused by the database');
is(delta('todo_http_request_duration_seconds_count{route="/api/{user_id}/tasks/{id}",method="GET"}'), 5,
	'the latency histogram counts the five reads');
is(delta('todo_http_request_duration_seconds_bucket{route="/api/{user_id}/tasks/{id}",method="GET",le="+Inf"}'), 5,
	'its +Inf bucket too');
is($after->{'todo_health_state{state="healthy"}'}, 1, 'health state: healthy');
is($after->{'todo_pool_size'}, 10, 'pool size: POOL_SIZE (default 10)');
ok(defined $after->{'todo_pool_in_use'} && defined $after->{'todo_pool_waiting'}
	&& defined $after->{'todo_pool_acquire_timeouts_total'}, 'pool in use, waiting, timeouts');
ok(defined $after->{'todo_db_errors_total{kind="unavailable"}'}, 'database errors by kind');
like($text, qr/^todo_gateway_build_info\{schema_version="[\d.]+"\} 1$/m, 'build info');
unlike($text, qr/\Q$u->{id}\E|\Q$t->{id}\E|\Q$u->{email}\E|\Q$u->{token}\E/, 'no user id, task id, email or token anywhere');

# promtool, when installed (scripts/deps.sh installs Debian's prometheus), accepts the text
SKIP: {
	my $promtool = `command -v promtool 2>/dev/null`;
	chomp $promtool;
	skip 'promtool is not installed', 1 unless $promtool;
	my $file = "/tmp/todo-metrics-$$.txt";
	open my $fh, '>', $file or die $!;
	print $fh $text;
	close $fh;
	my $out = `$promtool check metrics < $file 2>&1`;
	my $rc = $?;
	unlink $file;
	is($rc, 0, 'promtool check metrics accepts the output') or diag($out);
}

done_testing();
