#!/usr/bin/perl
# test/suites/property.t - the black-box property test of issue 9. From one seed (printed;
# PROPERTY_SEED replays it) it generates PROPERTY_REQUESTS (20,000) requests for a gateway of
# its own: random methods, paths (route templates, other users' and unknown ids, percent-
# encodings, %2F, %00, invalid UTF-8), headers (good, foreign, expired and garbage tokens,
# content types, request ids, origins), query strings and bodies (deep nesting, huge and
# tiny numbers, duplicate keys, invalid UTF-8, raw and escaped NUL, truncated JSON), and a
# few raw byte strings. Properties:
#   - no answer is a 5xx (a client mistake is a 4xx, the database is up all along);
#   - the gateway never dies (and leaves no sanitizer report: test/run.sh checks);
#   - a refused request (any 4xx) changes nothing: the checksum of every table of schema
#     todo, except the login throttle's (a failed login is counted on purpose), is the same
#     before and after each refused request.
# PROPERTY_WORKERS processes (test/suites/property.sh: 4) share the requests, each with a
# gateway and a database of its own and its own seed (the seed + its number), sending one
# request at a time over a keep-alive connection: its checksums see its requests alone.
# The choices depend only on the seed; ids returned by the server fill the templates.
#
# Run by test/suites/property.sh with PROPERTY_DBS and PROPERTY_URLS (one database per
# worker, and the gateway's URL of each), PG* and SUITE_WORK.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../e2e/lib";
BEGIN { $ENV{TODO_BASE_URL} ||= 'http://127.0.0.1:9' }
use DBI;
use IO::Select;
use IO::Socket::INET;
use Socket qw(IPPROTO_TCP TCP_NODELAY);
use JSON::PP ();
use POSIX ();
use Test::More;
use Time::HiRes qw(time);
use Suite;
use E2E;

my $N = $ENV{PROPERTY_REQUESTS} || 20000;
my $budget = $ENV{PROPERTY_BUDGET_S} || 150;   # a machine far too busy stops early (said so)
my $seed = $ENV{PROPERTY_SEED} // int(time * 1000) % 2147483647;
my @dbs = split ' ', $ENV{PROPERTY_DBS} // '';
my @urls = split ' ', $ENV{PROPERTY_URLS} // '';
die "PROPERTY_DBS and PROPERTY_URLS name one database per worker\n" unless @dbs && @dbs == @urls;
diag("property seed $seed (replay: PROPERTY_SEED=$seed), $N requests, " . scalar(@dbs) . ' workers');

# A worker's state (each worker is a process of its own, with its own gateway and database).
my ($gw, $dbh, $checksum_sql, $A, $B, @a_tasks, @b_tasks);
my $checksums = 0;

# --- the database's state ------------------------------------------------------------------
sub open_db {
	my $db = shift;
	$dbh = DBI->connect("dbi:Pg:dbname=$db", undef, undef, { RaiseError => 1, AutoCommit => 1, PrintError => 0 });
	my @tables = @{ $dbh->selectcol_arrayref(
		"SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
		 WHERE schemaname = 'todo' AND tablename NOT LIKE 'login%' ORDER BY 1") };
	# order-independent (no sort): the sum of the rows' hashes and their count, per table
	$checksum_sql = 'SELECT concat_ws(\'|\', '
		. join(', ', map { "(SELECT count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)), 0) FROM $_ t)" } @tables)
		. ')';
}
sub checksum { $checksums++; return $dbh->selectrow_array($checksum_sql) }

# --- two users, a few tasks each -----------------------------------------------------------
sub new_users {
	$A = new_user(label => 'propa');
	$B = new_user(label => 'propb');
	@a_tasks = map { create_task_ok($A, title => "a$_", tags => ['x'], due_date => '2099-01-01', recursion_pattern => 'daily')->{id} } 1 .. 5;
	@b_tasks = map { create_task_ok($B, title => "b$_")->{id} } 1 .. 5;
}

# --- random choices ------------------------------------------------------------------------
sub pick { return $_[ int rand @_ ] }
sub chance { return rand() < $_[0] }
sub rand_uuid { return join '-', map { join '', map { sprintf '%x', int rand 16 } 1 .. $_ } 8, 4, 4, 4, 12 }
# an element of a list that responses may change, chosen with a fixed number of rand calls
sub pick_live { my ($list, $else) = @_; my $r = int rand 1e9; return @$list ? $list->[ $r % @$list ] : $else }

my @strings = (
	'', ' ', '  ', 'x', 'Title', "\t", 'a' x 201, 'a' x 10001, 'ÉTÉ', "\xf0\x9f\x98\x80", 'été',
	"bad\xffutf8", "bad\xc3", "\xed\xa0\x80", "nul\x00inside", '\\u0000', '\\ud800', '\\udc00x', '\\uD83D\\uDE00',
	'\\n\\t', '"', '\\', 'daily', 'weekly', 'every 3 days', 'every 0 days', 'every 366 weeks', 'every -1 days',
	'every 99999999999999999999 days', 'hourly', 'low', 'HIGH', 'Medium', 'urgent', 'pending', 'completed',
	'done', '2099-01-01', '2000-01-01', '2099-12-31T23:59:59Z', '2099-01-01T10:00:00', '2099-01-01T10:00:00+14:00',
	'2099-02-30', '99999-01-01', '2099-01-01T25:00:00Z', 'infinity', '-infinity', 'epoch', 'now', 'today',
	'1e-20000', 'a,b,c', ' x , y ', 'a b', ',', 'tag' x 5, 'x@example.com', 'null', 'true', '{}', '[]',
	"<script>", "'; DROP TABLE todo.tasks; --", '%00', '%2F', "\r\n", "line\nbreak",
);
my @numbers = (
	'0', '-0', '1', '-1', '2', '3', '1.5', '-1e-7', '1e-20000', '-1e-20000', '1e-16383', '1e-16384',
	'0.1e-16383', '0e-99999', '0e99999999', '1e308', '1e309', '-1e309', '1e131071', '12e131071',
	'1' . ('0' x 400), '0.' . ('0' x 20000) . '1', '9223372036854775807', '9223372036854775808',
	'-9223372036854775809', '2147483648', '1E+2', '1e2147483648', '0.0000001', '365', '366', '1000', '1001',
);

# a JSON text (bytes), valid or not, of at most about 64 KiB
sub gen_value {
	my $depth = shift;
	my $r = rand;
	if ($r < 0.35) { return '"' . pick(@strings) . '"' }
	if ($r < 0.55) { return pick(@numbers) }
	if ($r < 0.65) { return pick('true', 'false', 'null') }
	if ($r < 0.75 && $depth < 4) { return '[' . join(',', map { gen_value($depth + 1) } 1 .. int rand 4) . ']' }
	if ($r < 0.85 && $depth < 4) { return gen_object($depth + 1) }
	if ($r < 0.90) { my $d = pick(10, 100, 2000, 2100, 5000, 30000); return ('[' x $d) . (']' x $d) }
	if ($r < 0.93) { my $d = pick(100, 1500, 3000); return ('{"a":' x $d) . '1' . ('}' x $d) }
	if ($r < 0.96) { return '[' . join(',', map { '"t' . $_ . '"' } 1 .. pick(1, 20, 21, 100)) . ']' }
	return pick('"unterminated', '01', '.5', '-', '1.', '+1', 'NaN', 'Infinity', "\x00", "'x'", 'tru', '[1,]', '{"a"}');
}

my @keys = qw(title description priority due_date tags recursion_pattern status completed
	email username password name id user_id created_at);
sub gen_object {
	my $depth = shift;
	my @pairs;
	for (1 .. int rand 5) {
		my $k = chance(0.85) ? pick(@keys) : pick(@strings);
		push @pairs, qq("$k":) . gen_value($depth);
		push @pairs, qq("$k":) . gen_value($depth) if chance(0.1);     # a duplicate key
	}
	return '{' . join(',', @pairs) . '}';
}

sub gen_body {
	my $route = shift;
	my $r = rand;
	return undef if $r < 0.1;
	return '' if $r < 0.13;
	return gen_value(0) if $r < 0.25;
	return 'x' x 70000 if $r < 0.26;
	return gen_object(0) . pick('', ' ', "\x00", 'garbage', '}') if $r < 0.3;
	if ($route =~ /register|login/ && chance(0.5)) {
		# well formed, so that some reach the database (each costs one bcrypt: kept rare)
		my @p = (qq("password":") . pick('password123', 'short', 'x' x 73, "\xc3\xa9t\xc3\xa9" x 10) . '"');
		push @p, qq("username":") . pick('u' . int(rand 1e9), '', '  ', 'ab', 'a' x 31, 'bad name', $A->{username}) . '"' if chance(0.7);
		push @p, qq("email":") . pick('e' . int(rand 1e9) . '@example.com', '', '  ', 'no-at', $A->{email}) . '"' if chance(0.7);
		push @p, qq("name":) . gen_value(3) if chance(0.2);
		return chance(0.9) ? '{' . join(',', @p) . '}' : gen_object(0);
	}
	if (chance(0.4)) {
		# a plausible task, one field off
		my %f = (title => '"t"', priority => '"high"', due_date => '"2099-06-01"', tags => '["a","b"]');
		$f{ pick(@keys) } = gen_value(2) if chance(0.6);
		return '{' . join(',', map { qq("$_":$f{$_}) } sort keys %f) . '}';
	}
	return gen_object(0);
}

sub encode_some {
	# percent-encodes some characters of a path segment (maybe the slash-like ones too)
	my $s = shift;
	return join '', map { chance(0.2) ? sprintf('%%%02X', ord) : $_ } split //, $s;
}

sub gen_segment_id {
	my ($mine, $other) = @_;
	return $mine if chance(0.7);
	return pick($other, rand_uuid(), uc $mine, "{$mine}", 'me', '%00', '%ff%fe',
		'..', '.', 'a%2Fb', "$mine%2F", 'x' x 300, '%C3%A9', '%E2%82%AC', '-1', '0', '%25', '%2');
}

sub gen_path {
	my $uid = gen_segment_id($A->{id}, $B->{id});
	my $tid = gen_segment_id(pick_live(\@a_tasks, rand_uuid()), pick_live(\@b_tasks, rand_uuid()));
	my $p = pick('/api/auth/register', '/api/auth/login', '/api/auth/logout', '/api/auth/me',
		'/api/v1/health', "/api/$uid/tasks", "/api/$uid/tasks", "/api/$uid/tasks/$tid",
		"/api/$uid/tasks/$tid", "/api/$uid/tasks/$tid/complete", '/', '/api', '/api/',
		'/api/auth', '/api/v2/health', '/api/auth%2Fregister', '/api/v1%2Fhealth',
		"/api%2F$uid%2Ftasks", '/api/auth/login/', '//api/v1/health', '/api/./v1/health',
		'/api/../api/v1/health', '/API/V1/HEALTH', '/api/v1/health;x', '*');
	return $p;
}

sub mutate_path {
	my $p = shift;
	my $r = rand;
	if ($r < 0.5) { $p = join '/', map { encode_some($_) } split m{/}, $p, -1 }
	elsif ($r < 0.75) { $p .= pick('/', '//', '/x', '%2F', '%00', '%', '%zz', '?', '#frag') }
	else { $p =~ s{/}{pick('%2F', '%2f', '//', '/./')}e }
	return $p;
}

my @query_names = qw(status priority tag q due_before due_after overdue sort limit offset completed x);
sub gen_query {
	return '' if chance(0.5);
	my @pairs;
	for (1 .. 1 + int rand 4) {
		my $v = pick('pending', 'completed', 'high', 'x', '', '1', '0', '-1', '1000', '1001', '1e3',
			'99999999999999999999', 'NaN', 'true', 'yes', '-due_date', 'priority', 'title;',
			'2099-01-01', '2099-13-01', '%00', '%ff', '%C3%A9', 'a+b', '%2B', '%25', '%', 'a%2Fb',
			'2099-01-01T00:00:00', 'x' x 2000);
		push @pairs, (chance(0.9) ? pick(@query_names) : pick('%00', '%ff', '', '=', 'a b')) . (chance(0.9) ? "=$v" : '');
	}
	return '?' . join(pick('&', '&', '&&', ';'), @pairs);
}

sub gen_headers {
	my ($body) = @_;
	my @h;
	my $r = rand;
	my $tok;
	if ($r < 0.75) { $tok = "Bearer $A->{token}" }
	elsif ($r < 0.83) { $tok = 'Bearer ' . $B->{token} }
	elsif ($r < 0.88) { (my $t = $A->{token}) =~ s/.$/chance(0.5) ? 'A' : 'B'/e; $tok = "Bearer $t" }
	elsif ($r < 0.92) { $tok = pick('Bearer', 'Bearer ', 'bearer ' . $A->{token}, 'Basic dXNlcjpwYXNz', 'Bearer a.b.c',
		'Bearer ' . ('A' x 5000), "Bearer $A->{token} x", 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.') }
	push @h, "Authorization: $tok" if defined $tok;
	if (defined $body || chance(0.1)) {
		push @h, 'Content-Type: ' . pick('application/json', 'application/json', 'application/json', 'application/json; charset=utf-8',
			'APPLICATION/JSON', 'text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded',
			'multipart/form-data; boundary=x', '', 'application/jsonx') if chance(0.95);
	}
	push @h, 'X-Request-Id: ' . pick('abc', 'x' x 129, 'bad id', "\x01", rand_uuid()) if chance(0.1);
	push @h, 'Origin: ' . pick('http://localhost:3000', 'http://evil.example', 'null', '') if chance(0.1);
	push @h, 'Accept: ' . pick('*/*', 'text/html', '') if chance(0.05);
	push @h, pick('X-Forwarded-For: 1.2.3.4', 'Cookie: a=b', 'Expect: 100-continue-no', 'Range: bytes=0-1',
		'If-None-Match: *', 'Connection: keep-alive', 'X-' . ('y' x 1000) . ': 1') if chance(0.05);
	return @h;
}

# one request: [description, bytes, closes-after]
sub gen_request {
	if (chance(0.005)) {
		my $raw = pick("GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
			"GET /api/v1/health HTTP/1.1\r\n" . ('X: ' . ('z' x 8000) . "\r\n") x 4 . "\r\n", "\x00\x01\x02\r\n\r\n",
			"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n", "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
			"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n12345");
		return ['raw ' . substr($raw, 0, 40), $raw, 1];
	}
	my ($method, $path);
	if (chance(0.75)) {
		# a route of the contract with the method it expects, its path mutated or not
		my $uid = gen_segment_id($A->{id}, $B->{id});
		my $tid = gen_segment_id(pick_live(\@a_tasks, rand_uuid()), pick_live(\@b_tasks, rand_uuid()));
		($method, $path) = @{ pick(['POST', '/api/auth/register'], ['POST', '/api/auth/login'],
			['POST', '/api/auth/logout'], ['GET', '/api/auth/me'], ['GET', '/api/v1/health'],
			['GET', "/api/$uid/tasks"], ['GET', "/api/$uid/tasks"], ['POST', "/api/$uid/tasks"],
			['POST', "/api/$uid/tasks"], ['GET', "/api/$uid/tasks/$tid"], ['PUT', "/api/$uid/tasks/$tid"],
			['PUT', "/api/$uid/tasks/$tid"], ['DELETE', "/api/$uid/tasks/$tid"],
			['PATCH', "/api/$uid/tasks/$tid/complete"], ['PATCH', "/api/$uid/tasks/$tid/complete"]) };
		$path = mutate_path($path) if chance(0.2);
	}
	else {
		$method = pick(qw(GET POST PUT PATCH DELETE HEAD OPTIONS TRACE CONNECT FOO get));
		$path = chance(0.3) ? mutate_path(gen_path()) : gen_path();
	}
	$path .= gen_query() if $path =~ m{tasks$} || chance(0.1);
	my $body = $method =~ /^(POST|PUT|PATCH|FOO)$/ || chance(0.05) ? gen_body($path) : undef;
	my @h = ("Host: 127.0.0.1", gen_headers($body));
	my $chunked = defined $body && chance(0.05);
	my $req = "$method $path HTTP/1.1\r\n" . join('', map { "$_\r\n" } @h);
	if ($chunked) {
		my $chunks = '';
		for (my $i = 0; $i < length $body; $i += 1000) {
			my $c = substr($body, $i, 1000);
			$chunks .= sprintf("%x\r\n%s\r\n", length $c, $c);
		}
		$req .= "Transfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n";
	}
	elsif (defined $body) { $req .= 'Content-Length: ' . length($body) . "\r\n\r\n$body" }
	else { $req .= "\r\n" }
	my $desc = "$method " . substr($path, 0, 120) . (defined $body ? ' body ' . substr($body, 0, 80) : '');
	$desc =~ s/([^\x20-\x7e])/sprintf '\\x%02x', ord $1/ge;
	return [$desc, $req, $method eq 'HEAD' ? 2 : 0];
}

# --- a minimal HTTP/1.1 client: one keep-alive connection, reopened when closed --------------
my $sock;
sub open_sock {
	$sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $gw->{port}, Timeout => 30);
	setsockopt($sock, IPPROTO_TCP, TCP_NODELAY, 1) if $sock;
	return $sock;
}
my $read_timeout;     # seconds
sub read_more {
	my $buf = shift;
	return 0 unless IO::Select->new($sock)->can_read($read_timeout);
	my $n = sysread($sock, $$buf, 65536, length $$buf);
	return $n // 0;
}
# returns the status (a number, and the body), or 'closed' when the connection ended
# without an answer
sub send_request {
	my ($bytes, $head, $raw) = @_;
	open_sock() or return 'connect failed' unless $sock;
	local $SIG{PIPE} = 'IGNORE';
	my $off = 0;
	while ($off < length $bytes) {
		my $n = syswrite($sock, $bytes, length($bytes) - $off, $off);
		last unless $n;        # the gateway answered early and closed: read what it said
		$off += $n;
	}
	shutdown($sock, 1) if $raw;   # raw bytes: nothing follows, the gateway sees the end
	my $buf = '';
	while ($buf !~ /\r\n\r\n/) {
		if (!read_more(\$buf)) { undef $sock; return 'closed' }
	}
	my ($head_text, $rest) = split /\r\n\r\n/, $buf, 2;
	my ($status) = $head_text =~ m{^HTTP/1\.[01] (\d{3})} or do { undef $sock; return 'garbled' };
	my ($len) = $head_text =~ /^Content-Length:\s*(\d+)/mi;
	my $close = $head_text =~ /^Connection:\s*close/mi;
	if (!$head && $status != 204 && $status != 304) {
		if (defined $len) {
			while (length $rest < $len) { read_more(\$rest) or do { undef $sock; return 'short body' } }
		}
		elsif ($head_text =~ /^Transfer-Encoding:\s*chunked/mi) {
			read_more(\$rest) or last while $rest !~ /(^|\r\n)0\r\n\r\n/;
		}
		else { 1 while read_more(\$rest); $close = 1 }
	}
	undef $sock if $close;
	return ($status, $rest);
}

# --- the run ---------------------------------------------------------------------------------
# The next transaction id tells cheaply whether anything was written at all (a read-only
# transaction takes none); only when it moved is the checksum compared.
sub next_xid { return $dbh->selectrow_array('SELECT pg_snapshot_xmax(pg_current_snapshot())') }
# --- one worker: its gateway, its database, its share of the requests -----------------------
# Returns what the parent tests: counts and the requests that broke a property.
sub run_worker {
	my ($w, $db, $url, $n) = @_;
	srand($seed + $w);
	$gw = gateway_start(name => "property$w", env => { DATABASE_URL => $url });
	return { died => 'the gateway did not start' } unless $gw;
	$ENV{TODO_BASE_URL} = $gw->{url};
	open_db($db);
	new_users();
	my (%by_status, @five_hundreds, @changed, @dropped, @slow, $died, $note);
	my $t0 = time;
	my $xid = next_xid();
	my ($sum, $sum_xid) = (checksum(), $xid);
	my $done = 0;
	for my $i (1 .. $n) {
		if (time - $t0 > $budget) { $note = "worker $w: time budget of $budget s spent, stopped after $done requests"; last }
		$done = $i;
		my ($desc, $bytes, $mode) = @{ gen_request() };
		($sum, $sum_xid) = (checksum(), $xid) if $sum_xid ne $xid;    # the state before it
		my $t1 = time;
		$read_timeout = $mode == 1 ? 10 : 60;
		my ($status, $body) = send_request($bytes, $mode == 2, $mode == 1);
		push @slow, sprintf('w%d #%d %.1f s %s: %s', $w, $i, time - $t1, $status, $desc) if time - $t1 > 2;
		undef $sock if $mode == 1;
		$by_status{$status}++;
		my $new_xid = next_xid();
		if ($status !~ /^\d+$/) {
			push @dropped, "w$w #$i $status: $desc";
			if (!gateway_alive($gw)) { $died = "the gateway died at request #$i: $desc"; last }
		}
		elsif ($status >= 400) {
			if ($status >= 500 && !($status == 505 && $desc =~ m{HTTP/9\.9})) {   # 505: a bad version
				push @five_hundreds, "w$w #$i $status: $desc (request in w$w-$i.http)";
				open my $fh, '>', work() . "/w$w-$i.http" or die;
				print $fh $bytes;
				close $fh;
			}
			if ($new_xid ne $xid) {
				my $now = checksum();
				push @changed, "w$w #$i $status: $desc" if $now ne $sum;
				($sum, $sum_xid) = ($now, $new_xid);
			}
		}
		else {
			# keep the templates alive: ids of new tasks, a fresh token after a logout
			push @a_tasks, $1 if $status == 201 && $bytes =~ m{^POST /api/$A->{id}/tasks }
				&& $body =~ /"id"\s*:\s*"([0-9a-f-]{36})"/;
			@a_tasks = grep { $bytes !~ m{^DELETE /api/$A->{id}/tasks/$_ } } @a_tasks if $status == 204;
			my ($target) = $bytes =~ m{^\S+ (\S+)};
			$target =~ s/%([0-9a-fA-F]{2})/chr hex $1/ge;
			if ($status == 204 && $bytes =~ /^POST / && $target =~ /logout/) {
				# a token was revoked: its user is replaced by a new one (a new login could be
				# throttled by the failed ones above)
				if (index($bytes, $A->{token}) >= 0) {
					$A = new_user(label => 'propa');
					@a_tasks = map { create_task_ok($A, title => "a$_")->{id} } 1 .. 3;
				}
				elsif (index($bytes, $B->{token}) >= 0) {
					$B = new_user(label => 'propb');
					@b_tasks = map { create_task_ok($B, title => "b$_")->{id} } 1 .. 3;
				}
				$new_xid = next_xid();
			}
		}
		$xid = $new_xid;
	}
	my $alive = gateway_alive($gw);
	my $h = $alive ? http_json('GET', "$gw->{url}/api/v1/health")->{status} : 0;
	my $stop = gateway_stop($gw);
	$dbh->disconnect;
	return { done => $done, elapsed => time - $t0, checksums => $checksums, by_status => \%by_status,
		five_hundreds => \@five_hundreds, changed => \@changed, dropped => \@dropped, slow => \@slow,
		died => $died, note => $note, alive => $alive, health => $h, stop => $stop };
}

# --- the run: the workers in parallel, each reporting in a file ------------------------------
my @pids;
for my $w (0 .. $#dbs) {
	my $n = int($N / @dbs) + ($w < $N % @dbs ? 1 : 0);
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		my $r = eval { run_worker($w, $dbs[$w], $urls[$w], $n) } || { died => "worker $w: $@" };
		open my $fh, '>', work() . "/worker$w.json" or POSIX::_exit(1);
		print $fh JSON::PP->new->encode($r);
		close $fh;
		POSIX::_exit(0);     # no Test::More summary from a child
	}
	push @pids, $pid;
}
waitpid $_, 0 for @pids;
my (%by_status, @five_hundreds, @changed, @dropped, @slow, @died);
my ($done, $checksums_all) = (0, 0);
my $t_max = 0;
my ($alive, $health, $stops) = (1, 1, 1);
for my $w (0 .. $#dbs) {
	my $r = eval { open my $fh, '<', work() . "/worker$w.json" or die; local $/; JSON::PP->new->decode(<$fh>) }
		|| { died => "worker $w left no report" };
	push @died, $r->{died} if $r->{died};
	diag($r->{note}) if $r->{note};
	$done += $r->{done} // 0;
	$checksums_all += $r->{checksums} // 0;
	$t_max = $r->{elapsed} if ($r->{elapsed} // 0) > $t_max;
	$by_status{$_} += $r->{by_status}{$_} for keys %{ $r->{by_status} || {} };
	push @five_hundreds, @{ $r->{five_hundreds} || [] };
	push @changed, @{ $r->{changed} || [] };
	push @dropped, @{ $r->{dropped} || [] };
	push @slow, @{ $r->{slow} || [] };
	$alive &&= $r->{alive};
	$health &&= ($r->{health} // 0) == 200;
	$stops &&= defined $r->{stop} && $r->{stop} eq '0';
}
my $elapsed = $t_max || 1;
diag(sprintf '%d requests in %.1f s (%.0f/s), %d checksums; statuses: %s', $done, $elapsed, $done / $elapsed, $checksums_all,
	join ', ', map { "$_ x$by_status{$_}" } sort keys %by_status);
diag("connections closed without an answer (allowed, the gateway stayed up): " . scalar(@dropped)
	. (@dropped ? "\n" . join("\n", @dropped[0 .. ($#dropped < 9 ? $#dropped : 9)]) : ''));

diag('requests slower than 2 s: ' . scalar(@slow) . (@slow ? "\n" . join("\n", @slow[0 .. ($#slow < 9 ? $#slow : 9)]) : ''));
is(scalar @five_hundreds, 0, 'no request answered 5xx') or diag(join "\n", @five_hundreds[0 .. ($#five_hundreds < 29 ? $#five_hundreds : 29)]);
is(scalar @changed, 0, 'no refused request changed the database') or diag(join "\n", @changed);
is(scalar @died, 0, 'every worker ran to its end') or diag(join "\n", @died);
ok($alive, 'every gateway is still running');
ok($health, 'and still answers health');
ok($stops, 'every gateway exits 0 on SIGTERM');
done_testing();
