package E2E;
# Shared helpers for the end-to-end HTTP tests (test/e2e/*.t).
#
# The gateway under test is found through TODO_BASE_URL (e.g. http://127.0.0.1:8080);
# without it every test file skips. Only core Perl modules are used.
#
# Every test user gets a username that is unique per run (random tag + counter), so the
# suite can run again and again against the same database.
#
# Running: start a stack (test/cluster.sh start DIR, CREATE EXTENSION todo, the gateway's
# login role, gateway/todo-gateway with DATABASE_URL and PORT), then
#     TODO_BASE_URL=http://127.0.0.1:PORT prove test/e2e
# When the gateway's CORS_ORIGINS does not contain http://localhost:3000, export
# TODO_CORS_ORIGIN (or CORS_ORIGINS) with an allowed origin for http.t.
use strict;
use warnings;
use utf8;
require Exporter;
our @ISA = ('Exporter');
use HTTP::Tiny;
use JSON::PP ();
use MIME::Base64 qw(encode_base64 decode_base64);
use POSIX qw(strftime);
use IO::Handle;
use Time::Local qw(timegm);
use Test::More;

our @EXPORT = qw(
	base_url req qs uniq_name register_user login_user new_user auth
	envelope_ok error_ok no_content_ok detail_fields has_detail
	create_task create_task_ok get_task list_tasks
	is_ts is_uuid ts_epoch today_utc date_plus_days
	jtrue jfalse is_jbool b64url_encode b64url_decode jwt_split jwt_join
	encode_json_utf8 decode_json_utf8 cors_origin leaks parallel
);

my $JSON = JSON::PP->new->utf8->canonical->allow_nonref;

sub encode_json_utf8 { $JSON->encode($_[0]) }
sub decode_json_utf8 { $JSON->decode($_[0]) }

sub base_url {
	my $u = $ENV{TODO_BASE_URL};
	return undef unless defined $u && length $u;
	$u =~ s{/+$}{};
	return $u;
}

# The origin allowed by the gateway's CORS configuration (contract default
# http://localhost:3000; the gateway reads CORS_ORIGINS).
sub cors_origin {
	return $ENV{TODO_CORS_ORIGIN} if $ENV{TODO_CORS_ORIGIN};
	if ($ENV{CORS_ORIGINS}) {
		my ($first) = grep { length } map { s/^\s+|\s+$//gr } split /,/, $ENV{CORS_ORIGINS};
		return $first if $first;
	}
	return 'http://localhost:3000';
}

sub import {
	my $class = shift;
	unless (base_url()) {
		# Called from the test file's "use E2E": nothing to test against.
		Test::More::plan(skip_all => 'TODO_BASE_URL is not set');
	}
	$class->export_to_level(1, $class, @_);
}

# --- HTTP ----------------------------------------------------------------------------

my $agent_pid = -1;
my $agent;
# a keep-alive agent for tests that want one connection for several requests
sub keepalive_agent { return HTTP::Tiny->new(timeout => 30, keep_alive => 1, agent => 'todo-e2e/1') }
push @EXPORT, 'keepalive_agent';

sub _agent {
	# one agent per process (the concurrency test forks); no keep-alive so that a
	# connection closed by the server never turns into a spurious 599 on a POST
	if ($agent_pid != $$) {
		$agent = HTTP::Tiny->new(timeout => 30, keep_alive => 0, agent => 'todo-e2e/1');
		$agent_pid = $$;
	}
	return $agent;
}

# req(METHOD, PATH, %opt)
#   token   => bearer token (sent as "Authorization: Bearer TOKEN")
#   json    => Perl data, sent as UTF-8 JSON with Content-Type: application/json
#   body    => raw body bytes (Content-Type only if content_type is given)
#   content_type => Content-Type header value
#   headers => { extra request headers }
#   query   => arrayref of [name, value] pairs or a ready query string
# Returns { status, headers (lowercased names), raw, json (decoded or undef), reason,
#           method, path, elapsed }.
sub req {
	my ($method, $path, %opt) = @_;
	my %h = %{ $opt{headers} || {} };
	$h{Authorization} = "Bearer $opt{token}" if defined $opt{token};
	my $content;
	if (exists $opt{json}) {
		$content = $JSON->encode($opt{json});
		$h{'Content-Type'} = 'application/json' unless exists $opt{content_type};
	}
	elsif (defined $opt{body}) {
		$content = $opt{body};    # a code ref is sent chunked (HTTP::Tiny calls it for each chunk)
		utf8::encode($content) if !ref $content && utf8::is_utf8($content);
	}
	$h{'Content-Type'} = $opt{content_type} if defined $opt{content_type};
	my $url = base_url() . $path;
	if (defined $opt{query}) {
		my $q = ref $opt{query} ? qs(@{ $opt{query} }) : $opt{query};
		$url .= "?$q" if length $q;
	}
	my %args = (headers => \%h);
	$args{content} = $content if defined $content;
	my $t0 = Time::HiRes::time();
	my $r = _agent()->request($method, $url, \%args);
	my $res = {
		status  => $r->{status},
		reason  => $r->{reason},
		headers => $r->{headers} || {},
		raw     => defined $r->{content} ? $r->{content} : '',
		method  => $method,
		path    => $path,
		elapsed => Time::HiRes::time() - $t0,
	};
	if (length $res->{raw}) {
		$res->{json} = eval { $JSON->decode($res->{raw}) };
		$res->{json_error} = $@ if $@;
	}
	_record($res);
	return $res;
}
use Time::HiRes ();

# With TODO_E2E_RECORD set, every response is appended to that file as one JSON line
# {method, path, status, headers, body}: test/openapi/validate.mjs checks each against the
# OpenAPI document (appends of one line are atomic: the forked tests may share the file).
sub _record {
	my $res = shift;
	my $file = $ENV{TODO_E2E_RECORD};
	return unless $file && $res->{status} != 599;
	my %h = map { my $v = $res->{headers}{$_}; ($_ => ref $v ? join(', ', @$v) : $v) } keys %{ $res->{headers} };
	my $body = $res->{raw};
	utf8::decode($body);    # bytes to characters when they are UTF-8 (else kept as they are)
	my $line = $JSON->encode({ method => $res->{method}, path => $res->{path}, status => $res->{status},
		headers => \%h, body => $body }) . "\n";
	open my $fh, '>>:raw', $file or die "$file: $!";
	syswrite $fh, $line;
	close $fh;
}

sub header {
	my ($res, $name) = @_;
	my $v = $res->{headers}{ lc $name };
	return ref $v ? join(', ', @$v) : $v;
}
push @EXPORT, 'header';

sub _pct {
	my $s = shift;
	utf8::encode($s) if utf8::is_utf8($s);
	$s =~ s/([^A-Za-z0-9\-._~])/sprintf('%%%02X', ord $1)/ge;
	return $s;
}
# qs(name => value, name => value, ...) -> percent-encoded query string
sub qs {
	my @p = @_;
	my @out;
	while (@p) {
		my ($k, $v) = splice @p, 0, 2;
		push @out, _pct($k) . '=' . _pct($v);
	}
	return join '&', @out;
}

# --- users ---------------------------------------------------------------------------

my $RUN = do {
	my $tag = '';
	if (open my $fh, '<', '/dev/urandom') { read $fh, my $b, 8; $tag = join '', map { ('a'..'z', 0..9)[ord($_) % 36] } split //, $b }
	else { $tag = join '', map { ('a'..'z', 0..9)[int rand 36] } 1 .. 8 }
	$tag;
};
my $SEQ = 0;

# a username unique for this run: e_<8 random>_<label><n>, at most 30 characters, lowercase
sub uniq_name {
	my $label = shift // 'u';
	$SEQ++;
	my $n = "e_${RUN}_" . $label . $SEQ . ($$ % 1000);
	return substr($n, 0, 30);
}

# register_user(%fields) -> the response; fields default to a fresh valid user;
# omit => [names] leaves fields out, a field given as undef is sent as null
sub register_user {
	my %f = @_;
	my $omit = delete $f{omit} || [];
	my $u = uniq_name('r');
	my %body = (username => $u, email => "$u\@example.com", password => 'correct horse 1', %f);
	delete @body{@$omit};
	return req('POST', '/api/auth/register', json => \%body);
}

sub login_user {
	my %body = @_;
	return req('POST', '/api/auth/login', json => \%body);
}

# new_user(%fields) -> { id, username, email, password, token, user, res }; dies if the
# registration fails (every test file needs working users to test anything else)
sub new_user {
	my %f = @_;
	my $label = delete $f{label} // 'u';
	my $u = uniq_name($label);
	my %body = (username => $u, email => "$u\@example.com", password => "pw-$u-Secret", %f);
	my $res = req('POST', '/api/auth/register', json => \%body);
	unless ($res->{status} == 201 && ref $res->{json} eq 'HASH' && ref $res->{json}{data} eq 'HASH') {
		die "cannot register a test user ($res->{status}): $res->{raw}\n";
	}
	my $d = $res->{json}{data};
	return {
		id => $d->{user}{id}, username => $body{username}, email => $body{email},
		password => $body{password}, token => $d->{access_token}, user => $d->{user},
		res => $res,
	};
}

sub auth { my $u = shift; return (token => $u->{token}) }

# --- assertions ----------------------------------------------------------------------

# words that must never reach a client: SQL, PostgreSQL error decorations, schema objects
sub leaks {
	my $s = shift // '';
	my @bad;
	push @bad, 'SQL keyword' if $s =~ /\b(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|WHERE|RETURNING|RAISE|PERFORM)\b/;
	push @bad, 'PostgreSQL error text' if $s =~ /(ERROR:|DETAIL:|HINT:|CONTEXT:|STATEMENT:|SQLSTATE|PL\/pgSQL|\bTD\d{3}\b|at character \d|line \d+ at|duplicate key|violates|constraint|relation "|column "|syntax error at|invalid input syntax|function api\.|\bpg_\w+)/i;
	push @bad, 'column or constraint name' if $s =~ /\b(login_attempts|password_hash|token_jti|(users|tasks|sessions)_[a-z_]+_(key|pkey|fkey|check|length|trimmed|normalized|status))\b/;
	push @bad, 'schema-qualified name' if $s =~ /\b(api|todo|auth|public|private|internal)\.[a-z_]+/;
	push @bad, 'stack trace' if $s =~ /(Traceback|stack trace|\bat 0x[0-9a-f]+|\.c:\d+|segfault|panic)/i;
	push @bad, 'secret' if $s =~ /(jwt_secret|password=|postgres(ql)?:\/\/)/i;
	return @bad;
}

sub _problems {
	my ($res, $status) = @_;
	my @p;
	my $j = $res->{json};
	my $ct = header($res, 'content-type') // '';
	push @p, "Content-Type is '$ct', not application/json" unless $ct =~ m{^application/json\b}i;
	my $rid = header($res, 'x-request-id');
	push @p, 'no X-Request-Id header' unless defined $rid && length $rid;
	if (ref $j ne 'HASH') {
		push @p, 'body is not a JSON object' . ($res->{json_error} ? ": $res->{json_error}" : '');
		return @p;
	}
	for my $k (qw(status data error)) { push @p, "no '$k' key" unless exists $j->{$k} }
	my @extra = grep { !/^(status|data|error|meta)$/ } keys %$j;
	push @p, "unexpected keys: @extra" if @extra;
	push @p, "body status is " . ($j->{status} // 'null') . ", not $status"
		unless defined $j->{status} && !ref $j->{status} && $j->{status} =~ /^\d+$/ && $j->{status} == $status;
	push @p, 'body status is a JSON string, not a number' if defined $j->{status} && $JSON->encode($j->{status}) =~ /^"/;
	if ($status < 400) {
		push @p, 'error is not null on success' if defined $j->{error};
		push @p, "meta is not an object" if exists $j->{meta} && defined $j->{meta} && ref $j->{meta} ne 'HASH';
	}
	else {
		push @p, 'data is not null on an error' if defined $j->{data};
		push @p, 'meta on an error' if exists $j->{meta};
		my $e = $j->{error};
		if (ref $e ne 'HASH') { push @p, 'error is not an object' }
		else {
			push @p, 'error.code is not a string' unless defined $e->{code} && !ref $e->{code} && length $e->{code};
			push @p, 'error.message is not a non-empty string' unless defined $e->{message} && !ref $e->{message} && length $e->{message};
			my @ek = grep { !/^(code|message|details)$/ } keys %$e;
			push @p, "unexpected keys in error: @ek" if @ek;
			if ($status == 422) {
				if (ref $e->{details} ne 'ARRAY' || !@{ $e->{details} }) { push @p, '422 without a non-empty details array' }
				else {
					for my $d (@{ $e->{details} }) {
						push @p, 'a detail is not {field, message} strings'
							unless ref $d eq 'HASH' && defined $d->{field} && !ref $d->{field}
							&& defined $d->{message} && !ref $d->{message} && length $d->{message};
					}
				}
			}
			else {
				push @p, "details present on a $status" if exists $e->{details};
			}
			my @leak = leaks($res->{raw});
			push @p, "error body leaks internals (@leak): $res->{raw}" if @leak;
		}
	}
	return @p;
}

sub _desc { my $res = shift; return "$res->{method} $res->{path}" }

# envelope_ok($res, $status, $name): HTTP status and the envelope {status, data, error}
# with the status repeated; returns true when both hold
sub envelope_ok {
	my ($res, $status, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	$name //= _desc($res);
	my $ok1 = is($res->{status}, $status, "$name: HTTP $status");
	my @p = _problems($res, $status);
	my $ok2 = ok(!@p, "$name: envelope");
	diag(join "\n", @p) if @p;
	diag("response body: " . substr($res->{raw}, 0, 2000)) if !$ok1 || !$ok2;
	return $ok1 && $ok2;
}

# error_ok($res, $status, $code, $name): an error envelope with this HTTP status and code
sub error_ok {
	my ($res, $status, $code, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	$name //= _desc($res);
	my $ok = envelope_ok($res, $status, $name);
	my $got = ref $res->{json} eq 'HASH' && ref $res->{json}{error} eq 'HASH' ? $res->{json}{error}{code} : undef;
	return is($got, $code, "$name: error code $code") && $ok;
}

# no_content_ok($res, $name): 204 with an empty body
sub no_content_ok {
	my ($res, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	$name //= _desc($res);
	my $ok = is($res->{status}, 204, "$name: HTTP 204");
	diag("response body: $res->{raw}") unless $ok;
	return is(length $res->{raw}, 0, "$name: no body") && $ok;
}

sub detail_fields {
	my $res = shift;
	my $e = ref $res->{json} eq 'HASH' ? $res->{json}{error} : undef;
	return () unless ref $e eq 'HASH' && ref $e->{details} eq 'ARRAY';
	return map { ref $_ eq 'HASH' ? ($_->{field} // '') : () } @{ $e->{details} };
}

# has_detail($res, $field_or_regex, $name): a 422 whose details name this field
sub has_detail {
	my ($res, $field, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my @f = detail_fields($res);
	my $hit = ref $field ? grep { $_ =~ $field } @f : grep { $_ eq $field } @f;
	my $ok = ok($hit, ($name // _desc($res)) . ": details name '$field'");
	diag("detail fields: [@f]; body: " . substr($res->{raw}, 0, 1000)) unless $ok;
	return $ok;
}

# --- tasks ---------------------------------------------------------------------------

sub create_task {
	my ($user, %f) = @_;
	$f{title} //= 'task ' . uniq_name('t');
	return req('POST', "/api/$user->{id}/tasks", token => $user->{token}, json => \%f);
}

# create_task_ok: create, expect 201, return the task (dies otherwise: later steps need it)
sub create_task_ok {
	my ($user, %f) = @_;
	my $res = create_task($user, %f);
	die "cannot create a task ($res->{status}): $res->{raw}\n"
		unless $res->{status} == 201 && ref $res->{json} eq 'HASH' && ref $res->{json}{data} eq 'HASH';
	return $res->{json}{data};
}

sub get_task {
	my ($user, $id) = @_;
	return req('GET', "/api/$user->{id}/tasks/$id", token => $user->{token});
}

sub list_tasks {
	my ($user, @q) = @_;
	return req('GET', "/api/$user->{id}/tasks", token => $user->{token}, query => [@q]);
}

# --- values --------------------------------------------------------------------------

sub is_ts { my $s = shift; return defined $s && !ref $s && $s =~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/ }
sub is_uuid { my $s = shift; return defined $s && !ref $s && $s =~ /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/ }

sub ts_epoch {
	my $s = shift;
	return undef unless defined $s && $s =~ /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$/;
	return timegm($6, $5, $4, $3, $2 - 1, $1) + ($7 ? "0$7" : 0);
}

sub today_utc { return strftime('%Y-%m-%d', gmtime(shift // time)) }
sub date_plus_days { my $d = shift; return strftime('%Y-%m-%d', gmtime(time + 86400 * $d)) }

sub is_jbool { return JSON::PP::is_bool($_[0]) }
sub jtrue  { return JSON::PP::is_bool($_[0]) && $_[0] ? 1 : 0 }
sub jfalse { return JSON::PP::is_bool($_[0]) && !$_[0] ? 1 : 0 }

# --- JWT -----------------------------------------------------------------------------

sub b64url_encode { my $s = encode_base64(shift, ''); $s =~ tr{+/}{-_}; $s =~ s/=+$//; return $s }
sub b64url_decode {
	my $s = shift;
	$s =~ tr{-_}{+/};
	$s .= '=' x ((4 - length($s) % 4) % 4);
	return decode_base64($s);
}
# jwt_split($token) -> (header hashref, payload hashref, signature string, @raw parts)
sub jwt_split {
	my $t = shift;
	my @p = split /\./, $t, -1;
	return () unless @p == 3;
	my $h = eval { $JSON->decode(b64url_decode($p[0])) };
	my $b = eval { $JSON->decode(b64url_decode($p[1])) };
	return ($h, $b, $p[2], @p);
}
sub jwt_join {
	my ($h, $b, $sig) = @_;
	return join '.', b64url_encode($JSON->encode($h)), b64url_encode($JSON->encode($b)), $sig;
}

# parallel(N, sub { i }) -> the N one-line strings the children returned, in child order.
# Each child ends with POSIX::_exit: no Test::More END block runs in a child.
sub parallel {
	my ($n, $work) = @_;
	pipe(my $rd, my $wr) or die "pipe: $!";
	my @pids;
	STDOUT->flush;
	STDERR->flush;
	for my $i (0 .. $n - 1) {
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			close $rd;
			my $line = eval { $work->($i) } // 'ERR ' . ($@ =~ s/\s+/ /gr);
			$line =~ s/\n/ /g;
			syswrite $wr, "$i\t$line\n";
			POSIX::_exit(0);
		}
		push @pids, $pid;
	}
	close $wr;
	my @out;
	while (my $l = <$rd>) { chomp $l; my ($i, $rest) = split /\t/, $l, 2; $out[$i] = $rest }
	waitpid $_, 0 for @pids;
	return @out;
}

1;
