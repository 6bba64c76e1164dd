#!/usr/bin/perl
# Task create / get / update / delete and every input rule of the contract.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use E2E;
binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);

my @TASK_KEYS = qw(id user_id title description status completed priority due_date tags
	recursion_pattern completed_at created_at updated_at);

my $u = new_user(label => 'task');
my $v = new_user(label => 'task');
my $base = "/api/$u->{id}/tasks";

sub task_shape_ok {
	my ($t, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	return ok(0, "$name: task is an object") unless ref $t eq 'HASH';
	my @missing = grep { !exists $t->{$_} } @TASK_KEYS;
	ok(!@missing, "$name: task has all fields") or diag("missing: @missing");
	ok(is_uuid($t->{id}), "$name: id is a UUID");
	is($t->{user_id}, $u->{id}, "$name: user_id is the owner");
	ok(is_ts($t->{created_at}) && is_ts($t->{updated_at}), "$name: created_at/updated_at RFC 3339 UTC");
	ok(is_jbool($t->{completed}), "$name: completed is a boolean");
	is(jtrue($t->{completed}) ? 'completed' : 'pending', $t->{status}, "$name: completed agrees with status");
	is(ref $t->{tags}, 'ARRAY', "$name: tags is an array");
}

# create expecting 422 naming $field
sub refused {
	my ($fields, $field, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $r = req('POST', $base, auth($u), json => $fields);
	error_ok($r, 422, 'validation_failed', $name);
	has_detail($r, $field, $name);
	return $r;
}
# create expecting 201; returns the task
sub accepted {
	my ($fields, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $r = req('POST', $base, auth($u), json => $fields);
	envelope_ok($r, 201, $name);
	return $r->{json}{data} || {};
}
sub put {
	my ($id, $fields) = @_;
	return req('PUT', "$base/$id", auth($u), json => $fields);
}

# --- create with defaults --------------------------------------------------------------
my $r = req('POST', $base, auth($u), json => { title => 'Buy milk' });
envelope_ok($r, 201, 'create minimal');
my $t = $r->{json}{data};
task_shape_ok($t, 'create minimal');
like(header($r, 'location') // '', qr{^(https?://[^/]+)?\Q/api/$u->{id}/tasks/$t->{id}\E$}, 'create: Location /api/{user_id}/tasks/{id}');
is($t->{title}, 'Buy milk', 'title');
is($t->{priority}, 'medium', 'default priority medium');
is($t->{status}, 'pending', 'default status pending');
ok(jfalse($t->{completed}), 'default completed false');
ok(exists $t->{description} && !defined $t->{description}, 'description absent on create is null');
is_deeply($t->{tags}, [], 'default tags []');
ok(exists $t->{due_date} && !defined $t->{due_date}, 'default due_date null');
ok(exists $t->{recursion_pattern} && !defined $t->{recursion_pattern}, 'default recursion_pattern null');
ok(exists $t->{completed_at} && !defined $t->{completed_at}, 'completed_at null when pending');

$r = get_task($u, $t->{id});
envelope_ok($r, 200, 'get');
is_deeply($r->{json}{data}, $t, 'get returns the created task');

# full create
$r = req('POST', $base, auth($u), json => {
	title => 'Full', description => 'All the fields', priority => 'high', due_date => '2099-06-15T12:30:00+02:00',
	tags => ['Work', ' Home '], recursion_pattern => 'weekly' });
envelope_ok($r, 201, 'create with every field');
my $full = $r->{json}{data};
task_shape_ok($full, 'create full');
is($full->{description}, 'All the fields', 'description');
is($full->{priority}, 'high', 'priority');
is($full->{due_date}, '2099-06-15T10:30:00Z', 'due_date with offset returned in UTC with Z');
is_deeply($full->{tags}, ['work', 'home'], 'tags trimmed and lowercased');
is($full->{recursion_pattern}, 'weekly', 'recursion_pattern');

# --- title -----------------------------------------------------------------------------
refused({ description => 'no title' }, 'title', 'title missing');
refused({ title => undef }, 'title', 'title null');
refused({ title => '' }, 'title', 'title empty');
refused({ title => "  \t " }, 'title', 'title only whitespace');
refused({ title => 42 }, 'title', 'title a number');
refused({ title => ['x'] }, 'title', 'title an array');
refused({ title => 'x' x 201 }, 'title', 'title of 201 characters');
is(accepted({ title => '  padded title  ' }, 'title with spaces')->{title}, 'padded title', 'title trimmed');
is(length(accepted({ title => 'x' x 200 }, 'title of 200 characters')->{title}), 200, 'title of 200 characters kept whole');
is(accepted({ title => 'é' x 200 }, 'title of 200 two-byte characters')->{title}, 'é' x 200, 'title length counts characters');
is(accepted({ title => '   ' . 'y' x 200 . '   ' }, 'title of 200 characters plus padding')->{title}, 'y' x 200, 'title length counted after trimming');

# text round-trips exactly: quotes, backslashes, markup, control characters, 4-byte UTF-8
{
	my $title = qq{Quote " back\\slash <b>&amp; 📝 日本語 \x{202E}rtl};
	my $desc = "line 1\nline 2\ttab\r\n\x{1F600} \\u0041 '; --";
	my $x = accepted({ title => $title, description => $desc }, 'special characters');
	is($x->{title}, $title, 'title round-trips exactly');
	is($x->{description}, $desc, 'description round-trips exactly');
	is_deeply(get_task($u, $x->{id})->{json}{data}, $x, 'GET returns the same text');
	is(accepted({ title => '📝' x 200 }, 'title of 200 emoji')->{title}, '📝' x 200, 'an emoji (4 bytes) counts as one character');
	refused({ title => '📝' x 201 }, 'title', 'title of 201 emoji');
}

# --- description -------------------------------------------------------------------------
is(length(accepted({ title => 'd', description => 'd' x 10000 }, 'description of 10,000')->{description}), 10000, 'description of 10,000 kept');
refused({ title => 'd', description => 'd' x 10001 }, 'description', 'description of 10,001');
is(accepted({ title => 'd', description => 'ü' x 10000 }, 'description of 10,000 two-byte characters')->{description}, 'ü' x 10000,
	'description length counts characters');
refused({ title => 'd', description => 17 }, 'description', 'description a number');
{
	my $x = accepted({ title => 'd', description => undef }, 'description null');
	ok(exists $x->{description} && !defined $x->{description}, 'description null stays null');
}

# --- priority ------------------------------------------------------------------------------
is(accepted({ title => 'p', priority => 'HIGH' }, 'priority HIGH')->{priority}, 'high', 'priority HIGH returned lowercase');
is(accepted({ title => 'p', priority => 'Low' }, 'priority Low')->{priority}, 'low', 'priority Low returned lowercase');
is(accepted({ title => 'p', priority => 'mEdIuM' }, 'priority mEdIuM')->{priority}, 'medium', 'priority mEdIuM returned lowercase');
refused({ title => 'p', priority => 'urgent' }, 'priority', 'priority urgent');
refused({ title => 'p', priority => '' }, 'priority', 'priority empty');
refused({ title => 'p', priority => 2 }, 'priority', 'priority a number');

# --- due_date ------------------------------------------------------------------------------
is(accepted({ title => 'due', due_date => '2099-06-15' }, 'due_date as a date')->{due_date}, '2099-06-15T00:00:00Z', 'date means midnight UTC');
is(accepted({ title => 'due', due_date => '2099-06-15T01:00:00+05:00' }, 'due_date +05:00')->{due_date}, '2099-06-14T20:00:00Z',
	'offset converted to UTC (across the date)');
is(accepted({ title => 'due', due_date => '2099-06-15T22:00:00-03:30' }, 'due_date -03:30')->{due_date}, '2099-06-16T01:30:00Z',
	'negative offset converted to UTC');
is(accepted({ title => 'due', due_date => '2099-06-15T08:09:10Z' }, 'due_date with Z')->{due_date}, '2099-06-15T08:09:10Z', 'Z kept');
{
	my $d0 = today_utc();
	my $x = req('POST', $base, auth($u), json => { title => 'today', due_date => $d0 });
	my $d1 = today_utc();
	SKIP: {
		skip 'UTC midnight passed during the request', 2 if $d0 ne $d1;
		envelope_ok($x, 201, "due_date today ($d0)");
		is($x->{json}{data}{due_date}, "${d0}T00:00:00Z", 'today at midnight UTC');
	}
}
{
	my $y = date_plus_days(-1);
	refused({ title => 'past', due_date => $y }, 'due_date', "due_date yesterday ($y) on create");
}
refused({ title => 'past', due_date => '2000-01-01T00:00:00Z' }, 'due_date', 'due_date long past on create');
refused({ title => 'past', due_date => '2020-05-05' }, 'due_date', 'past date on create');
refused({ title => 'noofs', due_date => '2099-12-01T10:00:00' }, 'due_date', 'timestamp without offset');
refused({ title => 'bad', due_date => 'garbage' }, 'due_date', 'garbage due_date');
refused({ title => 'bad', due_date => '2099-13-45' }, 'due_date', 'impossible date');
refused({ title => 'bad', due_date => '2099-02-30' }, 'due_date', 'February 30th');
refused({ title => 'bad', due_date => '2099-06-15T25:00:00Z' }, 'due_date', 'hour 25');
refused({ title => 'bad', due_date => 'tomorrow' }, 'due_date', 'a word PostgreSQL would parse');
refused({ title => 'bad', due_date => 4102444800 }, 'due_date', 'epoch number');
refused({ title => 'bad', due_date => '' }, 'due_date', 'empty due_date');
refused({ title => 'bad', due_date => 'infinity' }, 'due_date', 'infinity');
refused({ title => 'bad', due_date => 'now' }, 'due_date', 'now');
refused({ title => 'bad', due_date => '2099-06-15T10:00:00 +02:00' }, 'due_date', 'space before the offset');
refused({ title => 'bad', due_date => '2099-06-15T10:00+02:00' }, 'due_date', 'no seconds');
refused({ title => 'bad', due_date => '15/06/2099' }, 'due_date', 'DD/MM/YYYY');
refused({ title => 'bad', due_date => { date => '2099-06-15' } }, 'due_date', 'an object');
is(accepted({ title => 'due', due_date => '2099-06-15T08:09:10+00:00' }, 'due_date +00:00')->{due_date}, '2099-06-15T08:09:10Z', '+00:00 returned as Z');
{
	my $x = accepted({ title => 'due', due_date => '2099-06-15T08:09:10.250+01:00' }, 'due_date with fractional seconds');
	ok(is_ts($x->{due_date}) && abs((ts_epoch($x->{due_date}) // 0) - (ts_epoch('2099-06-15T07:09:10Z') + 0.25)) < 0.001,
		'fractional seconds kept, in UTC with Z') or diag($x->{due_date});
}

# --- tags ------------------------------------------------------------------------------------
is_deeply(accepted({ title => 'tg', tags => 'a, B ,c' }, 'tags as a comma string')->{tags}, [qw(a b c)], 'comma string split, trimmed, lowercased');
is_deeply(accepted({ title => 'tg', tags => ['ÉTÉ'] }, 'tags ÉTÉ')->{tags}, ['été'], 'Unicode lowercasing: ÉTÉ -> été');
is_deeply(accepted({ title => 'tg', tags => ['ÄÖÜ'] }, 'tags ÄÖÜ')->{tags}, ['äöü'], 'Unicode lowercasing: ÄÖÜ -> äöü');
is_deeply(accepted({ title => 'tg', tags => ['abcdefghij', 'éééééééééé'] }, 'tags of 10 characters')->{tags},
	['abcdefghij', 'éééééééééé'], 'tags of 10 characters (multibyte counted as characters)');
is_deeply(accepted({ title => 'tg', tags => ['b', 'A', 'a', 'B', 'c', ' b '] }, 'duplicate tags')->{tags}, [qw(b a c)],
	'duplicates collapse, first occurrence order kept');
is_deeply(accepted({ title => 'tg', tags => [] }, 'empty tags')->{tags}, [], 'tags []');
is_deeply(accepted({ title => 'tg', tags => ['with-dash', 'under_sc', 'dot.x', '#hash'] }, 'tags with punctuation')->{tags},
	['with-dash', 'under_sc', 'dot.x', '#hash'], 'punctuation other than comma is fine');
{
	my @t20 = map { "t$_" } 1 .. 20;
	is(scalar @{ accepted({ title => 'tg', tags => \@t20 }, '20 tags')->{tags} || [] }, 20, '20 tags accepted');
	refused({ title => 'tg', tags => [@t20, 't21'] }, qr/^tags/, '21 distinct tags');
	my $x = accepted({ title => 'tg', tags => [@t20, 'T1'] }, '21 tags collapsing to 20');
	is_deeply($x->{tags}, \@t20, '21 tags with a duplicate collapse to 20');
	$x = accepted({ title => 'tg', tags => [map { ($_, uc $_) } @t20] }, '40 tags collapsing to 20');
	is_deeply($x->{tags}, \@t20, '40 tags collapsing by case to 20');
}
sub tag_refused {
	my ($tags, $culprit, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $x = refused({ title => 'tg', tags => $tags }, qr/^tags/, $name);
	my @d = grep { ref eq 'HASH' && ($_->{field} // '') =~ /^tags/ } @{ $x->{json}{error}{details} || [] };
	# a control character may be named escaped (\u0009), never raw
	(my $escaped = $culprit) =~ s/([\x00-\x1f\x7f-\x9f])/sprintf('\\u%04X', ord $1)/ge;
	ok((grep { index(($_->{message} // '') . ' ' . ($_->{field} // ''), $culprit) >= 0
		|| index($_->{message} // '', $escaped) >= 0 || ($_->{field} // '') =~ /\[\d+\]/
		|| ($_->{message} // '') =~ /\b(tag|item|element|position|index)\s*(#|no\.?\s*)?\d+/i } @d),
		"$name: the detail names the tag") or diag(encode_json_utf8(\@d));
	ok(!(grep { ($_->{message} // '') =~ /[\x00-\x1f\x7f-\x9f]/ } @d), "$name: no raw control character in the message")
		if $culprit =~ /[\x00-\x1f\x7f-\x9f]/;
}
tag_refused(['ok', 'abcdefghijk'], 'abcdefghijk', 'tag of 11 characters');
tag_refused(['ok', 'ééééééééééé'], 'ééééééééééé', 'tag of 11 two-byte characters');
tag_refused(['has space'], 'has space', 'tag with a space inside');
tag_refused(["tab\there"], "tab\there", 'tag with a tab inside');
tag_refused(["nb\x{a0}sp"], "nb\x{a0}sp", 'tag with a no-break space inside');
tag_refused(['a,b'], 'a,b', 'tag with a comma (array form)');
tag_refused(["ctl\x01x"], "ctl\x01x", 'tag with a control character');
tag_refused(['ok', ''], '', 'empty tag');
tag_refused(['ok', '   '], '', 'blank tag');
refused({ title => 'tg', tags => [1, 2] }, qr/^tags/, 'tags of numbers');
refused({ title => 'tg', tags => { a => 1 } }, qr/^tags/, 'tags an object');
refused({ title => 'tg', tags => 'abcdefghijklmno' }, qr/^tags/, 'comma string with an 11+ character tag');
refused({ title => 'tg', tags => join(',', map { "s$_" } 1 .. 21) }, qr/^tags/, 'comma string of 21 tags');

# --- recursion_pattern ------------------------------------------------------------------------
for my $p ('daily', 'weekly', 'monthly', 'yearly', 'every 3 days', 'every 1 days', 'every 2 weeks', 'every 6 months',
	'every 10 years', 'every 365 days', 'every 365 years') {
	is(accepted({ title => 'rp', recursion_pattern => $p }, "recursion_pattern '$p'")->{recursion_pattern}, $p, "recursion_pattern '$p' stored");
}
for my $p ('every 366 days', 'every 0 days', 'every -1 days', 'every days', 'every 3 fortnights', 'hourly', 'every 3', '3 days',
	'every 1.5 days', '', 'every 3 days please') {
	refused({ title => 'rp', recursion_pattern => $p }, 'recursion_pattern', "recursion_pattern '$p'");
}
refused({ title => 'rp', recursion_pattern => 7 }, 'recursion_pattern', 'recursion_pattern a number');

# --- unknown and read-only fields ----------------------------------------------------------
refused({ title => 'u', foo => 1 }, 'foo', 'unknown field foo');
refused({ title => 'u', Title => 'x' }, 'Title', 'unknown field Title (case matters)');
refused({ title => 'u', due => '2099-01-01' }, 'due', 'unknown field due');
my %ro = (id => '00000000-0000-4000-8000-000000000001', user_id => $u->{id}, created_at => '2099-01-01T00:00:00Z',
	updated_at => '2099-01-01T00:00:00Z', completed_at => '2099-01-01T00:00:00Z');
refused({ title => 'ro', $_ => $ro{$_} }, $_, "read-only $_ on create") for sort keys %ro;

# --- status / completed on create ---------------------------------------------------------
{
	my $x = accepted({ title => 'done already', status => 'completed' }, 'create with status completed');
	is($x->{status}, 'completed', 'status completed');
	ok(jtrue($x->{completed}), 'completed true');
	ok(is_ts($x->{completed_at}), 'completed_at set');
	$x = accepted({ title => 'done already', completed => JSON::PP::true }, 'create with completed true');
	is($x->{status}, 'completed', 'completed true -> status completed');
	ok(is_ts($x->{completed_at}), 'completed true -> completed_at set');
	$x = accepted({ title => 'pending', completed => JSON::PP::false }, 'create with completed false');
	is($x->{status}, 'pending', 'completed false -> pending');
	$x = accepted({ title => 'pending', status => 'pending' }, 'create with status pending');
	ok(jfalse($x->{completed}), 'status pending -> completed false');
	refused({ title => 's', status => 'done' }, 'status', 'status done');
	refused({ title => 's', completed => 'yes' }, 'completed', 'completed a string');
	refused({ title => 's', completed => 1 }, 'completed', 'completed a number');
}

# several errors at once: each field named
$r = refused({ title => '', priority => 'x', due_date => 'y', recursion_pattern => 'z', bogus => 1 }, 'title', 'five bad fields');
has_detail($r, $_, 'five bad fields') for qw(priority due_date recursion_pattern bogus);

# --- update ------------------------------------------------------------------------------------
my $orig = accepted({ title => 'orig', description => 'desc', priority => 'low', due_date => '2099-01-01',
	tags => ['a', 'b'], recursion_pattern => 'weekly' }, 'create for update');
sleep 1.1;    # so that updated_at differs even at one-second resolution
$r = put($orig->{id}, { priority => 'HIGH' });
envelope_ok($r, 200, 'PUT priority only');
my $up = $r->{json}{data};
task_shape_ok($up, 'PUT');
is($up->{priority}, 'high', 'PUT: priority changed (lowercased)');
is($up->{$_}, $orig->{$_}, "PUT: $_ kept") for qw(id title description due_date recursion_pattern status created_at);
is_deeply($up->{tags}, $orig->{tags}, 'PUT: tags kept');
isnt($up->{updated_at}, $orig->{updated_at}, 'PUT: updated_at changed');
cmp_ok(ts_epoch($up->{updated_at}) // 0, '>', ts_epoch($orig->{updated_at}) // 0, 'PUT: updated_at moved forward');
is_deeply(get_task($u, $orig->{id})->{json}{data}, $up, 'GET after PUT returns the updated task');

sleep 1.1;
$r = put($orig->{id}, { title => 'orig' });
envelope_ok($r, 200, 'PUT same title');
cmp_ok(ts_epoch($r->{json}{data}{updated_at}) // 0, '>', ts_epoch($up->{updated_at}) // 0, 'updated_at changes on every update');

$r = put($orig->{id}, { title => '  renamed  ', tags => 'x, Y', due_date => '2099-02-03T04:05:06+01:00' });
envelope_ok($r, 200, 'PUT title, tags string, due_date');
is($r->{json}{data}{title}, 'renamed', 'PUT: title trimmed');
is_deeply($r->{json}{data}{tags}, ['x', 'y'], 'PUT: tags as a comma string');
is($r->{json}{data}{due_date}, '2099-02-03T03:05:06Z', 'PUT: due_date in UTC');

$r = put($orig->{id}, { description => undef, due_date => undef, recursion_pattern => undef });
envelope_ok($r, 200, 'PUT nulls');
ok(!defined $r->{json}{data}{$_}, "PUT: null clears $_") for qw(description due_date recursion_pattern);
is($r->{json}{data}{title}, 'renamed', 'PUT nulls: title kept');
is($r->{json}{data}{priority}, 'high', 'PUT nulls: priority kept');

$r = put($orig->{id}, { tags => [] });
is_deeply($r->{json}{data}{tags}, [], 'PUT: tags [] clears tags');

{
	my $y = date_plus_days(-1);
	$r = put($orig->{id}, { due_date => $y });
	envelope_ok($r, 200, "PUT due_date yesterday ($y)");
	is($r->{json}{data}{due_date}, "${y}T00:00:00Z", 'PUT: a past due date is allowed on update');
	$r = put($orig->{id}, { due_date => '1999-12-31T23:00:00-01:00' });
	is($r->{json}{data}{due_date}, '2000-01-01T00:00:00Z', 'PUT: a long-past timestamp is allowed on update');
}

# completion through PUT
$r = put($orig->{id}, { status => 'completed' });
envelope_ok($r, 200, 'PUT status completed');
ok(jtrue($r->{json}{data}{completed}), 'PUT status completed: completed true');
ok(is_ts($r->{json}{data}{completed_at}), 'PUT status completed: completed_at set');
$r = put($orig->{id}, { completed => JSON::PP::false });
envelope_ok($r, 200, 'PUT completed false');
is($r->{json}{data}{status}, 'pending', 'PUT completed false: pending');
ok(!defined $r->{json}{data}{completed_at}, 'PUT completed false: completed_at cleared');
$r = put($orig->{id}, { completed => JSON::PP::true });
is($r->{json}{data}{status}, 'completed', 'PUT completed true: status completed');
ok(is_ts($r->{json}{data}{completed_at}), 'PUT completed true: completed_at set');
$r = put($orig->{id}, { status => 'pending' });
ok(jfalse($r->{json}{data}{completed}) && !defined $r->{json}{data}{completed_at}, 'PUT status pending: reopened, completed_at cleared');

# invalid updates change nothing
my $before = get_task($u, $orig->{id})->{json}{data};
for my $case (
	[{ title => '' }, 'title', 'PUT empty title'],
	[{ title => undef }, 'title', 'PUT null title'],
	[{ title => 'z' x 201 }, 'title', 'PUT 201-character title'],
	[{ priority => 'urgent' }, 'priority', 'PUT bad priority'],
	[{ due_date => '2099-12-01T10:00:00' }, 'due_date', 'PUT timestamp without offset'],
	[{ tags => ['abcdefghijk'] }, qr/^tags/, 'PUT 11-character tag'],
	[{ recursion_pattern => 'every 366 days' }, 'recursion_pattern', 'PUT every 366 days'],
	[{ status => 'done' }, 'status', 'PUT bad status'],
	[{ foo => 'bar' }, 'foo', 'PUT unknown field'],
	(map { [{ $_ => $ro{$_} }, $_, "PUT read-only $_"] } sort keys %ro),
	[{ title => 'changed', priority => 'urgent' }, 'priority', 'PUT one good and one bad field'],
) {
	my ($body, $field, $name) = @$case;
	$r = put($orig->{id}, $body);
	error_ok($r, 422, 'validation_failed', $name);
	has_detail($r, $field, $name);
}
is_deeply(get_task($u, $orig->{id})->{json}{data}, $before, 'refused updates left the task unchanged');

# --- delete ---------------------------------------------------------------------------------------
my $del = accepted({ title => 'to delete' }, 'create for delete');
no_content_ok(req('DELETE', "$base/$del->{id}", auth($u)), 'DELETE');
error_ok(get_task($u, $del->{id}), 404, 'not_found', 'GET deleted task');
error_ok(req('DELETE', "$base/$del->{id}", auth($u)), 404, 'not_found', 'DELETE twice');
error_ok(put($del->{id}, { title => 'zombie' }), 404, 'not_found', 'PUT deleted task');
error_ok(req('PATCH', "$base/$del->{id}/complete", auth($u)), 404, 'not_found', 'PATCH deleted task');

# --- malformed and foreign ids: 404 ---------------------------------------------------------------
my $unknown = get_task($u, '00000000-0000-4000-8000-0000000000ff');
error_ok($unknown, 404, 'not_found', 'unknown UUID');
for my $bad ('not-a-uuid', '123', '00000000-0000-4000-8000-00000000000g', '00000000000040008000000000000000000',
	'%20', 'null', "$t->{id}x", '%FF', '%00', "%00$t->{id}", '%C3%28', "'%20OR%201=1") {
	error_ok(get_task($u, $bad), 404, 'not_found', "GET malformed id '$bad'");
	error_ok(put($bad, { title => 'x' }), 404, 'not_found', "PUT malformed id '$bad'");
	error_ok(req('DELETE', "$base/$bad", auth($u)), 404, 'not_found', "DELETE malformed id '$bad'");
	error_ok(req('PATCH', "$base/$bad/complete", auth($u)), 404, 'not_found', "PATCH malformed id '$bad'");
}
{
	my $vt = create_task_ok($v, title => "v's task");
	my $x = get_task($u, $vt->{id});
	error_ok($x, 404, 'not_found', "another user's task id on my path");
	is_deeply($x->{json}{error}, $unknown->{json}{error}, "another user's task: same error as a task that does not exist");
	error_ok(put($vt->{id}, { title => 'mine now' }), 404, 'not_found', "PUT another user's task id");
	error_ok(req('DELETE', "$base/$vt->{id}", auth($u)), 404, 'not_found', "DELETE another user's task id");
	is(get_task($v, $vt->{id})->{json}{data}{title}, "v's task", "another user's task untouched");
}

done_testing;
