#!/usr/bin/perl
# GET /api/{user_id}/tasks: filters, sorting, pagination, meta, and bad parameters.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use E2E;
binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);

my $u = new_user(label => 'list');
my $base = "/api/$u->{id}/tasks";

# Titles use lowercase ASCII with distinct first letters (apart from the two identical
# "alpha"), so that title order does not depend on the database's collation.
my @specs = (
	[alpha1  => { title => 'alpha',          priority => 'low',    due_date => '2099-03-01', tags => ['x', 'y'], description => 'nothing here' }],
	[bravo   => { title => 'bravo',          priority => 'high',   due_date => '2099-01-01', tags => ['x'], description => 'Contains NEEDLE here' }],
	[charlie => { title => 'charlie needle', priority => 'medium', tags => ['y'] }],
	[delta   => { title => 'delta',          priority => 'high',   due_date => '2099-02-01', status => 'completed' }],
	[echo    => { title => 'echo',           priority => 'medium', due_date => '2099-03-01', tags => ['x', 'y', 'z'] }],
	[alpha2  => { title => 'alpha',          priority => 'high',   due_date => '2099-03-01T12:00:00Z' }],
	[foxtrot => { title => 'foxtrot',        priority => 'low',    due_date => '2099-05-01' }],
	[golf    => { title => 'golf',           priority => 'low',    due_date => '2099-05-02' }],
	[pct     => { title => 'pct 100% off',   priority => 'medium' }],
	[under   => { title => 'under_score',    priority => 'low', description => 'plain' }],
);
my (%t, @order);
for my $s (@specs) {
	my ($key, $f) = @$s;
	$t{$key} = create_task_ok($u, %$f);
	push @order, $key;
}
# overdue: created in the future, then moved into the past (creating in the past is refused)
for my $c (['foxtrot', { due_date => '2000-01-01' }], ['golf', { due_date => '2000-01-02', status => 'completed' }]) {
	my $r = req('PUT', "$base/$t{$c->[0]}{id}", auth($u), json => $c->[1]);
	die "cannot update $c->[0]: $r->{raw}\n" unless $r->{status} == 200;
	$t{ $c->[0] } = $r->{json}{data};
}
my %key_of = map { $t{$_}{id} => $_ } keys %t;
my %created_rank = map { $order[$_] => $_ } 0 .. $#order;
my %prio = (low => 0, medium => 1, high => 2);

sub keys_of { my $r = shift; return [map { $key_of{ $_->{id} } // "foreign:$_->{id}" } @{ ref $r->{json}{data} eq 'ARRAY' ? $r->{json}{data} : [] }] }
sub by_id { $t{$a}{id} cmp $t{$b}{id} }
sub newest_first { return sort { $created_rank{$b} <=> $created_rank{$a} } @_ }

# list_ok([query pairs], [expected keys in order], name, total?)
sub list_ok {
	my ($q, $want, $name, %m) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $r = list_tasks($u, @$q);
	envelope_ok($r, 200, $name) or return;
	is_deeply(keys_of($r), $want, "$name: tasks and order") or diag('got: ' . join(' ', @{ keys_of($r) }) . '; want: ' . join(' ', @$want));
	my $meta = $r->{json}{meta} || {};
	ok(!grep({ defined $meta->{$_} && encode_json_utf8($meta->{$_}) !~ /^\d+$/ } qw(total limit offset)), "$name: meta values are JSON numbers")
		or diag(encode_json_utf8($meta));
	is($meta->{total}, $m{total} // scalar @$want, "$name: meta.total");
	is($meta->{offset}, $m{offset} // 0, "$name: meta.offset");
	if (defined $m{limit}) { is($meta->{limit}, $m{limit}, "$name: meta.limit") }
	else { ok(exists $meta->{limit} && !defined $meta->{limit}, "$name: meta.limit null without limit") }
	return $r;
}

my @all = keys %t;
my @newest = newest_first(@all);

# --- no parameters: everything, newest first ------------------------------------------------
{
	my $r = list_ok([], \@newest, 'no parameters (default -created_at)');
	is_deeply($r->{json}{data}[0], $t{ $newest[0] }, 'list items are full task objects');
}

# --- filters ---------------------------------------------------------------------------------
my %filter = (
	'status=pending'        => [[status => 'pending'],   sub { $t{$_}{status} eq 'pending' }],
	'status=completed'      => [[status => 'completed'], sub { $t{$_}{status} eq 'completed' }],
	'priority=high'         => [[priority => 'high'],    sub { $t{$_}{priority} eq 'high' }],
	'priority=low'          => [[priority => 'low'],     sub { $t{$_}{priority} eq 'low' }],
	'priority=medium'       => [[priority => 'medium'],  sub { $t{$_}{priority} eq 'medium' }],
	'tag=x'                 => [[tag => 'x'],            sub { grep { $_ eq 'x' } @{ $t{$_}{tags} } }],
	'tag=x&tag=y (all)'     => [[tag => 'x', tag => 'y'], sub { my %h = map {; $_ => 1 } @{ $t{$_}{tags} }; $h{x} && $h{y} }],
	'tag=x&tag=y&tag=z'     => [[tag => 'x', tag => 'y', tag => 'z'], sub { @{ $t{$_}{tags} } == 3 }],
	'tag=nope'              => [[tag => 'nope'],         sub { 0 }],
	'q=needle (title or description)' => [[q => 'needle'], sub { $_ eq 'bravo' || $_ eq 'charlie' }],
	'q=NeEdLe (case-insensitive)'     => [[q => 'NeEdLe'], sub { $_ eq 'bravo' || $_ eq 'charlie' }],
	'q=ALPHA'               => [[q => 'ALPHA'],          sub { $_ =~ /^alpha/ }],
	'q=% (literal percent)' => [[q => '%'],              sub { $_ eq 'pct' }],
	'q=_ (literal underscore)' => [[q => '_'],           sub { $_ eq 'under' }],
	'q=plain (description only)' => [[q => 'plain'],     sub { $_ eq 'under' }],
	'q=zzzz'                => [[q => 'zzzz'],           sub { 0 }],
	'due_before=2099-02-01T00:00:00Z (exclusive)' => [[due_before => '2099-02-01T00:00:00Z'], sub { $_ =~ /^(bravo|foxtrot|golf)$/ }],
	'due_before=2099-02-01 (date)'                => [[due_before => '2099-02-01'],           sub { $_ =~ /^(bravo|foxtrot|golf)$/ }],
	'due_before=2099-02-01T01:00:00+01:00'        => [[due_before => '2099-02-01T01:00:00+01:00'], sub { $_ =~ /^(bravo|foxtrot|golf)$/ }],
	'due_after=2099-02-01 (exclusive)'            => [[due_after => '2099-02-01'],            sub { $_ =~ /^(alpha1|echo|alpha2)$/ }],
	'due_after=2099-03-01T00:00:00Z (exclusive)'  => [[due_after => '2099-03-01T00:00:00Z'],  sub { $_ eq 'alpha2' }],
	'due_after & due_before'                      => [[due_after => '2000-06-01', due_before => '2099-03-01'], sub { $_ =~ /^(bravo|delta)$/ }],
	'overdue=true (pending and past due)'         => [[overdue => 'true'],                    sub { $_ eq 'foxtrot' }],
	'status=pending&priority=high'                => [[status => 'pending', priority => 'high'], sub { $_ =~ /^(bravo|alpha2)$/ }],
	'tag=x&priority=low'                          => [[tag => 'x', priority => 'low'],        sub { $_ eq 'alpha1' }],
	'status=completed&due_before=2099-12-31'      => [[status => 'completed', due_before => '2099-12-31'], sub { $_ =~ /^(delta|golf)$/ }],
);
for my $name (sort keys %filter) {
	my ($q, $pred) = @{ $filter{$name} };
	my @want = newest_first(grep { $pred->() } @all);
	list_ok($q, \@want, $name);
}
# the predicates above encode the contract; make sure the fixture really exercises them
is(scalar(grep { $_ eq 'foxtrot' } newest_first(grep { $t{$_}{status} eq 'pending' && defined $t{$_}{due_date} && $t{$_}{due_date} lt '2001' } @all)), 1,
	'fixture: one pending overdue task (a completed one with a past date exists too)');

# --- sorting -------------------------------------------------------------------------------------
sub due_cmp_asc {    # nulls last
	my ($x, $y) = map { $t{$_}{due_date} } $a, $b;
	return (defined $x ? 0 : 1) <=> (defined $y ? 0 : 1) || (defined $x && defined $y ? ts_epoch($x) <=> ts_epoch($y) : 0) || by_id();
}
sub due_cmp_desc {    # nulls first
	my ($x, $y) = map { $t{$_}{due_date} } $a, $b;
	return (defined $x ? 1 : 0) <=> (defined $y ? 1 : 0) || (defined $x && defined $y ? ts_epoch($y) <=> ts_epoch($x) : 0) || by_id();
}
my %sorts = (
	'created_at'  => [sort { $created_rank{$a} <=> $created_rank{$b} } @all],
	'-created_at' => [sort { $created_rank{$b} <=> $created_rank{$a} } @all],
	'due_date'    => [sort { due_cmp_asc() } @all],
	'-due_date'   => [sort { due_cmp_desc() } @all],
	'priority'    => [sort { $prio{ $t{$a}{priority} } <=> $prio{ $t{$b}{priority} } || by_id() } @all],
	'-priority'   => [sort { $prio{ $t{$b}{priority} } <=> $prio{ $t{$a}{priority} } || by_id() } @all],
	'title'       => [sort { $t{$a}{title} cmp $t{$b}{title} || by_id() } @all],
	'-title'      => [sort { $t{$b}{title} cmp $t{$a}{title} || by_id() } @all],
);
for my $s (sort keys %sorts) {
	list_ok([sort => $s], $sorts{$s}, "sort=$s");
}
# ties by id: alpha1/echo share a due date, alpha1/alpha2 a title, and priorities repeat
list_ok([sort => 'priority', priority => 'low'], [sort { by_id() } grep { $t{$_}{priority} eq 'low' } @all], 'sort=priority within one priority: by id');
list_ok([sort => 'title', q => 'alpha'], [sort { by_id() } qw(alpha1 alpha2)], 'sort=title with equal titles: by id');
list_ok([sort => '-title', q => 'alpha'], [sort { by_id() } qw(alpha1 alpha2)], 'sort=-title with equal titles: by id ascending');

# --- pagination --------------------------------------------------------------------------------
my @asc = @{ $sorts{created_at} };
my $N = scalar @asc;
list_ok([sort => 'created_at', limit => 3], [@asc[0 .. 2]], 'limit=3', total => $N, limit => 3);
list_ok([sort => 'created_at', limit => 3, offset => 2], [@asc[2 .. 4]], 'limit=3&offset=2', total => $N, limit => 3, offset => 2);
list_ok([sort => 'created_at', offset => 8], [@asc[8 .. $N - 1]], 'offset=8 without limit', total => $N, offset => 8);
list_ok([sort => 'created_at', limit => 5, offset => $N - 2], [@asc[$N - 2 .. $N - 1]], 'last page', total => $N, limit => 5, offset => $N - 2);
list_ok([sort => 'created_at', limit => 3, offset => 100], [], 'offset past the end', total => $N, limit => 3, offset => 100);
list_ok([limit => 1], [$newest[0]], 'limit=1', total => $N, limit => 1);
list_ok([limit => 1000], \@newest, 'limit=1000', total => $N, limit => 1000);
list_ok([offset => 0], \@newest, 'offset=0', total => $N, offset => 0);
{
	my @pend = grep { $t{$_}{status} eq 'pending' } @asc;
	list_ok([status => 'pending', sort => 'created_at', limit => 2, offset => 1], [@pend[1, 2]], 'filter + page: total counts all matches',
		total => scalar @pend, limit => 2, offset => 1);
}

# --- bad parameters -------------------------------------------------------------------------------
for my $q (
	[limit => 0], [limit => 1001], [limit => 'abc'], [limit => -1], [limit => ''], [limit => '1.5'], [limit => '10abc'],
	[offset => -1], [offset => 'abc'], [offset => '2.5'],
	[sort => 'foo'], [sort => 'id'], [sort => '+title'], [sort => 'title,due_date'], [sort => ''], [sort => '--title'],
	[status => 'done'], [status => 'all'], [priority => 'urgent'], [priority => 'none'],
	[overdue => 'yes'], [overdue => '1'], [overdue => 'maybe'],
	[due_before => 'garbage'], [due_before => '2099-13-45'], [due_before => '2099-02-01T10:00:00'],
	[due_after => 'garbage'], [due_after => '2099-02-30'], [due_after => 'tomorrow'],
) {
	my $name = "bad parameter $q->[0]=$q->[1]";
	error_ok(list_tasks($u, @$q), 400, 'bad_request', $name);
}
# an offset beyond any integer: refused or an empty page, never a 500
{
	my $r = list_tasks($u, offset => '99999999999999999999');
	ok($r->{status} == 200 || $r->{status} == 400, "offset=99999999999999999999: 200 or 400 (got $r->{status})") or diag($r->{raw});
	envelope_ok($r, $r->{status}, 'offset=99999999999999999999');
}
# one bad parameter among good ones is still refused
error_ok(list_tasks($u, status => 'pending', limit => 5, sort => 'nope'), 400, 'bad_request', 'good parameters plus a bad sort');

# --- Unicode-aware q, and query strings that cannot be decoded -------------------------------------
{
	my $w = new_user(label => 'listu');
	my $ete = create_task_ok($w, title => 'Été à Paris', description => 'Ünïcödé ÖL');
	create_task_ok($w, title => 'winter');
	for my $q ('ÉTÉ', 'été', 'Été', 'öl', 'ÜNÏCÖDÉ', 'À PARIS') {
		my $r = list_tasks($w, q => $q);
		envelope_ok($r, 200, "q=$q");
		is_deeply([map { $_->{id} } @{ $r->{json}{data} || [] }], [$ete->{id}], "q=$q matches case-insensitively (Unicode)");
	}
	# malformed percent-encoding or bytes that are not UTF-8: a malformed query parameter
	for my $raw ('q=%C3%28', 'q=%FF', 'tag=%E9t%E9', 'limit=%') {
		error_ok(req('GET', "/api/$w->{id}/tasks?$raw", auth($w)), 400, 'bad_request', "query string $raw");
	}
	# a '%' without two hex digits: taken literally (as browsers do) or refused, never a 500
	my $r = req('GET', "/api/$w->{id}/tasks?q=%ZZ", auth($w));
	ok($r->{status} == 200 || $r->{status} == 400, "q=%ZZ: 200 or 400 (got $r->{status})");
	envelope_ok($r, $r->{status}, 'q=%ZZ');
	# a NUL character cannot match anything and cannot reach PostgreSQL text: 200 or 400, never 500
	$r = req('GET', "/api/$w->{id}/tasks?q=a%00b", auth($w));
	ok($r->{status} == 200 || $r->{status} == 400, "q with a NUL character: 200 or 400 (got $r->{status})") or diag($r->{raw});
	envelope_ok($r, $r->{status}, 'q with a NUL character');
	# '+' is a literal plus sign or a space, but never an error
	$r = req('GET', "/api/$w->{id}/tasks?q=%C3%A0+paris", auth($w));
	envelope_ok($r, 200, 'q with a +');
}

# --- another user's list is empty; the fixture does not leak ---------------------------------------
my $w = new_user(label => 'list');
my $r = list_tasks($w);
envelope_ok($r, 200, 'a new user\'s list');
is_deeply($r->{json}{data}, [], 'a new user has no tasks');
is($r->{json}{meta}{total}, 0, 'a new user: total 0');

done_testing;
