#!/usr/bin/env bash
# test/suites/biglist.sh - large lists are streamed (issue 11; docs/sql-api.md, "The
# streamed list"): the list of 5,000 tasks is the bytes of the list as one value
# (api.task_list's data and meta in the envelope), filtered too, and a short list is sent in
# one piece with its Content-Length; a list of 40 MB (4,000
# tasks of 10,000-character descriptions) is a 200, chunked, read by four clients at once
# while the gateway's memory grows by far less than one list; a client that goes away
# mid-list, or reads too slowly (STREAM_TIMEOUT), has its database connection closed: the
# transaction ends, nothing is left on the server, and the gateway answers on; a session
# that ends mid-list cuts the body before its closing.
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

# a short STREAM_TIMEOUT for the slow client below; the other lists take well under it
suite_gateway biglist STREAM_TIMEOUT=8
db=todo_biglist

# --- 5,000 tasks: the streamed list is the list as one value, byte for byte -----------------
psql -X -q -v ON_ERROR_STOP=1 -d $db -v uid="$uid" >"$work/insert.log" 2>&1 <<-'EOF2'
	INSERT INTO todo.tasks (user_id, title, description, priority, status, due_date, tags, recursion_pattern, created_at)
	SELECT :'uid', 'task ' || i || CASE i % 5 WHEN 0 THEN ' "quoted" \ back' WHEN 1 THEN ' été ✓' ELSE '' END,
		CASE WHEN i % 3 = 0 THEN NULL ELSE 'description ' || i || E'\ttab' END,
		(ARRAY['low', 'medium', 'high'])[1 + i % 3]::todo.task_priority,
		CASE WHEN i % 4 = 0 THEN 'completed' ELSE 'pending' END::todo.task_status,
		CASE WHEN i % 2 = 0 THEN NULL ELSE now() + i * interval '1 hour' END,
		CASE WHEN i % 7 = 0 THEN '{}' ELSE ARRAY['t' || (i % 7), 'work'] END,
		CASE WHEN i % 11 = 0 THEN 'weekly' END,
		now() - (i % 1000) * interval '1 minute'
	FROM generate_series(1, 5000) AS i;
EOF2
is "$?" 0 "5,000 tasks inserted"

# the envelope around api.task_list's one value, as response_envelope() writes it
whole_list() { # params-json
	psql -X -q -At -v ON_ERROR_STOP=1 -d $db -v tok="$token" -v uid="$uid" -v params="$1" <<-'EOF2'
		BEGIN;
		SET LOCAL ROLE todo_user;
		SELECT set_config('app.token', :'tok', true), set_config('app.user_id', :'uid', true) \g /dev/null
		SELECT '{"status":200,"data":' || data::text || ',"meta":' || meta::text || ',"error":null}'
		FROM api.task_list(:'params');
		COMMIT;
	EOF2
}
same_bytes() { # query params-json description
	local code
	code=$(curl -s -D "$work/headers" -o "$work/streamed.json" --max-time 120 -w '%{http_code}' \
		"$gw_url/api/$uid/tasks$1" -H "Authorization: Bearer $token")
	is "$code" 200 "$3: 200"
	whole_list "$2" | head -c -1 >"$work/whole.json"
	if cmp -s "$work/streamed.json" "$work/whole.json"; then
		ok "$3: the streamed body is the list as one value, byte for byte ($(wc -c <"$work/whole.json") bytes)"
	else
		not_ok "$3: the streamed body is the list as one value, byte for byte" \
			"$(cmp "$work/streamed.json" "$work/whole.json" 2>&1; head -c 300 "$work/streamed.json"; echo; head -c 300 "$work/whole.json")"
	fi
}
same_bytes "" '{}' "the list of 5,000 tasks"
is "$(jq '.data | length' "$work/streamed.json") $(jq -c .meta "$work/streamed.json")" \
	'5000 {"total":5000,"limit":null,"offset":0}' "the list of 5,000 tasks: every task, the total"
headers=$(tr -d '\r' <"$work/headers")
like "$headers" "[Tt]ransfer-[Ee]ncoding: chunked" "the list is sent chunked"
unlike "$headers" "[Cc]ontent-[Ll]ength:" "without Content-Length (not known before the end)"
like "$headers" "[Cc]ontent-[Tt]ype: application/json" "as application/json"
like "$headers" "[Xx]-[Rr]equest-[Ii]d: " "with its X-Request-Id"
same_bytes "?tag=work&sort=title&offset=10" '{"tag": ["work"], "sort": ["title"], "offset": ["10"]}' \
	"a filtered, sorted list of 4,286 tasks"
same_bytes "?q=zzz" '{"q": ["zzz"]}' "an empty list"
# a list that fits in one block (32 kB) is read ahead whole and answered in one piece
same_bytes "?limit=20&sort=title" '{"limit": ["20"], "sort": ["title"]}' "a page of 20 tasks"
headers=$(tr -d '\r' <"$work/headers")
like "$headers" "[Cc]ontent-[Ll]ength: $(wc -c <"$work/streamed.json")" "a short list is sent with its Content-Length"
unlike "$headers" "[Tt]ransfer-[Ee]ncoding: chunked" "not chunked"
head_length=$(curl -s -I --max-time 30 "$gw_url/api/$uid/tasks?limit=20&sort=title" -H "Authorization: Bearer $token" |
	tr -d '\r' | awk 'tolower($1) == "content-length:" { print $2 }')
is "$head_length" "$(wc -c <"$work/streamed.json")" "HEAD on a short list: the Content-Length of its GET"
# a body of exactly one block (32,768 bytes) is still whole: the closing that fills the
# block's last byte ends the stream there
reg=$(curl -s --max-time 30 -X POST "$gw_url/api/auth/register" -H 'Content-Type: application/json' \
	-d '{"username":"block_lister","email":"block_lister@example.com","password":"pw-block-lister"}')
uid3=$(jq -r .data.user.id <<<"$reg")
token3=$(jq -r .data.access_token <<<"$reg")
psql -X -q -v ON_ERROR_STOP=1 -d $db -v uid="$uid3" >>"$work/insert.log" 2>&1 <<-'EOF2'
	INSERT INTO todo.tasks (user_id, title, description, created_at)
	SELECT :'uid', 'block ' || i, repeat('b', CASE WHEN i < 4 THEN 10000 ELSE 1 END), now() - i * interval '1 minute'
	FROM generate_series(1, 4) AS i;
EOF2
block_list() { # the list's body as the database gives it
	uid=$uid3 token=$token3 whole_list '{}' | head -c -1
}
# the last task's description makes up the difference; each update stamps updated_at anew,
# whose fraction of a second may be a digit shorter or longer, so measure and adjust again
for _ in 1 2 3 4 5; do
	block_list >"$work/block.json"
	[ "$(wc -c <"$work/block.json")" = 32768 ] && break
	psql -X -q -v ON_ERROR_STOP=1 -d $db -v uid="$uid3" -v d="$((32768 - $(wc -c <"$work/block.json")))" \
		>>"$work/insert.log" 2>&1 <<-'EOF2'
		UPDATE todo.tasks SET description = repeat('b', length(description) + :d)
		WHERE user_id = :'uid' AND title = 'block 4';
	EOF2
done
is "$(wc -c <"$work/block.json")" 32768 "a list whose body is exactly 32,768 bytes"
code=$(curl -s -D "$work/headers" -o "$work/streamed.json" --max-time 30 -w '%{http_code}' \
	"$gw_url/api/$uid3/tasks" -H "Authorization: Bearer $token3")
headers=$(tr -d '\r' <"$work/headers")
if [ "$code" = 200 ] && cmp -s "$work/streamed.json" "$work/block.json"; then
	ok "the list of exactly one block: 200, the list as one value, byte for byte"
else
	not_ok "the list of exactly one block: 200, the list as one value, byte for byte" "$code $(cmp "$work/streamed.json" "$work/block.json" 2>&1)"
fi
like "$headers" "[Cc]ontent-[Ll]ength: 32768" "the list of exactly one block is sent whole, with its Content-Length"
# HEAD on a long list: its read-ahead is dropped and the connection closed, as a client
# gone before the body (not a stream cut short)
curl -s -I --max-time 60 -o /dev/null "$gw_url/api/$uid/tasks" -H "Authorization: Bearer $token"
sleep 0.5
like "$(cat "$work/biglist.out" "$work/biglist.err" 2>/dev/null)" "the body was not asked for" \
	"HEAD on a long list: logged as a body not asked for"

# errors come before the first byte, with their status
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$gw_url/api/$uid/tasks" -H 'Authorization: Bearer x.y.z')" \
	401 "a bad token: 401, as before"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$gw_url/api/$uid/tasks?limit=0" -H "Authorization: Bearer $token")" \
	400 "a bad parameter: 400, as before"

# --- 40 MB: streamed in bounded memory ----------------------------------------------------------
reg=$(curl -s --max-time 30 -X POST "$gw_url/api/auth/register" -H 'Content-Type: application/json' \
	-d '{"username":"big_lister","email":"big_lister@example.com","password":"pw-big-lister"}')
uid2=$(jq -r .data.user.id <<<"$reg")
token2=$(jq -r .data.access_token <<<"$reg")
psql -X -q -v ON_ERROR_STOP=1 -d $db -v uid="$uid2" >>"$work/insert.log" 2>&1 <<-'EOF2'
	INSERT INTO todo.tasks (user_id, title, description)
	SELECT :'uid', 'task ' || i, repeat('d', 10000) FROM generate_series(1, 4000) AS i;
EOF2
is "$?" 0 "4,000 tasks of 10,000 characters inserted (40 MB of descriptions)"

# memory is measured on the gateway as built for production: AddressSanitizer's quarantine
# keeps freed memory (256 MB) and would measure itself
asan_url=$gw_url
asan_pid=$gw_pid
gateway_bin=$top/gateway/todo-gateway gateway_start biglist_rss DATABASE_URL="$(database_url $db)" ||
	not_ok "the production gateway starts" "$(tail -5 "$work/biglist_rss.err")"
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$gw_pid/status"; }
before=$(hwm_kb)
clients=()
for i in 1 2 3 4; do
	curl -s -o "$work/big$i.json" --max-time 300 -w '%{http_code}' "$gw_url/api/$uid2/tasks" \
		-H "Authorization: Bearer $token2" >"$work/big$i.code" &
	clients+=($!)
done
wait "${clients[@]}"
after=$(hwm_kb)
for i in 1 2 3 4; do
	is "$(cat "$work/big$i.code") $(jq -c '[(.data | length), .meta.total, (.data[3999].description | length)]' "$work/big$i.json")" \
		"200 [4000,4000,10000]" "client $i of 4 at once: the whole list of 40 MB"
done
grew=$(((after - before) / 1024))
echo "# the gateway's peak resident memory (VmHWM): $((before / 1024)) MiB before, $((after / 1024)) MiB after four 40 MB lists at once"
# four lists of 40 MB each: buffered, they would take 160 MB or more
if [ "$grew" -lt 20 ]; then ok "the gateway's peak memory grew by far less than one list ($grew MiB)"; else not_ok "the gateway's peak memory grew by far less than one list ($grew MiB)"; fi
gateway_stop biglist_rss
gw_url=$asan_url
gw_pid=$asan_pid

# --- a client that goes away mid-list, one that reads too slowly ------------------------------
# busy: the database sessions of this database doing anything (ours, psql's, excepted)
busy() {
	psql -X -At -d $db -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'"
}
wait_idle() { # the database's sessions all idle (or gone) within 60 s
	for _ in $(seq 1 120); do
		[ "$(busy)" = 0 ] && return 0
		sleep 0.5
	done
	return 1
}
curl -s --max-time 120 "$gw_url/api/$uid2/tasks" -H "Authorization: Bearer $token2" | head -c 100000 >/dev/null
if wait_idle; then ok "a client gone after 100 kB: its transaction ended, nothing left busy on the server"; else not_ok "a client gone after 100 kB: its transaction ended" "$(busy) busy"; fi
like "$(cat "$work/biglist.err" "$work/biglist.out" 2>/dev/null)" "stream ended after [0-9]+ tasks, before its end" \
	"the gateway logs the stream cut short"

# a client that sends the request and reads one kB a second: the watchdog closes it at
# STREAM_TIMEOUT (8 s here), although it is never idle long enough for the idle timeout
perl -MIO::Socket::INET -e '
	my ($port, $path, $token) = @ARGV;
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port) or die "connect: $!";
	setsockopt($s, Socket::SOL_SOCKET(), Socket::SO_RCVBUF(), 4096);
	print $s "GET $path HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer $token\r\n\r\n";
	my ($n, $buf) = (0, "");
	for (1 .. 20) { my $r = sysread($s, $buf, 1024); last unless $r; $n += $r; sleep 1 }
	print "$n\n";
' "${gw_url##*:}" "/api/$uid2/tasks" "$token2" >"$work/slow.out" 2>&1 &
slow=$!
wait "$slow"
read_bytes=$(head -1 "$work/slow.out")
if [ -n "$read_bytes" ] && [ "$read_bytes" -lt 40000000 ]; then
	ok "a client reading 1 kB a second is cut off before the end ($read_bytes bytes read)"
else
	not_ok "a client reading 1 kB a second is cut off before the end" "$(cat "$work/slow.out")"
fi
like "$(cat "$work/biglist.err" "$work/biglist.out" 2>/dev/null)" "read too slowly: its connection is closed \(STREAM_TIMEOUT\)" \
	"the watchdog logs it"
if wait_idle; then ok "the slow client's transaction ended: nothing left busy on the server"; else not_ok "the slow client's transaction ended" "$(busy) busy"; fi

# the database session ends mid-list (terminated while the client pauses after 100 kB): the
# body stops without its closing, the gateway logs why, and the next list is whole
rm -f "$work/paused" "$work/go"
perl -MIO::Socket::INET -e '
	my ($port, $path, $token, $work) = @ARGV;
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port) or die "connect: $!";
	print $s "GET $path HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer $token\r\n\r\n";
	my ($raw, $buf) = ("", "");
	while (length($raw) < 100000) { my $r = sysread($s, $buf, 65536) or last; $raw .= $buf }
	open my $f, ">", "$work/paused" or die; close $f;
	for (1 .. 600) { last if -e "$work/go"; select(undef, undef, undef, 0.1) }
	while (my $r = sysread($s, $buf, 65536)) { $raw .= $buf }
	print substr($raw, -7) eq "\r\n0\r\n\r\n" ? "complete" : "cut", " ", length($raw), "\n";
' "${gw_url##*:}" "/api/$uid2/tasks" "$token2" "$work" >"$work/killed.out" 2>&1 &
reader=$!
for _ in $(seq 1 300); do [ -e "$work/paused" ] && break; sleep 0.1; done
terminated=$(psql -X -At -d $db -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%task_list_rows%' AND state = 'active'")
touch "$work/go"
wait "$reader"
is "$terminated" 1 "the session streaming the list is terminated while its client pauses"
like "$(cat "$work/killed.out")" "^cut [0-9]+" "the client's body stops without its closing (no last chunk)"
like "$(cat "$work/biglist.err" "$work/biglist.out" 2>/dev/null)" "stream failed after [0-9]+ tasks" \
	"the gateway logs the stream that failed"
if wait_idle; then ok "nothing left busy on the server"; else not_ok "nothing left busy on the server" "$(busy) busy"; fi

# the gateway answers on, its connections clean
same_bytes "?limit=3" '{"limit": ["3"]}' "a list after the streams cut short"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$gw_url/api/v1/health")" 200 "health answers"
gateway_stop biglist
tap_plan
