/* todoctl/sql/import_report.sql: todoctl import: what the report says, from the plan's tables */

-- Compiled into todoctl (sql_import_report) and run by import_report.c once the plan's
-- tables exist (SQL functions are checked against them when created), and read before the
-- import commits or rolls back, which drops them.

-- Each event with the outcome of its row.
CREATE TEMP VIEW import_event_outcome AS
	SELECT e.*, coalesce(u.outcome, t.outcome, s.outcome) AS outcome
	FROM import_event e
	LEFT JOIN import_user u ON e.entity = 'user' AND u.legacy_id = e.legacy_id
	LEFT JOIN import_task t ON e.entity = 'task' AND t.legacy_id = e.legacy_id
	LEFT JOIN import_session s ON e.entity = 'session' AND s.legacy_id = e.legacy_id;

-- Rows of each table by outcome.
CREATE FUNCTION pg_temp.import_counts(
	OUT entity text, OUT staged bigint, OUT inserted bigint, OUT altered bigint, OUT existing bigint,
	OUT merged bigint, OUT skipped bigint, OUT refused bigint, OUT blocked bigint)
RETURNS SETOF record
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT e.entity, count(r.outcome),
		count(*) FILTER (WHERE r.outcome = 'insert'), count(*) FILTER (WHERE r.outcome = 'altered'),
		count(*) FILTER (WHERE r.outcome = 'existing'), count(*) FILTER (WHERE r.outcome = 'merged'),
		count(*) FILTER (WHERE r.outcome = 'skipped'), count(*) FILTER (WHERE r.outcome = 'refused'),
		count(*) FILTER (WHERE r.outcome = 'blocked')
	FROM (VALUES (1, 'user'), (2, 'task'), (3, 'session')) e (n, entity)
	LEFT JOIN LATERAL (
		SELECT outcome FROM import_user WHERE e.entity = 'user'
		UNION ALL SELECT outcome FROM import_task WHERE e.entity = 'task'
		UNION ALL SELECT outcome FROM import_session WHERE e.entity = 'session'
	) r ON true
	GROUP BY e.n, e.entity
	ORDER BY e.n
$$;

-- The normalizations made to the rows imported, by kind, with how many rows each
-- (docs/import.md lists them). Bits of legacy_task.notes: import_rows.h.
CREATE FUNCTION pg_temp.import_normalizations(OUT what text, OUT rows bigint)
RETURNS SETOF record
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	WITH u AS (
		SELECT count(*) FILTER (WHERE username_trimmed) AS username_trimmed,
			count(*) FILTER (WHERE email_normalized) AS email_normalized
		FROM import_user WHERE outcome IN ('insert', 'altered')
	), t AS (   -- one scan of the tasks for all the counts
		SELECT count(*) FILTER (WHERE title_trimmed) AS title_trimmed,
			count(*) FILTER (WHERE priority_renamed) AS priority_renamed,
			count(*) FILTER (WHERE notes & 16 <> 0) AS tags_empty_items,
			count(*) FILTER (WHERE tags_normalized) AS tags_normalized,
			count(*) FILTER (WHERE recursion_normalized) AS recursion_normalized,
			count(*) FILTER (WHERE notes & 1 <> 0) AS due_blank,
			count(*) FILTER (WHERE notes & 8 <> 0) AS due_date,
			count(*) FILTER (WHERE notes & 2 <> 0) AS due_naive,
			count(*) FILTER (WHERE notes & 4 <> 0) AS due_offset,
			count(*) FILTER (WHERE status = 'completed') AS completed
		FROM import_task WHERE outcome IN ('insert', 'altered')
	)
	SELECT v.what, v.rows FROM u, t, LATERAL (VALUES
		(1, 'users: username trimmed', u.username_trimmed),
		(2, 'users: email trimmed and lowercased', u.email_normalized),
		(3, 'tasks: title trimmed', t.title_trimmed),
		(4, 'tasks: priority name to lowercase', t.priority_renamed),
		(5, 'tasks: tags split at commas, empty items dropped', t.tags_empty_items),
		(6, 'tasks: tags trimmed, lowercased or deduplicated', t.tags_normalized),
		(7, 'tasks: recursion pattern to its stored form ('''' is none)', t.recursion_normalized),
		(8, 'tasks: due_date '''' to none', t.due_blank),
		(9, 'tasks: due_date a date alone, midnight UTC', t.due_date),
		(10, 'tasks: due_date without offset, taken as UTC', t.due_naive),
		(11, 'tasks: due_date with an offset, converted to UTC', t.due_offset),
		(12, 'tasks: completed -> status completed, completed_at = updated_at', t.completed)
	) v (n, what, rows)
	WHERE v.rows > 0
	ORDER BY v.n
$$;

-- Problems by kind and outcome, with the options that resolve the kind.
CREATE FUNCTION pg_temp.import_problem_kinds(OUT kind text, OUT outcome text, OUT rows bigint, OUT problems bigint, OUT way_out text)
RETURNS SETOF record
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT e.kind, e.outcome, count(DISTINCT (e.entity, e.legacy_id)), count(*),
		coalesce((SELECT string_agg(w.option, ' or ' ORDER BY w.option) FROM import_way_out w WHERE w.kind = e.kind), 'none')
	FROM import_event_outcome e
	WHERE e.problem
	GROUP BY e.kind, e.outcome
	ORDER BY e.kind, e.outcome
$$;

-- The report's lines: one per event, users, then tasks, then sessions, by legacy id.
-- Read with COPY (tab-separated; COPY escapes tabs, newlines and backslashes in values).
CREATE TEMP VIEW import_report_lines AS
	SELECT e.entity, e.legacy_id, e.outcome, e.kind, coalesce(e.field, '-') AS field, e.detail
	FROM import_event_outcome e
	ORDER BY CASE e.entity WHEN 'user' THEN 1 WHEN 'task' THEN 2 ELSE 3 END, e.legacy_id, e.problem DESC, e.kind, e.field, e.detail;
