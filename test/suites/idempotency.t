#!/usr/bin/perl
# test/suites/idempotency.t - Idempotency-Key against one gateway (ASan build) and a
# database of the suite's own (run by test/suites/idempotency.sh with IDEM_URL,
# SUITE_PGDATA, PG* pointing at that cluster, SUITE_WORK):
#
#   1. a key in use: a PUT under a key is held open inside its transaction (a second session
#      holds its task's row lock); the same key meanwhile is a 409 idempotency_key_in_use at
#      once; released, the first answers 200, and the key's retry is its replay
#   2. expiry: an expired key is a new key (no replay, no 422); the lifetime setting; a
#      stored answer purges 10 expired keys, todo.forget_idempotency_keys the rest
#   3. restart under load: 20 clients, each its own user, create tasks each under a key of
#      its own; PostgreSQL (fsync on) is restarted with `pg_ctl restart -m immediate` twice,
#      at a third and at two thirds of the load;
#      every 503, 409 and lost connection is retried with the same key and body until an
#      answer comes. Counted in the database: one task per key, none twice, none missing,
#      and every acknowledged id is the task stored for its key.
#
# Nothing here asserts a duration: waits poll the database for the state they need, with
# generous bounds that only catch a hang.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../e2e/lib";
BEGIN { $ENV{TODO_BASE_URL} ||= 'http://127.0.0.1:9' }
use Test::More;
use POSIX ();
use HTTP::Tiny;
use JSON::PP ();
use Time::HiRes qw(sleep time);
use Suite;
use E2E;

my $gw = gateway_start(name => 'idem',
	env => { DATABASE_URL => $ENV{IDEM_URL}, POOL_SIZE => 10, POOL_TIMEOUT => 2, ENVIRONMENT => 'production',
		MAINTENANCE_INTERVAL => 86400 });   # section 2 counts the purges by requests alone
BAIL_OUT('the gateway did not start') unless $gw;
$ENV{TODO_BASE_URL} = $gw->{url};
my $JSON = JSON::PP->new->utf8->canonical;

# keyed(METHOD, PATH, TOKEN, KEY, DATA or undef): { status, json, replayed, code }
sub keyed {
	my ($method, $path, $token, $key, $data) = @_;
	my %h = (Authorization => "Bearer $token", 'Idempotency-Key' => $key);
	my %args = (headers => \%h);
	if (defined $data) {
		$h{'Content-Type'} = 'application/json';
		$args{content} = $JSON->encode($data);
	}
	my $r = HTTP::Tiny->new(timeout => 60, keep_alive => 0)->request($method, "$gw->{url}$path", \%args);
	my $j = length($r->{content} // '') ? eval { $JSON->decode($r->{content}) } : undef;
	return { status => $r->{status}, json => $j, replayed => $r->{headers}{'idempotent-replayed'},
		code => ref $j eq 'HASH' && ref $j->{error} eq 'HASH' ? $j->{error}{code} : undef };
}

# waits (polling, at most 60 s) until the SQL answers 't'
sub wait_for {
	my ($sql, $what) = @_;
	my $deadline = time + 60;
	while (time < $deadline) {
		return 1 if psql($sql) eq 't';
		sleep 0.05;
	}
	diag("still not so after 60 s: $what");
	return 0;
}

# --- 1. a key in use: 409 --------------------------------------------------------------------
{
	my $u = new_user(label => 'busy');
	my $t = create_task_ok($u, title => 'held');
	my $path = "/api/$u->{id}/tasks/$t->{id}";
	# a second session holds the task's row lock: the keyed PUT waits for it inside its
	# transaction, holding its key
	open my $ph, '|-', "psql -X -q -At -v ON_ERROR_STOP=1 -d '$ENV{PGDATABASE}' >" . work() . '/holder.out 2>&1'
		or die "psql: $!";
	$ph->autoflush(1);
	print $ph "BEGIN;\nSELECT 'holding' FROM todo.tasks WHERE id = '$t->{id}' FOR UPDATE;\n";
	ok(wait_for("SELECT EXISTS (SELECT FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		WHERE a.query LIKE '%FOR UPDATE%' AND a.pid <> pg_backend_pid() AND l.locktype = 'transactionid' AND l.granted)",
		'the holder has its transaction'), 'a second session holds the task\'s row lock');
	my $first = fork // die "fork: $!";
	if (!$first) {
		my $r = keyed('PUT', $path, $u->{token}, 'busy-1', { title => 'first' });
		POSIX::_exit($r->{status} == 200 && !defined $r->{replayed} ? 0 : 1);
	}
	ok(wait_for("SELECT EXISTS (SELECT FROM pg_stat_activity WHERE usename = 'todo_gateway' AND wait_event_type = 'Lock')",
		'the keyed PUT waits for the row lock'), 'the first PUT under the key is running (waiting for the row lock)');
	my $r = keyed('PUT', $path, $u->{token}, 'busy-1', { title => 'first' });
	is($r->{status}, 409, 'the same key meanwhile: 409');
	is($r->{code}, 'idempotency_key_in_use', '... idempotency_key_in_use');
	print $ph "COMMIT;\n";
	close $ph;
	waitpid $first, 0;
	is($?, 0, 'released, the first PUT answers 200 (not a replay)');
	$r = keyed('PUT', $path, $u->{token}, 'busy-1', { title => 'first' });
	is($r->{status}, 200, 'the key again: 200');
	is($r->{replayed}, 'true', '... the stored answer (Idempotent-Replayed)');
	is($r->{json}{data}{title}, 'first', '... the first PUT\'s task');
}

# --- 2. expiry, lifetime, purge ------------------------------------------------------------
{
	my $u = new_user(label => 'exp');
	my $path = "/api/$u->{id}/tasks";
	my $r = keyed('POST', $path, $u->{token}, 'exp-1', { title => 'one' });
	is($r->{status}, 201, 'a create under a key');
	is(psql("SELECT expires_at - created_at = interval '24 hours' FROM todo.idempotency_keys WHERE key = 'exp-1'"), 't',
		'the key lives 24 hours');
	psql("UPDATE todo.idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'exp-1'");
	$r = keyed('POST', $path, $u->{token}, 'exp-1', { title => 'two' });
	is($r->{status}, 201, 'expired, the key with another body: 201 (no 422)');
	ok(!defined $r->{replayed}, '... not a replay');
	is(psql("SELECT count(*) FROM todo.tasks WHERE user_id = '$u->{id}'"), 2, '... it ran: two tasks');
	psql("UPDATE todo.idempotency_settings SET key_lifetime = interval '5 minutes'");
	keyed('POST', $path, $u->{token}, 'exp-2', { title => 'three' });
	is(psql("SELECT expires_at - created_at = interval '5 minutes' FROM todo.idempotency_keys WHERE key = 'exp-2'"), 't',
		'the lifetime follows todo.idempotency_settings');
	psql("UPDATE todo.idempotency_settings SET key_lifetime = DEFAULT");
	psql("INSERT INTO todo.idempotency_keys (scope, key, fingerprint, expires_at)
		SELECT 'u:$u->{id}', 'old-' || i, sha256(i::text::bytea), now() - i * interval '1 minute' FROM generate_series(1, 30) i");
	keyed('POST', $path, $u->{token}, 'exp-3', { title => 'four' });
	is(psql("SELECT count(*) FROM todo.idempotency_keys WHERE key LIKE 'old-%'"), 20, 'a stored answer purged 10 expired keys');
	is(psql('SELECT todo.forget_idempotency_keys(15)'), 15, 'todo.forget_idempotency_keys(15): 15 more');
	is(psql('SELECT todo.forget_idempotency_keys()'), 5, '... and the rest');
	is(psql("SELECT count(*) FROM todo.idempotency_keys WHERE expires_at <= now()"), 0, 'no expired key left');
}

# --- 2b. the gateway's maintenance: expired answers go without any keyed traffic ----------
{
	psql("INSERT INTO todo.idempotency_keys (scope, key, fingerprint, expires_at)
		SELECT 'u:00000000-0000-4000-8000-000000000001', 'idle-' || i, sha256(i::text::bytea), now() - interval '1 minute'
		FROM generate_series(1, 1500) i");
	my $m = gateway_start(name => 'idem-maint',
		env => { DATABASE_URL => $ENV{IDEM_URL}, MAINTENANCE_INTERVAL => 1, ENVIRONMENT => 'production' });
	ok($m, 'a gateway with MAINTENANCE_INTERVAL=1 starts');
	ok(wait_for("SELECT count(*) = 0 FROM todo.idempotency_keys WHERE key LIKE 'idle-%'", 'the idle expired keys purged'),
		'its maintenance purges 1500 expired answers, with no request at all');
	gateway_stop($m);
	like(gateway_log($m, 'err') . gateway_log($m, 'out'), qr/maintenance: 1500 expired Idempotency-Key answers purged/,
		'... in two batches of one round, logged');
	is(psql("SELECT count(*) FROM todo.idempotency_keys WHERE expires_at > now()") > 0 ? 't' : 'f', 't',
		'... and the keys still alive are kept');
}

# --- 3. restart under load -------------------------------------------------------------------
{
	my $CLIENTS = 20;
	my $PER_CLIENT = 15;
	my @users = map { new_user(label => "rs$_") } 1 .. $CLIENTS;
	my $out = work() . '/restart';
	mkdir $out;
	my @pids;
	for my $c (0 .. $CLIENTS - 1) {
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			# one client: its tasks one after the other, each retried under its key until
			# an answer that is not a 503, a 409 or a lost connection (599); 3 minutes at most
			my $u = $users[$c];
			open my $fh, '>', "$out/$c.tsv" or POSIX::_exit(2);
			for my $i (1 .. $PER_CLIENT) {
				my $key = "restart-$c-$i";
				my ($r, $tries, %seen);
				my $deadline = time + 180;
				do {
					$tries++;
					$r = keyed('POST', "/api/$u->{id}/tasks", $u->{token}, $key, { title => "restart $c $i" });
					$seen{ $r->{status} }++;
					sleep 0.05 if $r->{status} =~ /^(503|409|599)$/;
				} while ($r->{status} =~ /^(503|409|599)$/ && time < $deadline);
				my $id = ref $r->{json} eq 'HASH' && ref $r->{json}{data} eq 'HASH' ? $r->{json}{data}{id} // '' : '';
				print $fh join("\t", $key, $r->{status}, $id, $r->{replayed} // 'false', $tries,
					join(',', map { "${_}x$seen{$_}" } sort keys %seen)), "\n";
			}
			close $fh;
			POSIX::_exit(0);
		}
		push @pids, $pid;
	}
	# the restart once the load is well under way: a third of the tasks stored
	my $third = int($CLIENTS * $PER_CLIENT / 3);
	ok(wait_for("SELECT count(*) >= $third FROM todo.tasks WHERE title LIKE 'restart %'", 'a third of the load stored'),
		"the load is under way ($third tasks stored)");
	ok(pg_ctl('-m', 'immediate', '-w', 'restart'), 'pg_ctl restart -m immediate in the middle of the load');
	my $two_thirds = 2 * $third;
	ok(wait_for("SELECT count(*) >= $two_thirds FROM todo.tasks WHERE title LIKE 'restart %'", 'two thirds of the load stored'),
		"the load goes on ($two_thirds tasks stored)");
	ok(pg_ctl('-m', 'immediate', '-w', 'restart'), 'pg_ctl restart -m immediate again');
	waitpid $_, 0 for @pids;
	ok(gateway_alive($gw), 'the gateway is still running');

	my (%by_status, %acked, @bad, $retried, $replays, %seen_total);
	for my $c (0 .. $CLIENTS - 1) {
		open my $fh, '<', "$out/$c.tsv" or do { push @bad, "client $c wrote nothing"; next };
		while (my $l = <$fh>) {
			chomp $l;
			my ($key, $status, $id, $replayed, $tries, $seen) = split /\t/, $l;
			$by_status{$status}++;
			push @bad, $l unless $status == 201 && is_uuid($id);
			$acked{$key} = $id;
			$retried++ if $tries > 1;
			$replays++ if $replayed eq 'true';
			$seen_total{$_->[0]} += $_->[1] for map { [split /x/] } split /,/, $seen;
		}
	}
	my $keys = $CLIENTS * $PER_CLIENT;
	is(scalar keys %acked, $keys, "every one of the $keys keys got an answer");
	ok(!@bad, 'every key ended in 201 with its task') or diag(join "\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)]);
	note('answers seen: ' . join(', ', map { "$seen_total{$_} x $_" } sort keys %seen_total)
		. sprintf('; %d keys retried, %d of them answered by a replay', $retried // 0, $replays // 0));

	# counted in the database
	my $stored = psql("SELECT count(*) FROM todo.tasks WHERE title LIKE 'restart %'");
	my $distinct = psql("SELECT count(DISTINCT title) FROM todo.tasks WHERE title LIKE 'restart %'");
	is($stored, $keys, "rows = distinct keys: $keys tasks stored");
	is($distinct, $stored, 'zero duplicates: no key made two tasks');
	my $missing = psql("SELECT count(*) FROM generate_series(0, " . ($CLIENTS - 1) . ") c, generate_series(1, $PER_CLIENT) i
		WHERE NOT EXISTS (SELECT FROM todo.tasks t WHERE t.title = format('restart %s %s', c, i))");
	is($missing, 0, 'zero losses: every key has its task');
	my $values = join ',', map { my ($c, $i) = /^restart-(\d+)-(\d+)$/; "('restart $c $i', '$acked{$_}'::uuid)" }
		grep { is_uuid($acked{$_}) } sort keys %acked;
	is(psql("SELECT count(*) FROM (VALUES $values) a (title, id) JOIN todo.tasks t ON t.id = a.id AND t.title = a.title"),
		scalar(grep { is_uuid($_) } values %acked), 'every acknowledged id is the task stored for its key');
	is(psql("SELECT count(*) FROM todo.idempotency_keys WHERE key LIKE 'restart-%'"), $keys, 'one stored answer per key');
	my $log = gateway_log($gw, 'out') . gateway_log($gw, 'err');
	unlike($log, qr/"status":500/, 'no 500 in the access log');
}

is(gateway_stop($gw), 0, 'the gateway exits 0 on SIGTERM');
done_testing();
