#!/usr/bin/perl
# The web app at / (gateway/web, the gateway's default WEB_ROOT): files with their types,
# ETag and 304, Cache-Control, the CSP and nosniff on every answer; 404 for traversal in
# every spelling (sent byte for byte on a raw socket), dot files, NUL, backslashes; 405 for
# other methods; and /api stays the API's (JSON 404, never a file).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use IO::Socket::INET;
use Test::More;
use E2E;

my $web = "$FindBin::Bin/../../gateway/web";

sub slurp {
	my $f = shift;
	open my $fh, '<:raw', $f or die "$f: $!\n";
	local $/;
	return scalar <$fh>;
}

# raw_get(PATH, HEADERS...): the request line exactly as given (no client normalizes it).
# Returns { status, headers (lowercased names), raw }.
sub raw_get {
	my ($path, @headers) = @_;
	my ($host, $port) = base_url() =~ m{^http://([^:/]+):(\d+)} or die "base_url: " . base_url();
	my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Timeout => 10)
		or die "connect: $!\n";
	print $s join("\r\n", "GET $path HTTP/1.1", "Host: $host:$port", 'Connection: close', @headers, '', '');
	local $/;
	my $text = <$s> // '';
	close $s;
	my ($head, $body) = split /\r\n\r\n/, $text, 2;
	my ($status) = ($head // '') =~ m{^HTTP/1\.1 (\d{3})};
	my %h;
	for (split /\r\n/, $head // '') { $h{ lc $1 } = $2 if /^([^:]+):\s*(.*)$/ }
	return { status => $status // 0, headers => \%h, raw => $body // '' };
}

my $CSP_PARTS = qr/default-src 'none'.*script-src 'self'.*style-src 'self'.*connect-src 'self'.*base-uri 'none'.*frame-ancestors 'none'/;

# the headers every answer of the web app carries
sub web_headers_ok {
	my ($r, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $csp = $r->{headers}{'content-security-policy'} // '';
	like($csp, $CSP_PARTS, "$name: strict Content-Security-Policy");
	unlike($csp, qr/unsafe-inline|unsafe-eval|\*/, "$name: no unsafe-inline, unsafe-eval or wildcard");
	is($r->{headers}{'x-content-type-options'}, 'nosniff', "$name: nosniff");
	ok(defined $r->{headers}{'x-request-id'}, "$name: X-Request-Id");
}

# --- the files -------------------------------------------------------------------------------
my %etag;
for my $f (['/', 'index.html', 'text/html; charset=utf-8'],
	['/index.html', 'index.html', 'text/html; charset=utf-8'],
	['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
	['/app.css', 'app.css', 'text/css; charset=utf-8'],
	['/favicon.svg', 'favicon.svg', 'image/svg+xml']) {
	my ($path, $file, $type) = @$f;
	my $r = req('GET', $path);
	is($r->{status}, 200, "GET $path: 200");
	is($r->{headers}{'content-type'}, $type, "GET $path: $type");
	ok($r->{raw} eq slurp("$web/$file"), "GET $path: the bytes of gateway/web/$file");
	like($r->{headers}{etag} // '', qr/^"[^"]+"$/, "GET $path: a strong ETag");
	is($r->{headers}{'cache-control'}, 'no-cache', "GET $path: Cache-Control: no-cache (revalidate)");
	web_headers_ok($r, "GET $path");
	$etag{$path} = $r->{headers}{etag};
}
is($etag{'/'}, $etag{'/index.html'}, '/ is index.html (same ETag)');
isnt($etag{'/app.js'}, $etag{'/app.css'}, 'each file its own ETag');

my $head = req('HEAD', '/app.js');
is($head->{status}, 200, 'HEAD /app.js: 200');
is($head->{raw}, '', 'HEAD /app.js: no body');
is($head->{headers}{'content-length'}, -s "$web/app.js", 'HEAD /app.js: Content-Length of the file');
is($head->{headers}{etag}, $etag{'/app.js'}, 'HEAD /app.js: the same ETag');

# --- conditional requests --------------------------------------------------------------------
for my $inm ($etag{'/app.js'}, "W/$etag{'/app.js'}", "\"nope\", $etag{'/app.js'}", '*') {
	my $r = req('GET', '/app.js', headers => { 'If-None-Match' => $inm });
	is($r->{status}, 304, "If-None-Match: $inm: 304");
	is($r->{raw}, '', "If-None-Match: $inm: no body");
	is($r->{headers}{etag}, $etag{'/app.js'}, "If-None-Match: $inm: the ETag again");
	web_headers_ok($r, "304 for $inm");
}
is(req('GET', '/app.js', headers => { 'If-None-Match' => '"nope"' })->{status}, 200,
	'If-None-Match with another tag: 200');
is(req('GET', '/app.js', headers => { 'If-None-Match' => $etag{'/app.css'} })->{status}, 200,
	"If-None-Match with another file's tag: 200");

# --- nothing outside the root, no dot files, no listing ---------------------------------------
# gateway/README.md is one directory up from gateway/web: each of these would reach it
ok(-f "$web/../README.md", 'gateway/README.md exists next to the web root (the target)');
for my $p ('/../README.md', '/../../README.md', '/%2e%2e/README.md', '/%2E%2E/README.md',
	'/.%2e/README.md', '/%2e./README.md', '/..%2fREADME.md', '/..%2FREADME.md', '/%2e%2e%2fREADME.md',
	'/..%5cREADME.md', '/..\\README.md', '/%2e%2e%5cREADME.md', '/%252e%252e/README.md',
	'/./index.html', '/index.html/..', '/index.html%00', '/index.html%00.png', '/%00',
	'/../../../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '//etc/passwd',
	'/.git/config', '/.', '/..', '/...', '/index.html/', '/nope/', '/web/', '/web/index.html',
	'/favicon.svg.', '/app.js%20') {
	my $r = raw_get($p);
	is($r->{status}, 404, "GET $p: 404");
	is($r->{headers}{'content-type'}, 'text/plain; charset=utf-8', "GET $p: a text answer");
	unlike($r->{raw}, qr/gateway|root:|html|\[core\]/, "GET $p: nothing of any file");
}
my $nf = req('GET', '/nope.html');
is($nf->{status}, 404, 'GET /nope.html: 404');
is($nf->{raw}, "Not found\n", 'GET /nope.html: a short text');
is($nf->{headers}{'cache-control'}, 'no-store', 'GET /nope.html: not cached');
web_headers_ok($nf, 'GET /nope.html');

# --- methods ---------------------------------------------------------------------------------
for my $m (qw(POST PUT DELETE PATCH OPTIONS)) {
	my $r = req($m, '/', body => '{}', content_type => 'application/json');
	is($r->{status}, 405, "$m /: 405");
	is($r->{headers}{allow}, 'GET, HEAD', "$m /: Allow: GET, HEAD");
	web_headers_ok($r, "$m /");
}

# --- /api is the API's: no file, no fallback ---------------------------------------------------
for my $p ('/api', '/api/', '/api/index.html', '/api/app.js', '/api/nope', '/apix', '/api/../index.html',
	'/api/%2e%2e/index.html') {
	my $r = raw_get($p);
	is($r->{status}, 404, "GET $p: 404");
	is($r->{headers}{'content-type'}, 'application/json', "GET $p: the API's JSON");
	like($r->{raw}, qr/"code":"not_found"/, "GET $p: the API's not_found");
	ok(!defined $r->{headers}{'content-security-policy'}, "GET $p: not the web app's answer");
}
error_ok(req('POST', '/api/nope', json => {}), 404, 'not_found', 'POST /api/nope: the API 404');

done_testing();
