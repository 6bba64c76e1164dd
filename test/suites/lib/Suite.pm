package Suite;
# The one Perl module of the suites in test/suites/ (NAME.sh, which uses
# test/suites/lib/suite.bash, starts the servers; NAME.t tests through them, with
# `use lib "$FindBin::Bin/lib"; use Suite;`): gateways started and stopped per test, the
# ASan + UBSan build unless SUITE_GATEWAY names another, with their logs and any sanitizer
# report in the suite's work directory (test/run.sh fails the suite on a report there);
# psql and pg_ctl on the suite's cluster; clocks. suite.bash starts its gateways with
# gateway_exec below, so both halves run them alike.
#
# Environment (set by the suite's shell half):
#   SUITE_WORK      the suite's work directory (logs, pid files, sanitizer reports)
#   PGHOST PGPORT PGUSER   the cluster psql talks to (a superuser)
#   SUITE_PGDATA    that cluster's data directory, when the test restarts it
#   SUITE_GATEWAY   the gateway binary (default: gateway/todo-gateway-asan)
# A gateway's pid is kept in SUITE_WORK/pids/NAME.pid while it runs, so that the shell half
# stops it even when this process dies.
use strict;
use warnings;
use Cwd ();
use Exporter 'import';
use File::Basename ();
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP ();
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use Test::More;

our @EXPORT = qw(
	work free_port now_ms gateway_exec gateway_start gateway_stop gateway_run gateway_alive
	gateway_log psql pg_ctl http_json
);

# the repository, from this file's place (test/suites/lib/), whoever loads it
my $top = Cwd::abs_path(File::Basename::dirname(__FILE__) . '/../../..');
my $binary = $ENV{SUITE_GATEWAY} || "$top/gateway/todo-gateway-asan";

sub work {
	my $w = $ENV{SUITE_WORK} or die "SUITE_WORK is not set\n";
	return $w;
}

sub now_ms { return time() * 1000 }

sub free_port {
	my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0, ReuseAddr => 1)
		or die "no free port: $!\n";
	return $s->sockport;
}

# Records pid as the running gateway NAME (SUITE_WORK/pids/NAME.pid).
sub _pidfile {
	my ($name, $pid) = @_;
	my $w = work();
	mkdir "$w/pids";
	open my $fh, '>', "$w/pids/$name.pid" or die "$w/pids/$name.pid: $!\n";
	print $fh "$pid\n";
	close $fh;
}

# gateway_exec(NAME, PORT, 'VAR=VALUE', ...): becomes the gateway NAME (exec, same pid) on
# PORT with these settings. Its environment: only what the caller gives, plus the port and
# the sanitizers' report files (nothing inherited that the gateway reads); its output in
# SUITE_WORK/NAME.out and NAME.err. suite.bash runs it in the background.
sub gateway_exec {
	my ($name, $port, @settings) = @_;
	my $w = work();
	_pidfile($name, $$);
	delete @ENV{qw(DATABASE_URL PORT ENVIRONMENT CORS_ORIGINS LOG_LEVEL POOL_SIZE POOL_TIMEOUT STARTUP_BACKOFF_MS WEB_ROOT)};
	$ENV{PORT} = $port;
	$ENV{ASAN_OPTIONS} = "log_path=$w/asan.$name:detect_leaks=1";
	$ENV{UBSAN_OPTIONS} = "log_path=$w/ubsan.$name:print_stacktrace=1";
	for (@settings) {
		my ($k, $v) = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s or die "gateway_exec: not VAR=VALUE: $_\n";
		$ENV{$k} = $v;
	}
	open STDOUT, '>', "$w/$name.out" or die "$w/$name.out: $!\n";
	open STDERR, '>', "$w/$name.err" or die "$w/$name.err: $!\n";
	exec $binary or POSIX::_exit(127);
}

sub _spawn {
	my ($name, $env, $port) = @_;
	# empty logs before the fork: the caller reads them at once (gateway_run), and must not
	# see an earlier run's lines before the child has reopened them
	for my $f (map { work() . "/$name.$_" } qw(out err)) {
		open my $fh, '>', $f or die "$f: $!\n";
		close $fh;
	}
	my $pid = fork // die "fork: $!\n";
	gateway_exec($name, $port, map { "$_=$env->{$_}" } sort keys %$env) if !$pid;
	_pidfile($name, $pid);   # the parent too: the file is there when _spawn returns
	return $pid;
}

# gateway_start(name => N, env => {DATABASE_URL => ..., ...}, wait => seconds,
#               while_waiting => sub { ($gw) })
# Starts the gateway and waits until its port answers HTTP (calling while_waiting, if
# given, between polls). Returns { name, pid, port, url } or undef (with a diag) when it
# exited or did not answer in time.
sub gateway_start {
	my %o = @_;
	my $name = $o{name} // 'gateway';
	my $port = free_port();
	my $pid = _spawn($name, $o{env} || {}, $port);
	my $gw = { name => $name, pid => $pid, port => $port, url => "http://127.0.0.1:$port" };
	my $http = HTTP::Tiny->new(timeout => 2);
	my $deadline = time + ($o{wait} // 60);
	while (time < $deadline) {
		if (waitpid($pid, WNOHANG) == $pid) {
			unlink work() . "/pids/$name.pid";
			diag("gateway $name exited at start-up (status $?):\n" . gateway_log($gw, 'err'));
			return undef;
		}
		my $r = $http->get("$gw->{url}/api/v1/health");
		return $gw if $r->{status} != 599;
		$o{while_waiting}->($gw) if $o{while_waiting};
		sleep 0.05;
	}
	diag("gateway $name did not answer within " . ($o{wait} // 60) . " s");
	gateway_stop($gw);
	return undef;
}

sub gateway_alive { my $gw = shift; return $gw && waitpid($gw->{pid}, WNOHANG) == 0 }

# SIGTERM, then its exit status (SIGKILL after 20 s: then 'killed').
sub gateway_stop {
	my $gw = shift or return 'not running';
	my $deadline = time + 20;
	kill 'TERM', $gw->{pid};
	while (time < $deadline) {
		if (waitpid($gw->{pid}, WNOHANG) == $gw->{pid}) {
			unlink work() . "/pids/$gw->{name}.pid";
			return $? & 127 ? 'signal ' . ($? & 127) : $? >> 8;
		}
		sleep 0.02;
	}
	kill 'KILL', $gw->{pid};
	waitpid $gw->{pid}, 0;
	unlink work() . "/pids/$gw->{name}.pid";
	return 'killed';
}

# gateway_run(name => N, env => {...}, timeout => s, on_line => sub { ($line, $pid) }):
# runs a gateway that is expected to exit by itself (start-up failures), at most timeout
# seconds (then SIGTERM). on_line, if given, is called with each new stderr line as it
# comes (and the gateway's pid). Returns { status, elapsed (s), out, err }.
sub gateway_run {
	my %o = @_;
	my $name = $o{name} // 'gateway';
	my $t0 = time;
	my $gw = { name => $name, pid => _spawn($name, $o{env} || {}, free_port()) };
	my $deadline = $t0 + ($o{timeout} // 30);
	my ($status, $seen) = (undef, 0);
	while (!defined $status) {
		if (waitpid($gw->{pid}, WNOHANG) == $gw->{pid}) {
			$status = $? & 127 ? 'signal ' . ($? & 127) : $? >> 8;
		}
		elsif (time > $deadline) {
			$status = 'timeout (' . gateway_stop($gw) . ')';
		}
		if ($o{on_line}) {
			my @lines = split /\n/, gateway_log($gw, 'err');
			$o{on_line}->($_, $gw->{pid}) for @lines[$seen .. $#lines];
			$seen = @lines;
		}
		sleep 0.01 unless defined $status;
	}
	unlink work() . "/pids/$name.pid";
	return { status => $status, elapsed => time - $t0, out => gateway_log($gw, 'out'), err => gateway_log($gw, 'err') };
}

# The gateway's stdout ('out') or stderr ('err') so far.
sub gateway_log {
	my ($gw, $which) = @_;
	open my $fh, '<', work() . "/$gw->{name}.$which" or return '';
	local $/;
	return <$fh> // '';
}

# psql(SQL, db => NAME): the unaligned, tuples-only output, chomped; dies on error.
# SQL goes through stdin, so it may be long.
sub psql {
	my ($sql, %o) = @_;
	my $db = $o{db} // $ENV{PGDATABASE} // 'postgres';
	my $tmp = work() . "/psql.$$.sql";
	open my $fh, '>', $tmp or die "$tmp: $!\n";
	print $fh $sql;
	close $fh;
	my $out = `psql -X -q -At -v ON_ERROR_STOP=1 -d '$db' -f '$tmp' 2>&1`;
	my $rc = $?;
	unlink $tmp;
	die "psql failed: $out\n" if $rc != 0;
	chomp $out;
	return $out;
}

# pg_ctl(ARGS...) on SUITE_PGDATA, as the postgres user when run as root; true on success.
sub pg_ctl {
	my @args = @_;
	my $data = $ENV{SUITE_PGDATA} or die "SUITE_PGDATA is not set\n";
	chomp(my $bindir = `pg_config --bindir`);
	my @cmd = ("$bindir/pg_ctl", '-D', $data, '-l', "$data/../server.log", @args);
	unshift @cmd, 'runuser', '-u', 'postgres', '--' if $> == 0;
	my $pid = fork // die "fork: $!\n";
	if (!$pid) {
		open STDOUT, '>', '/dev/null';    # "waiting for server to start...." is not TAP
		exec @cmd or POSIX::_exit(127);
	}
	waitpid $pid, 0;
	return $? == 0;
}

my $JSON = JSON::PP->new->utf8->canonical;

# http_json(METHOD, URL, token => T, json => DATA, timeout => s): { status, json, headers,
# ms } with a fresh connection (no keep-alive).
sub http_json {
	my ($method, $url, %o) = @_;
	my %h;
	$h{Authorization} = "Bearer $o{token}" if defined $o{token};
	my %args = (headers => \%h);
	if (exists $o{json}) {
		$h{'Content-Type'} = 'application/json';
		$args{content} = $JSON->encode($o{json});
	}
	my $t0 = time;
	my $r = HTTP::Tiny->new(timeout => $o{timeout} // 40, keep_alive => 0)->request($method, $url, \%args);
	my $j = length($r->{content} // '') ? eval { $JSON->decode($r->{content}) } : undef;
	return { status => $r->{status}, json => $j, headers => $r->{headers} || {},
		raw => $r->{content} // '', ms => (time - $t0) * 1000 };
}

1;
