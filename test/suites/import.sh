#!/usr/bin/env bash
# test/suites/import.sh: todoctl import against the main test cluster, in databases of its
# own (todo_imp_*), with legacy files built by test/import/make_legacy_db.sh: everything
# lands with its normalizations; old passwords log in through the API; a second run is a
# no-op; --dry-run changes nothing; each kind of problem refuses with a report and goes
# through with its option; kill -9 and SIGTERM mid-import leave the target as it was and a
# rerun succeeds; the source file is never modified; the refusals (no DATABASE_URL, a role
# without BYPASSRLS, a file with a journal). The importer runs under AddressSanitizer: its
# reports in WORKDIR fail the suite (test/run.sh). Prints TAP.
#
#   test/suites/import.sh WORKDIR    (PGHOST, PGPORT, PGUSER, GATEWAY_PASSWORD set)
set -uo pipefail

. "$(dirname "$0")/lib/suite.bash" "$@"
use_todoctl
make_db="$top/test/import/make_legacy_db.sh"
unset DATABASE_URL

main=todo_imp_main
kinds=todo_imp_kinds
kill_db=todo_imp_kill
databases="$main $kinds $kill_db"
plain_role=regress_import_plain
importer_pid=

cleanup() {
	if [ -n "$importer_pid" ]; then
		kill -9 "$importer_pid" 2>/dev/null
		wait "$importer_pid" 2>/dev/null
	fi
	for db in $databases; do dropdb --if-exists "$db" 2>/dev/null; done
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS $plain_role" 2>/dev/null
}
at_exit cleanup

url() { echo "postgresql://${2:-postgres}@127.0.0.1:$PGPORT/$1"; }
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
# imp DB ARGS...: todoctl import into DB; sets out (the report), err (stderr) and rc
imp() {
	local db=$1
	shift
	out=$(DATABASE_URL=$(url "$db") "$todoctl" import "$@" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
}
# every row of every todo table, in one digest: "unchanged" means this is equal
snapshot() {
	q "$1" "SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(r, E'\n' ORDER BY r)), '-') FROM (
		SELECT 'users ' || to_jsonb(t)::text FROM todo.users t
		UNION ALL SELECT 'tasks ' || to_jsonb(t)::text FROM todo.tasks t
		UNION ALL SELECT 'sessions ' || to_jsonb(t)::text FROM todo.sessions t
		UNION ALL SELECT 'login_attempts ' || to_jsonb(t)::text FROM todo.login_attempts t) AS rows (r)"
}
counts() { # users tasks sessions of DB
	q "$1" "SELECT (SELECT count(*) FROM todo.users) || ' ' || (SELECT count(*) FROM todo.tasks) || ' ' || (SELECT count(*) FROM todo.sessions)"
}
reset() { q "$1" "TRUNCATE todo.users, todo.tasks, todo.sessions, todo.login_attempts, todo.external_identities"; }
# the bytes and the modification time of a file
file_state() { echo "$(sha256sum <"$1" | cut -c1-64) $(stat -c '%s bytes, mtime %y' "$1")"; }
task() { q "$main" "SELECT $2 FROM todo.tasks WHERE legacy_id = $1"; }
# login DB BODY: api.login as the gateway's anonymous role; the user's username, or the error
login() {
	q "$1" "BEGIN; SET LOCAL ROLE todo_anon;
		SELECT coalesce(data -> 'user' ->> 'username', error ->> 'message') FROM api.login('$2'::jsonb); COMMIT;"
}
# importer_backend: the pid of the importer's server process, if any
importer_backend() {
	q postgres "SELECT pid FROM pg_stat_activity WHERE application_name = 'todoctl import' AND datname = '$1'" | head -1
}
# wait_query DB PATTERN: until the importer's backend runs a statement LIKE PATTERN (30 s)
wait_query() {
	local deadline=$((SECONDS + 30))
	while [ $SECONDS -lt $deadline ]; do
		[ -n "$(q postgres "SELECT 1 FROM pg_stat_activity WHERE application_name = 'todoctl import'
			AND datname = '$1' AND state = 'active' AND query LIKE '$2'")" ] && return 0
		kill -0 "$importer_pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# wait_gone DB: until no server process of an importer is left (30 s)
wait_gone() {
	local deadline=$((SECONDS + 30))
	while [ $SECONDS -lt $deadline ]; do
		[ -z "$(importer_backend "$1")" ] && return 0
		sleep 0.2
	done
	return 1
}

echo "# todoctl: $todoctl"
if make -s -C todoctl all asan >"$work/build.log" 2>&1; then
	ok "todoctl and todoctl-asan build (-Wall -Wextra -Werror)"
else
	not_ok "todoctl and todoctl-asan build" "$(tail -20 "$work/build.log")"
	tap_plan
	exit 1
fi

for db in $main $kinds $kill_db; do
	create_todo_database "$db" >"$work/create-$db.log" 2>&1 || not_ok "create $db" "$(cat "$work/create-$db.log")"
done
empty=$(snapshot "$main")

# --- the fixtures: alice's password hash made by pgcrypto ($2a$) and relabelled $2b$, as
# Python's bcrypt writes it (the same hash for passwords under 72 bytes)
hash_b=$(q "$main" "SELECT replace(crypt('alice-old-pass', gen_salt('bf', 4)), '\$2a\$', '\$2b\$')")
like "$hash_b" '^\$2b\$04\$' "the fixture's \$2b\$ hash is made with pgcrypto and relabelled"
export LEGACY_HASH_B=$hash_b
messy="$work/messy.db"
"$make_db" "$messy" messy
for kind in duplicate-email invalid-user orphan invalid-tags invalid-task invalid-session; do
	"$make_db" "$work/$kind.db" messy "$kind"
done
is "$(sqlite3 "$messy" "SELECT count(*) FROM user; SELECT count(*) FROM task; SELECT count(*) FROM session" | tr '\n' ' ')" \
	"5 10 3 " "the messy fixture is built by a script (5 users, 10 tasks, 3 sessions)"
source_before=$(file_state "$messy")

# --- refusals before anything is read or written
out=$(env -u DATABASE_URL PGDATABASE=$main "$todoctl" import "$messy" 2>&1)
rc=$?
is "$rc" 2 "DATABASE_URL unset: exit 2"
like "$out" "DATABASE_URL is not set" "DATABASE_URL unset: the message names DATABASE_URL"
is "$(snapshot "$main")" "$empty" "DATABASE_URL unset: no fallback to PGHOST/PGDATABASE (nothing imported)"
q postgres "DROP ROLE IF EXISTS $plain_role; CREATE ROLE $plain_role LOGIN" >/dev/null
out=$(DATABASE_URL=$(url "$main" "$plain_role") "$todoctl" import "$messy" 2>&1)
rc=$?
is "$rc" 1 "a role that is neither superuser nor BYPASSRLS: refused, exit 1"
like "$out" "refused: role $plain_role is neither a superuser nor has BYPASSRLS" "the refusal names the role and BYPASSRLS"
q postgres "ALTER ROLE $plain_role BYPASSRLS" >/dev/null
out=$(DATABASE_URL=$(url "$main" "$plain_role") "$todoctl" import "$messy" 2>&1)
like "$out" "has BYPASSRLS but may not read and insert" "BYPASSRLS without the privileges of todo_owner: refused, says which"
q postgres "GRANT todo_owner TO $plain_role" >/dev/null
out=$(DATABASE_URL=$(url "$kinds" "$plain_role") "$todoctl" import "$messy" 2>&1)
rc=$?
like "$rc:$(counts "$kinds")" "^0:5 10 1$" "BYPASSRLS with the privileges of todo_owner: imports"
reset "$kinds"
imp "$main" "$work/no-such-file.db"
is "$rc" 1 "a missing file: exit 1"
like "$err" "no-such-file.db: No such file" "a missing file: says so"
printf 'not a database\n' >"$work/garbage.db"
imp "$main" "$work/garbage.db"
like "$rc:$err" "^1:.*cannot read the legacy file: file is not a database" "a file that is not SQLite: exit 1, says so"
sqlite3 "$work/other.db" "CREATE TABLE user (id INTEGER PRIMARY KEY, name TEXT)"
imp "$main" "$work/other.db"
like "$rc:$err" "^1:.*has a column name that the old app did not have" "another SQLite schema: refused, the unknown column named"
cp "$messy" "$work/journal.db"
printf 'x' >"$work/journal.db-journal"
imp "$main" "$work/journal.db"
like "$rc:$err" "^1:.*rollback journal" "a file with a hot journal beside it: refused (an immutable open would miss it)"
is "$(snapshot "$main")" "$empty" "the refusals changed nothing"

# --- dry run, then the import
imp "$main" --dry-run "$messy"
is "$rc" 0 "--dry-run of a file without problems: exit 0"
like "$out" "result: dry run: the import would insert 16 rows" "--dry-run says what it would insert"
is "$(snapshot "$main")" "$empty" "--dry-run changes nothing"
imp "$main" "$messy"
is "$rc" 0 "the messy file imports without options: exit 0"
like "$out" "result: imported: 5 users, 10 tasks, 1 sessions" "the report's result line"
like "$out" "users: 5 in file: 5 new, 0 already imported" "the summary counts users"
like "$out" "sessions: 3 in file: 1 new, 0 already imported, 2 skipped" "the summary counts sessions, ended ones skipped"
like "$out" $'session\t2\tskipped\texpired\t-\tskipped: expired at 2020-01-01' "an expired session is skipped, listed with its id"
like "$out" $'session\t3\tskipped\trevoked' "a revoked session is skipped, listed with its id"
like "$out" "normalized: tasks: priority name to lowercase \(7 rows\)" "the summary counts each normalization"
verified=$(grep '^verified: tasks' <<<"$out")
like "$verified" "source \(after normalization\) 10 rows, checksum (-?[0-9]+); target 10 rows, checksum \1$" \
	"counts and checksums of source and target are equal before the commit"
unlike "$err" $'\r' "not a terminal: no live progress line"
like "$err" "copying tasks: 10 rows in" "not a terminal: one line a phase"
is "$(counts "$main")" "5 10 1" "5 users, 10 tasks, 1 session land"
is "$(q "$main" "SELECT string_agg(legacy_id::text, ',' ORDER BY legacy_id) FROM todo.users")" "1,2,3,4,5" "users keep their legacy ids"
is "$(q "$main" "SELECT count(*) FROM todo.tasks t JOIN todo.users u ON u.id = t.user_id WHERE t.legacy_id IS NOT NULL AND u.legacy_id = 1")" 3 \
	"tasks belong to the users their legacy user_id named"

# users: emails lowercased and trimmed, usernames trimmed, hashes and timestamps as they were
is "$(q "$main" "SELECT username || ' ' || email FROM todo.users WHERE legacy_id = 2")" "Bob bob@example.com" "email '  Bob@Example.COM ' trimmed and lowercased"
is "$(q "$main" "SELECT username FROM todo.users WHERE legacy_id = 4")" "dave" "username '  dave  ' trimmed"
is "$(q "$main" "SELECT password_hash FROM todo.users WHERE legacy_id = 1")" "$hash_b" "the \$2b\$ hash is kept exactly"
is "$(q "$main" "SELECT created_at || ' / ' || updated_at FROM todo.users WHERE legacy_id = 1")" \
	"2025-01-31 14:02:11.123456+00 / 2025-02-01 08:00:00+00" "users keep created_at and updated_at (naive = UTC)"
# tasks: every legacy form
is "$(task 1 "priority || ' ' || tags::text || ' ' || coalesce(due_date::text, 'no due date')")" "high {work,urgent,home} no due date" \
	"'High' -> high; 'Work, urgent,,Home' -> {work,urgent,home}; '' due_date -> NULL"
is "$(task 2 "title || '|' || tags::text || '|' || status || '|' || completed_at || '|' || recursion_pattern || '|' || due_date")" \
	"Trim me|{a}|completed|2025-02-03 17:45:00.25+00|daily|2026-03-01 00:00:00+00" \
	"title trimmed; tags deduplicated; completed -> completed_at = updated_at; 'Daily' -> daily; a date -> midnight UTC"
is "$(task 2 "description = ''")" "t" "an empty description stays empty"
is "$(task 1 "description IS NULL")" "t" "a NULL description stays NULL"
is "$(task 3 "due_date || '|' || recursion_pattern")" "2026-03-01 08:00:00+00|every 2 weeks" "'...T10:00:00+02:00' -> 08:00 UTC; ' Every  2 Weeks ' -> 'every 2 weeks'"
is "$(task 4 "due_date || '|' || priority || '|' || tags::text || '|' || coalesce(recursion_pattern, 'none')")" "2026-03-01 10:00:00+00|low|{}|none" \
	"naive '...T10:00:00' is UTC; 'LOW' -> low; '' tags -> {}; '' recursion -> none"
is "$(task 5 "due_date || '|' || tags::text")" "2026-03-01 10:00:00+00|{}" "' 2026-03-01 10:00:00 ' read as UTC; ',,' -> {}"
is "$(task 6 "description || '|' || tags::text")" $'line1\nline2 back\\slash\ttab "quoted" {braced}|{été}' \
	"newline, backslash, tab, quotes and braces arrive exactly; 'ÉTÉ,été' -> {été}"
is "$(task 7 "status || ' ' || completed_at")" "completed 2025-05-03 11:00:00+00" "a completed task's completed_at is its legacy updated_at"
is "$(task 8 "due_date || '|' || array_to_string(tags, '|')")" '2026-03-01 15:30:00.5+00|a"b|c\d|{x}' \
	"'...T10:00:00.5-05:30' -> 15:30:00.5 UTC; tags with a quote, a backslash, braces"
is "$(task 9 "char_length(title)")" 200 "a title of 200 characters is kept"
is "$(task 10 "cardinality(tags) || ' ' || tags[20]")" "20 abcdefghij" "20 tags, one of 10 characters: kept"
is "$(task 1 "created_at || ' / ' || updated_at")" "2025-02-01 09:00:00+00 / 2025-02-01 09:00:00+00" "tasks keep created_at and updated_at"
is "$(q "$main" "SELECT legacy_id || ' ' || token_jti || ' ' || expires_at || ' ' || revoked || ' ' || created_at FROM todo.sessions")" \
	"1 jti-live 2099-01-01 00:00:00+00 false 2025-05-01 00:00:00+00" "the live session is kept with its jti, expiry and creation time"

# --- old passwords log in through the API
is "$(login "$main" '{"username": "alice", "password": "alice-old-pass"}')" "alice" "alice logs in with her old password (pgcrypto-made hash labelled \$2b\$)"
is "$(login "$main" '{"email": "alice@example.com", "password": "alice-old-pass"}')" "alice" "alice logs in by email too"
is "$(login "$main" '{"email": "bob@example.com", "password": "U*U*"}')" "Bob" "Bob logs in with his old password (published \$2y\$ vector)"
is "$(login "$main" '{"username": "dave", "password": "U*U"}')" "dave" "dave logs in (published \$2b\$ vector)"
is "$(login "$main" '{"username": "alice", "password": "wrong-password"}')" "invalid credentials" "a wrong password still fails"

# --- a second run imports nothing twice
before=$(snapshot "$main")
imp "$main" "$messy"
is "$rc" 0 "a second run: exit 0"
like "$out" "users: 5 in file: 0 new, 5 already imported" "a second run: 0 new users, 5 already imported"
like "$out" "tasks: 10 in file: 0 new, 10 already imported" "a second run: 0 new tasks, 10 already imported"
like "$out" "result: nothing to import" "a second run says there is nothing to import"
is "$(snapshot "$main")" "$before" "a second run changes nothing"
# a row added to the file since: only it is imported
cp "$messy" "$work/grown.db"
sqlite3 "$work/grown.db" "INSERT INTO task VALUES (11, 2, 'Added later', NULL, NULL, 'Low', NULL, NULL, 0, '2025-08-01 00:00:00', '2025-08-01 00:00:00')"
imp "$main" "$work/grown.db"
like "$rc:$out" "^0:.*tasks: 11 in file: 1 new, 10 already imported" "a file that grew: only the new task is imported"
is "$(q "$main" "SELECT u.legacy_id FROM todo.tasks t JOIN todo.users u ON u.id = t.user_id WHERE t.legacy_id = 11")" 2 "the new task belongs to its user, imported before"
# the same legacy ids from another file: a conflict, no way out
cp "$messy" "$work/conflict.db"
sqlite3 "$work/conflict.db" "UPDATE user SET email = 'someone.else@example.com' WHERE id = 3"
before=$(snapshot "$main")
imp "$main" "$work/conflict.db"
like "$rc:$out" $'^1:.*user\t3\trefused\tconflict\t-\tlegacy id 3 was imported before as carol_99 <carol@example.com>' \
	"a legacy id imported before from a different row: refused as a conflict"
like "$out" "problem: conflict: 1 row refused \(1 problem; way out: none\)" "a conflict has no way out"
is "$(snapshot "$main")" "$before" "a refused import changes nothing"

# --- each kind of problem: refused with a report, imported with its way out
check_kind() { # file option expected-lines-ERE description-of-the-rows
	local file=$1 option=$2 lines=$3 what=$4 before
	reset "$kinds"
	before=$(snapshot "$kinds")
	imp "$kinds" "$work/$file.db"
	like "$rc:$out" "^1:.*$lines" "$what: refused (exit 1), each row listed with its id and reason"
	like "$out" "result: refused" "$what: the result says refused"
	is "$(snapshot "$kinds")" "$before" "$what: the refused import changed nothing"
	imp "$kinds" --dry-run "$option" "$work/$file.db"
	is "$rc:$(snapshot "$kinds")" "0:$before" "$what: --dry-run $option: exit 0, nothing changed"
	imp "$kinds" "$option" "$work/$file.db"
	is "$rc" 0 "$what: with $option: imported"
}
check_kind duplicate-email --merge-duplicate-emails \
	$'user\t6\trefused\tduplicate-email\temail\temail = \\(alice@example.com\\), as for user 1 of the file' \
	"emails equal ignoring case"
like "$out" $'user\t6\tmerged\tduplicate-email\temail\tmerged into user 1' "--merge-duplicate-emails: user 6 is merged into user 1, listed"
like "$out" $'task\t101\taltered\tduplicate-email\tuser_id\timported as a task of user 1' "--merge-duplicate-emails: its tasks are listed as moved"
is "$(q "$kinds" "SELECT count(*) FROM todo.users WHERE legacy_id = 6") $(q "$kinds" "SELECT string_agg(t.legacy_id::text, ',' ORDER BY t.legacy_id) FROM todo.tasks t JOIN todo.users u ON u.id = t.user_id WHERE u.legacy_id = 1 AND t.legacy_id > 100")" \
	"0 101,102" "--merge-duplicate-emails: no account for user 6; its tasks are alice's"
is "$(q "$kinds" "SELECT count(*) FROM todo.sessions WHERE legacy_id = 101")" 0 "--merge-duplicate-emails: the merged account's session is not kept"
imp "$kinds" --merge-duplicate-emails "$work/duplicate-email.db"
like "$rc:$out" "^0:.*users: 6 in file: 0 new, 5 already imported, 1 merged.*result: nothing to import" "--merge-duplicate-emails: a second run is a no-op"
reset "$kinds"
imp "$kinds" --skip-invalid-users "$work/duplicate-email.db"
like "$rc:$out" $'^0:.*user\t6\tskipped\tduplicate-email.*task\t101\tskipped\tuser-skipped' "--skip-invalid-users skips a duplicate email instead, with its tasks"

check_kind invalid-user --skip-invalid-users \
	$'user\t7\trefused\tinvalid-user\tusername\tusername "bad user!" violates users_username_format.*user\t8\trefused\tinvalid-user\tusername\tlower\\(username\\) = \\(alice\\).*user\t9\trefused\tinvalid-user\tpassword_hash\tpassword_hash "plaintext-password" violates users_password_hash_bcrypt' \
	"usernames that break today's format or equal another ignoring case, a hash that is not bcrypt"
like "$out" $'task\t103\tskipped\tuser-skipped\tuser_id\tskipped with its user 7' "--skip-invalid-users: a skipped user's tasks are listed"
is "$(q "$kinds" "SELECT count(*) FROM todo.users WHERE legacy_id IN (7, 8, 9)") $(q "$kinds" "SELECT count(*) FROM todo.tasks WHERE legacy_id = 103")" "0 0" \
	"--skip-invalid-users: the users and their tasks are left out"

check_kind orphan --skip-orphans \
	$'task\t104\trefused\torphan\tuser_id\tuser 999 is not in the file.*session\t104\trefused\torphan' \
	"a task and a session of a missing user"
is "$(q "$kinds" "SELECT count(*) FROM todo.tasks WHERE legacy_id = 104") $(q "$kinds" "SELECT count(*) FROM todo.sessions WHERE legacy_id = 104")" "0 0" \
	"--skip-orphans: left out"

check_kind invalid-tags --drop-invalid-tags \
	$'task\t105\trefused\tinvalid-tags\ttags\ttag "importantstuff" refused: tag "importantstuff" is longer than 10 characters.*task\t106\trefused\tinvalid-tags\ttags\ttag "t21" refused: too many tags: 21 \\(at most 20\\).*task\t107\trefused\tinvalid-tags\ttags\ttag "to do" refused: tag "to do" contains whitespace' \
	"a tag over 10 characters, 21 tags, a tag with a space"
is "$(q "$kinds" "SELECT string_agg(tags::text, ' ' ORDER BY legacy_id) FROM todo.tasks WHERE legacy_id IN (105, 107)") $(q "$kinds" "SELECT cardinality(tags) FROM todo.tasks WHERE legacy_id = 106")" \
	"{ok} {home} 20" "--drop-invalid-tags: the refused tags are dropped, the others kept (the first 20)"
like "$out" $'task\t105\taltered\tinvalid-tags' "--drop-invalid-tags: each altered task is listed"
reset "$kinds"
imp "$kinds" --skip-invalid-tasks "$work/invalid-tags.db"
is "$rc:$(q "$kinds" "SELECT count(*) FROM todo.tasks WHERE legacy_id IN (105, 106, 107)")" "0:0" "--skip-invalid-tasks leaves tasks with refused tags out instead"

check_kind invalid-task --skip-invalid-tasks \
	$'task\t108\trefused\tinvalid-task\ttitle\ttitle "" violates tasks_title_length.*task\t109\trefused\tinvalid-task\ttitle.*task\t110\trefused\tinvalid-task\tdue_date\tdue_date "next tuesday" is not a date or a timestamp.*task\t111\trefused\tinvalid-task\trecursion_pattern\trecursion_pattern "biweekly" violates tasks_recursion_pattern_valid.*task\t112\trefused\tinvalid-task\tpriority\tpriority "Urgent" is none of low, medium, high.*task\t113\trefused\tinvalid-task\tdue_date\tdue_date "2026-02-30" is not a date.*task\t114\trefused\tinvalid-task\tstatus\tcompleted "2" is not 0 or 1.*task\t115\trefused\tinvalid-task\ttitle\ttitle is not valid UTF-8 text, or holds a NUL byte.*task\t116\trefused\tinvalid-task\tdescription\tdescription is not valid UTF-8 text' \
	"an empty title, a 201-character one, unparseable and impossible dates, a bad recursion, an unknown priority, completed 2, bytes that are not UTF-8 or hold a NUL"
is "$(q "$kinds" "SELECT count(*) FROM todo.tasks WHERE legacy_id BETWEEN 108 AND 116") $(counts "$kinds")" "0 5 10 1" "--skip-invalid-tasks: those left out, the rest in"

check_kind invalid-session --skip-invalid-sessions \
	$'session\t105\trefused\tinvalid-session\texpires_at\texpires_at "soon" is not a date or a timestamp' "a session whose expiry is not a date"
is "$(q "$kinds" "SELECT count(*) FROM todo.sessions WHERE legacy_id = 105")" 0 "--skip-invalid-sessions: left out"

# an account created in the new system with a legacy user's email: not mergeable
reset "$kinds"
q "$kinds" "INSERT INTO todo.users (username, email, password_hash) VALUES ('carol_new', 'carol@example.com', todo.hash_password('another-password'))"
before=$(snapshot "$kinds")
imp "$kinds" --merge-duplicate-emails "$messy"
like "$rc:$out" $'^1:.*user\t3\trefused\tinvalid-user\temail\temail = \\(carol@example.com\\), as for an account created in the new system' \
	"an email taken by an account created here: refused as invalid-user, even with --merge-duplicate-emails"
is "$(snapshot "$kinds")" "$before" "that refusal changed nothing"
imp "$kinds" --skip-invalid-users "$messy"
is "$rc:$(q "$kinds" "SELECT count(*) FROM todo.users WHERE email = 'carol@example.com'"):$(q "$kinds" "SELECT count(*) FROM todo.tasks WHERE legacy_id IN (6, 9)")" "0:1:0" \
	"--skip-invalid-users: the legacy carol and her tasks are left out, the new account untouched"

# every problem at once: one report lists them all
"$make_db" "$work/all.db" messy duplicate-email invalid-user orphan invalid-tags invalid-task invalid-session
reset "$kinds"
imp "$kinds" --report "$work/all.report" "$work/all.db"
is "$rc:$out" "1:" "--report FILE: the report goes to FILE, not to standard output"
is "$(grep -c $'\trefused\t' "$work/all.report")" 19 "every problem of every kind is in the one report (19 lines)"
like "$(cat "$work/all.report")" "problem: invalid-tags: 3 rows refused \(3 problems; way out: --drop-invalid-tags or --skip-invalid-tasks\)" \
	"the summary names each kind's ways out"
imp "$kinds" --merge-duplicate-emails --skip-invalid-users --skip-orphans --drop-invalid-tags --skip-invalid-tasks --skip-invalid-sessions "$work/all.db"
like "$rc:$out" "^0:.*users: 9 in file: 5 new, 0 already imported, 1 merged into another user, 3 skipped.*tasks: 26 in file: 15 new \(5 altered by an option\), 0 already imported, 11 skipped.*sessions: 6 in file: 1 new, 0 already imported, 5 skipped" \
	"with every way out: every row accounted for"

# --- the source file is never modified
is "$(file_state "$messy")" "$source_before" "the legacy file's bytes and mtime are unchanged after every run"
chmod 0444 "$messy"
reset "$kinds"
imp "$kinds" "$messy"
is "$rc" 0 "a read-only legacy file imports"

# --- kill -9 and signals mid-import leave the target as it was; a rerun succeeds
big="$work/big.db"
"$make_db" "$big" big 2000 300000
empty_kill=$(snapshot "$kill_db")
DATABASE_URL=$(url "$kill_db") "$todoctl" import -q --report /dev/null "$big" 2>"$work/kill1.err" &
importer_pid=$!
if wait_query "$kill_db" 'COPY legacy_task%'; then
	kill -9 "$importer_pid"
	wait "$importer_pid" 2>/dev/null
	importer_pid=
	is "$(snapshot "$kill_db")" "$empty_kill" "kill -9 during the COPY: the target is unchanged"
else
	not_ok "kill -9 during the COPY: the importer never reached it" "$(cat "$work/kill1.err")"
fi
wait_gone "$kill_db" && ok "kill -9 during the COPY: the server ends the orphaned transaction" ||
	not_ok "kill -9 during the COPY: the server ends the orphaned transaction"
DATABASE_URL=$(url "$kill_db") "$todoctl" import -q --report /dev/null "$big" 2>"$work/kill2.err" &
importer_pid=$!
if wait_query "$kill_db" 'SELECT pg_temp.import_insert(%'; then
	sleep 0.5
	kill -9 "$importer_pid"
	wait "$importer_pid" 2>/dev/null
	importer_pid=
	is "$(snapshot "$kill_db")" "$empty_kill" "kill -9 during the inserts: the target is unchanged"
	wait_gone "$kill_db" && ok "kill -9 during the inserts: the server cancels the orphaned insert and ends it" ||
		not_ok "kill -9 during the inserts: the server cancels the orphaned insert and ends it"
else
	not_ok "kill -9 during the inserts: the importer never reached them" "$(cat "$work/kill2.err")"
fi
DATABASE_URL=$(url "$kill_db") "$todoctl" import -q --report /dev/null "$big" 2>"$work/term.err" &
importer_pid=$!
if wait_query "$kill_db" 'SELECT pg_temp.import_insert(%'; then
	sleep 0.5
	kill -TERM "$importer_pid"
	wait "$importer_pid"
	rc=$?
	importer_pid=
	is "$rc" 1 "SIGTERM during the inserts: exit 1"
	like "$(cat "$work/term.err")" "interrupted by Terminated: rolled back, nothing changed" "SIGTERM: says it rolled back"
	is "$(snapshot "$kill_db")" "$empty_kill" "SIGTERM during the inserts: the target is unchanged"
	is "$(importer_backend "$kill_db")" "" "SIGTERM: the query is cancelled and the session ended, nothing left running"
else
	not_ok "SIGTERM during the inserts: the importer never reached them" "$(cat "$work/term.err")"
fi
DATABASE_URL=$(url "$kill_db") "$todoctl" import -q --report /dev/null "$big" 2>"$work/int.err" &
importer_pid=$!
if wait_query "$kill_db" 'COPY legacy_task%'; then
	kill -INT "$importer_pid"
	wait "$importer_pid"
	rc=$?
	importer_pid=
	like "$rc:$(cat "$work/int.err")" "^1:.*interrupted by Interrupt: rolled back" "SIGINT during the COPY: exit 1, rolled back"
	is "$(snapshot "$kill_db")" "$empty_kill" "SIGINT during the COPY: the target is unchanged"
else
	not_ok "SIGINT during the COPY: the importer never reached it" "$(cat "$work/int.err")"
fi
imp "$kill_db" -q "$big"
is "$rc" 0 "after kill -9 and signals, a rerun succeeds (it waits for the killed one's server process, if any)"
is "$(counts "$kill_db")" "2000 300000 200" "the rerun imported every row (2,000 users, 300,000 tasks, 200 sessions)"
imp "$kill_db" -q "$big"
like "$rc:$out" "^0:.*tasks: 300000 in file: 0 new, 300000 already imported" "and a run after it is a no-op"

# --- one import at a time
psql -X -q -d "$kill_db" -c "SELECT pg_advisory_lock(hashtext('todoctl import')); SELECT pg_sleep(2)" >/dev/null &
holder=$!
sleep 0.5
imp "$kill_db" "$messy"
wait "$holder"
like "$err" "waiting for another todoctl import on this database" "a second import waits for the first (advisory lock), and says so"

# --- progress on a terminal
if command -v script >/dev/null; then
	reset "$kinds"
	DATABASE_URL=$(url "$kinds") script -qec "$todoctl import --report /dev/null $big" /dev/null >"$work/tty.out" 2>&1
	like "$(tr '\r' '\n' <"$work/tty.out")" "copying tasks: [0-9,]+ / 300,000 rows \([0-9]+%\), [0-9,]+ rows/s" \
		"on a terminal: live progress, rows done / total and the rate"
fi

tap_plan
