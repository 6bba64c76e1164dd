#!/usr/bin/env bash
# test/import/make_legacy_db.sh: builds legacy SQLite files (the old app's todo_app.db,
# ../shared/spec/LEGACY.md) for the importer's tests and benchmark, with sqlite3 only. No
# binary fixture is committed: every file is made by this script.
#
#   make_legacy_db.sh OUT messy [PROBLEM...]   the messy file, plus rows of each PROBLEM
#   make_legacy_db.sh OUT big USERS TASKS      USERS users, TASKS tasks (recursive CTE)
#
# The messy file holds everything the importer normalizes and nothing it refuses: mixed
# case, stray spaces, ',,' in tags, offsets, naive datetimes, '' due dates, escapes that
# COPY must carry (tab, newline, backslash, quotes, braces), expired and revoked sessions.
# Each PROBLEM adds rows that break today's rules in that way (ids 100 and up):
#   duplicate-email   user 6 is alice's email in capitals; its 2 tasks and a session
#   invalid-user      a username that breaks the format, one equal to alice's ignoring
#                     case, a password hash that is not bcrypt; a task of the first
#   orphan            a task and a session of user 999, who does not exist
#   invalid-tags      a tag over 10 characters, 21 distinct tags, a tag with a space
#   invalid-task      empty title, 201-character title, unparseable and impossible due
#                     dates, a bad recursion pattern, an unknown priority, completed 2, a
#                     title that is not UTF-8, a description with a NUL byte
#   invalid-session   a session whose expiry is not a date
#
# Passwords (the test suite logs in with them): alice's hash is LEGACY_HASH_B if set (the
# suite makes one with pgcrypto and relabels $2a$ as $2b$, what Python's bcrypt writes),
# else the published OpenBSD vector for "U*U" labelled $2b$; Bob's is the published vector
# for "U*U*" labelled $2y$.
set -euo pipefail

out=${1:?usage: make_legacy_db.sh OUT messy [PROBLEM...] | OUT big USERS TASKS}
kind=${2:?usage: make_legacy_db.sh OUT messy [PROBLEM...] | OUT big USERS TASKS}
shift 2

vector_b='$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'   # "U*U"
vector_y='$2y$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK'   # "U*U*"
hash_b=${LEGACY_HASH_B:-$vector_b}

# the old app's schema, as SQLModel created it (LEGACY.md)
schema() {
	cat <<-'EOF'
		CREATE TABLE user (
			id INTEGER PRIMARY KEY,
			username VARCHAR(30) NOT NULL UNIQUE,
			email VARCHAR(255) NOT NULL UNIQUE,
			hashed_password VARCHAR(255) NOT NULL,
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		);
		CREATE TABLE task (
			id INTEGER PRIMARY KEY,
			user_id INTEGER NOT NULL REFERENCES user (id),
			title VARCHAR(200) NOT NULL,
			description VARCHAR,
			due_date VARCHAR(50),
			priority VARCHAR(6) NOT NULL,
			tags VARCHAR,
			recursion_pattern VARCHAR(100),
			completed BOOLEAN NOT NULL,
			created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL
		);
		CREATE TABLE session (
			id INTEGER PRIMARY KEY,
			user_id INTEGER NOT NULL REFERENCES user (id),
			token_jti VARCHAR(255) NOT NULL UNIQUE,
			token VARCHAR(255) NOT NULL,
			expires_at DATETIME NOT NULL,
			revoked BOOLEAN NOT NULL,
			created_at DATETIME NOT NULL
		);
	EOF
}

# sq TEXT: TEXT as an SQL string literal
sq() { printf "'%s'" "${1//\'/\'\'}"; }

messy() {
	cat <<-EOF
		INSERT INTO user VALUES
			(1, 'alice', 'alice@example.com', $(sq "$hash_b"), '2025-01-31 14:02:11.123456', '2025-02-01 08:00:00'),
			(2, 'Bob', '  Bob@Example.COM ', $(sq "$vector_y"), '2025-03-01 10:00:00', '2025-03-01 10:00:00.5'),
			(3, 'carol_99', 'carol@example.com', '\$2b\$12\$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW', '2025-04-01T09:30:00', '2025-04-01T09:30:00+00:00'),
			(4, '  dave  ', 'dave@example.com', $(sq "$vector_b"), '2025-05-01 00:00:00', '2025-05-01 00:00:00'),
			(5, 'eve', 'eve@example.com', $(sq "$vector_b"), '2025-06-01 12:00:00', '2025-06-01 12:00:00');
		INSERT INTO task VALUES
			(1, 1, 'Buy milk', NULL, '', 'High', 'Work, urgent,,Home', NULL, 0, '2025-02-01 09:00:00', '2025-02-01 09:00:00'),
			(2, 1, '  Trim me  ', '', '2026-03-01', 'Medium', 'a,A, a ', 'Daily', 1, '2025-02-02 09:00:00', '2025-02-03 17:45:00.25'),
			(3, 2, 'Offset', 'with offset', '2026-03-01T10:00:00+02:00', 'low', NULL, ' Every  2 Weeks ', 0, '2025-03-02 10:00:00', '2025-03-02 10:00:00'),
			(4, 2, 'Naive', NULL, '2026-03-01T10:00:00', 'LOW', '', '', 0, '2025-03-03 10:00:00', '2025-03-03 10:00:00'),
			(5, 2, 'Space date', NULL, ' 2026-03-01 10:00:00 ', 'medium', ',,', 'weekly', 0, '2025-03-04 10:00:00', '2025-03-04 10:00:00'),
			(6, 3, 'Unicode été', 'line1' || char(10) || 'line2 back\\slash' || char(9) || 'tab "quoted" {braced}', NULL, 'High', 'ÉTÉ,été', NULL, 0, '2025-04-02 10:00:00', '2025-04-02 10:00:00'),
			(7, 4, 'Zulu', NULL, '2026-03-01T10:00:00Z', 'Low', 'x', 'monthly', 1, '2025-05-02 10:00:00', '2025-05-03 11:00:00'),
			(8, 4, 'Fraction', NULL, '2026-03-01T10:00:00.5-05:30', 'Medium', 'a"b,c\\d,{x}', NULL, 0, '2025-05-04 10:00:00', '2025-05-04 10:00:00'),
			(9, 3, '$(printf 'T%.0s' $(seq 200))', NULL, NULL, 'Low', NULL, NULL, 0, '2025-04-03 10:00:00', '2025-04-03 10:00:00'),
			(10, 1, 'Twenty tags', NULL, '2026-12-31', 'low', '$(printf 't%d,' $(seq 1 19))abcdefghij', 'every 3 days', 0, '2025-02-04 09:00:00', '2025-02-04 09:00:00');
		INSERT INTO session VALUES
			(1, 1, 'jti-live', 'sha256:0b5e', '2099-01-01 00:00:00', 0, '2025-05-01 00:00:00'),
			(2, 1, 'jti-expired', 'sha256:91aa', '2020-01-01 00:00:00', 0, '2019-12-31 00:00:00'),
			(3, 2, 'jti-revoked', 'sha256:77c1', '2099-01-01 00:00:00', 1, '2025-05-02 00:00:00');
	EOF
}

problem() {
	case "$1" in
	duplicate-email)
		cat <<-EOF
			INSERT INTO user VALUES (6, 'alice2', 'ALICE@example.com', $(sq "$vector_b"), '2025-07-01 00:00:00', '2025-07-01 00:00:00');
			INSERT INTO task VALUES
				(101, 6, 'Second account task', NULL, NULL, 'Low', 'dup', NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00'),
				(102, 6, 'Another one', NULL, NULL, 'High', NULL, NULL, 1, '2025-07-03 00:00:00', '2025-07-04 00:00:00');
			INSERT INTO session VALUES (101, 6, 'jti-dup', 'sha256:dd', '2099-01-01 00:00:00', 0, '2025-07-02 00:00:00');
		EOF
		;;
	invalid-user)
		cat <<-EOF
			INSERT INTO user VALUES
				(7, 'bad user!', 'bad@example.com', $(sq "$vector_b"), '2025-07-01 00:00:00', '2025-07-01 00:00:00'),
				(8, 'ALICE', 'alice.other@example.com', $(sq "$vector_b"), '2025-07-01 00:00:00', '2025-07-01 00:00:00'),
				(9, 'hashless', 'hashless@example.com', 'plaintext-password', '2025-07-01 00:00:00', '2025-07-01 00:00:00');
			INSERT INTO task VALUES (103, 7, 'Task of a bad user', NULL, NULL, 'Low', NULL, NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00');
		EOF
		;;
	orphan)
		cat <<-'EOF'
			INSERT INTO task VALUES (104, 999, 'Orphan', NULL, NULL, 'Low', NULL, NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00');
			INSERT INTO session VALUES (104, 999, 'jti-orphan', 'sha256:00', '2099-01-01 00:00:00', 0, '2025-07-02 00:00:00');
		EOF
		;;
	invalid-tags)
		cat <<-EOF
			INSERT INTO task VALUES
				(105, 1, 'Long tag', NULL, NULL, 'Low', 'ok,importantstuff', NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00'),
				(106, 1, 'Too many tags', NULL, NULL, 'Low', '$(printf 't%d,' $(seq 1 20))t21', NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00'),
				(107, 2, 'Spaced tag', NULL, NULL, 'Low', 'to do,home', NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00');
		EOF
		;;
	invalid-task)
		cat <<-EOF
			INSERT INTO task VALUES
				(108, 1, '   ', NULL, NULL, 'Low', NULL, NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00'),
				(109, 1, '$(printf 'L%.0s' $(seq 201))', NULL, NULL, 'Low', NULL, NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00'),
				(110, 1, 'Bad date', NULL, 'next tuesday', 'Low', NULL, NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00'),
				(111, 2, 'Bad recursion', NULL, '2026-01-01', 'Low', NULL, 'biweekly', 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00'),
				(112, 2, 'Bad priority', NULL, NULL, 'Urgent', NULL, NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00'),
				(113, 2, 'Impossible date', NULL, '2026-02-30', 'Low', NULL, NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00'),
				(114, 3, 'Completed twice', NULL, NULL, 'Low', NULL, NULL, 2, '2025-07-02 00:00:00', '2025-07-02 00:00:00'),
				(115, 3, CAST(X'4E6F7420C328555446' AS TEXT), NULL, NULL, 'Low', NULL, NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00'),
				(116, 3, 'NUL inside', CAST(X'61006200' AS TEXT), NULL, 'Low', NULL, NULL, 0, '2025-07-02 00:00:00', '2025-07-02 00:00:00');
		EOF
		;;
	invalid-session)
		cat <<-'EOF'
			INSERT INTO session VALUES (105, 2, 'jti-bad-expiry', 'sha256:ee', 'soon', 0, '2025-07-02 00:00:00');
		EOF
		;;
	*)
		echo "make_legacy_db.sh: unknown problem '$1'" >&2
		exit 2
		;;
	esac
}

# USERS users and TASKS tasks spread over them, with every legacy form the importer
# normalizes (enum names, tags as typed, naive and offset dates, '' due dates) and nothing
# it refuses; one live session per 10 users.
big() {
	local users=$1 tasks=$2
	cat <<-EOF
		PRAGMA journal_mode = OFF;
		PRAGMA synchronous = OFF;
		BEGIN;
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $users)
		INSERT INTO user
		SELECT i, 'user_' || i, CASE WHEN i % 3 = 0 THEN 'User' || i || '@Example.com' ELSE 'user' || i || '@example.com' END,
			$(sq "$hash_b"),
			strftime('%Y-%m-%d %H:%M:%f', 1700000000 + i * 60, 'unixepoch') || '123',
			strftime('%Y-%m-%d %H:%M:%S', 1700000000 + i * 60 + 30, 'unixepoch')
		FROM n;
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $tasks)
		INSERT INTO task
		SELECT i, 1 + (i * 7919) % $users,
			CASE WHEN i % 11 = 0 THEN '  Task ' || i || ' ' ELSE 'Task number ' || i END,
			CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE 'Description of task ' || i || ', written in the old app' END,
			CASE i % 6
				WHEN 0 THEN NULL WHEN 1 THEN ''
				WHEN 2 THEN strftime('%Y-%m-%d', 1780000000 + i * 3600, 'unixepoch')
				WHEN 3 THEN strftime('%Y-%m-%dT%H:%M:%S', 1780000000 + i * 3600, 'unixepoch')
				WHEN 4 THEN strftime('%Y-%m-%dT%H:%M:%S', 1780000000 + i * 3600, 'unixepoch') || '+02:00'
				ELSE strftime('%Y-%m-%d %H:%M:%S', 1780000000 + i * 3600, 'unixepoch') END,
			CASE i % 3 WHEN 0 THEN 'High' WHEN 1 THEN 'Medium' ELSE 'Low' END,
			CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'Work, urgent,,Home' WHEN 3 THEN 'home' ELSE 'Errands,work' END,
			CASE i % 10 WHEN 0 THEN 'daily' WHEN 1 THEN 'Weekly' ELSE NULL END,
			i % 2,
			strftime('%Y-%m-%d %H:%M:%f', 1700000000 + i * 5, 'unixepoch') || '001',
			strftime('%Y-%m-%d %H:%M:%f', 1700000000 + i * 5 + 60, 'unixepoch') || '002'
		FROM n;
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $users / 10)
		INSERT INTO session
		SELECT i, i * 10, 'jti-' || i, 'sha256:' || i, '2099-01-01 00:00:00', 0, '2025-01-01 00:00:00' FROM n;
		COMMIT;
	EOF
}

rm -f "$out"
case "$kind" in
messy)
	{
		schema
		echo "BEGIN;"
		messy
		for p in "$@"; do problem "$p"; done
		echo "COMMIT;"
	} | sqlite3 -bail "$out" >/dev/null
	;;
big)
	users=${1:?usage: make_legacy_db.sh OUT big USERS TASKS}
	tasks=${2:?usage: make_legacy_db.sh OUT big USERS TASKS}
	{ schema; big "$users" "$tasks"; } | sqlite3 -bail "$out" >/dev/null
	;;
*)
	echo "make_legacy_db.sh: unknown kind '$kind' (messy or big)" >&2
	exit 2
	;;
esac
