#!/usr/bin/perl
# test/tools/loadgen.pl - a bounded write load on a local gateway, for the outage suites:
# CLIENTS processes, each creating tasks one after another (a new connection for each, as
# a browser behind a proxy would), until SECONDS have passed or it made MAX requests.
#
#   loadgen.pl URL USER_ID TOKEN CLIENTS SECONDS MAX OUT
#
# URL must be on the loopback interface. OUT gets one line per response, tab-separated:
#   start_ms client status elapsed_ms retry_after error_code task_id
# (status 599: no HTTP answer at all; retry_after, error_code, task_id '-' when absent).
use strict;
use warnings;
use HTTP::Tiny;
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(time);

my ($url, $user_id, $token, $clients, $seconds, $max, $out) = @ARGV;
die "usage: loadgen.pl URL USER_ID TOKEN CLIENTS SECONDS MAX OUT\n" unless defined $out;
die "loadgen.pl: $url is not a loopback address\n" unless $url =~ m{^http://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(/|$)};
die "loadgen.pl: CLIENTS 1-100, SECONDS 1-120, MAX 1-100000\n"
	unless $clients =~ /^\d+$/ && $clients >= 1 && $clients <= 100 && $seconds =~ /^[\d.]+$/ && $seconds > 0
	&& $seconds <= 120 && $max =~ /^\d+$/ && $max >= 1 && $max <= 100000;

open my $fh, '>>', $out or die "$out: $!\n";
$fh->autoflush(1);
my $json = JSON::PP->new->utf8;
my $end = time + $seconds;
my @pids;
for my $c (1 .. $clients) {
	my $pid = fork // die "fork: $!\n";
	if (!$pid) {
		my $http = HTTP::Tiny->new(timeout => 40, keep_alive => 0, agent => 'todo-loadgen/1');
		for (my $i = 1; $i <= $max && time < $end; $i++) {
			my $t0 = time;
			my $r = $http->request('POST', "$url/api/$user_id/tasks", {
				headers => { Authorization => "Bearer $token", 'Content-Type' => 'application/json' },
				content => $json->encode({ title => "load $c.$i" }),
			});
			my $ms = (time - $t0) * 1000;
			my $body = eval { $json->decode($r->{content} // '') } || {};
			my $id = ref $body->{data} eq 'HASH' ? $body->{data}{id} // '-' : '-';
			my $code = ref $body->{error} eq 'HASH' ? $body->{error}{code} // '-' : '-';
			my $ra = $r->{headers}{'retry-after'} // '-';
			# one short line per write: appends from all clients stay whole
			syswrite $fh, sprintf("%.0f\t%d\t%d\t%.1f\t%s\t%s\t%s\n", $t0 * 1000, $c, $r->{status}, $ms, $ra, $code, $id);
		}
		POSIX::_exit(0);
	}
	push @pids, $pid;
}
waitpid $_, 0 for @pids;
