/* todoctl/sql/import_normalize.sql: todoctl import: the staged legacy rows in today's form */

-- Compiled into todoctl (sql_import_normalize) and run by import_plan.c in the import's
-- transaction, after the COPY into the staging tables legacy_user, legacy_task and
-- legacy_session (their columns: import_rows.c). Everything here is temporary.
--
-- Each legacy row becomes one row of import_user, import_task or import_session, whose
-- columns that share a name with a column of todo.users, todo.tasks or todo.sessions hold
-- the value to insert there, in that column's type: sql/import_check.sql checks those
-- against the target table's own constraints, read from the catalog, and
-- sql/import_apply.sql inserts exactly those columns. The normalizations made here are
-- the documented ones (docs/import.md): each goes through the database's own function
-- where there is one (todo.trim_space, todo.normalize_tags, todo.normalize_recurrence,
-- todo.parse_timestamp), so that no rule of today's schema is written twice.
--
-- outcome, per row: insert (new, to insert), altered (to insert with a change an option
-- chose), existing (imported by an earlier run), merged (a user merged into another),
-- skipped, refused (a problem no option given resolves), blocked (waits on a refused user).

-- What the importer found, one row each: a problem (problem = true; kind is one of
-- docs/import.md's kinds), or a note on a row it skips or alters by rule or by option.
CREATE TEMP TABLE import_event (
	entity text NOT NULL,          -- user, task, session
	legacy_id bigint NOT NULL,
	problem boolean NOT NULL,
	kind text NOT NULL,
	field text,
	detail text NOT NULL
) ON COMMIT DROP;

-- A value for a message: double-quoted, cut after 40 characters.
CREATE FUNCTION pg_temp.import_quote(value text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN value IS NULL THEN 'NULL'
		ELSE '"' || left(value, 40) || CASE WHEN char_length(value) > 40 THEN '"...' ELSE '"' END END
$$;

-- Problems common to the three staging tables: values that are not UTF-8 text, and
-- timestamps that neither import_rows.c nor todo.parse_timestamp can read.
CREATE FUNCTION pg_temp.import_unreadable(entity text, staging regclass, kind text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- the timestamp columns: those with a _raw twin of type timestamptz
	stamps constant text[] := ARRAY(
		SELECT left(a.attname, -4) FROM pg_attribute a
		JOIN pg_attribute b ON b.attrelid = a.attrelid AND b.attname = left(a.attname, -4)
		WHERE a.attrelid = staging AND a.attname LIKE '%\_raw' AND NOT a.attisdropped
			AND b.atttypid = 'timestamptz'::regtype
		ORDER BY a.attnum);
	checks text := 'SELECT c, c || '' is not valid UTF-8 text, or holds a NUL byte'' FROM unnest(l.unreadable) c';
	any_raw text := 'l.unreadable IS NOT NULL';
	ts text;
BEGIN
	FOREACH ts IN ARRAY stamps LOOP
		checks := checks || format(
			' UNION ALL SELECT %L, %L || pg_temp.import_quote(l.%I) || '' is not a date or a timestamp'''
			' WHERE l.%I IS NOT NULL AND todo.parse_timestamp(l.%I) IS NULL',
			ts, ts || ' ', ts || '_raw', ts || '_raw', ts || '_raw');
		any_raw := any_raw || format(' OR l.%I IS NOT NULL', ts || '_raw');
	END LOOP;
	-- one scan; only the rows with something unread look further
	EXECUTE format($q$
		INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
		SELECT %L, l.id, true, %L, v.field, v.detail
		FROM %s l CROSS JOIN LATERAL (%s) v (field, detail)
		WHERE %s$q$, entity, kind, staging, checks, any_raw);
END
$$;

-- Users: import_user. Usernames and emails are trimmed, emails lowercased (as
-- api.register stores them); password hashes are kept exactly.
CREATE FUNCTION pg_temp.import_users()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	CREATE TEMP TABLE import_user ON COMMIT DROP AS
	SELECT row_number() OVER (ORDER BY l.id) AS ord,
		l.id AS legacy_id,
		coalesce(t.id, gen_random_uuid()) AS id,
		todo.trim_space(l.username) AS username,
		lower(todo.trim_space(l.email)) AS email,
		l.hashed_password AS password_hash,
		coalesce(l.created_at, todo.parse_timestamp(l.created_at_raw)) AS created_at,
		coalesce(l.updated_at, todo.parse_timestamp(l.updated_at_raw)) AS updated_at,
		CASE WHEN t.id IS NULL THEN 'insert' ELSE 'existing' END AS outcome,
		NULL::bigint AS merged_into,
		l.username IS DISTINCT FROM todo.trim_space(l.username) AS username_trimmed,
		l.email IS DISTINCT FROM lower(todo.trim_space(l.email)) AS email_normalized,
		t.username AS target_username,
		t.email AS target_email
	FROM legacy_user l
	LEFT JOIN todo.users t ON t.legacy_id = l.id;
	CREATE UNIQUE INDEX ON import_user (legacy_id);
	ANALYZE import_user;

	PERFORM pg_temp.import_unreadable('user', 'legacy_user', 'invalid-user');

	-- a legacy id imported before must still name the same account
	INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
	SELECT 'user', u.legacy_id, true, 'conflict', NULL,
		format('legacy id %s was imported before as %s <%s>, not %s <%s>: another legacy file, or this one changed?',
			u.legacy_id, u.target_username, u.target_email, u.username, u.email)
	FROM import_user u
	WHERE u.outcome = 'existing'
		AND (u.target_email IS DISTINCT FROM u.email OR lower(u.target_username) IS DISTINCT FROM lower(u.username));
END
$$;

-- --merge-duplicate-emails: the users of the file whose emails are equal once
-- normalized become one account, the earliest (lowest legacy id), or the one imported
-- before with that email; the others are merged into it: not created, their tasks go to
-- it (sql/import_decide.sql).
CREATE FUNCTION pg_temp.import_merge_users()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	WITH keeper AS (
		SELECT u.email, coalesce(
				(SELECT t.legacy_id FROM todo.users t WHERE t.email = u.email AND t.legacy_id IS NOT NULL),
				min(u.legacy_id) FILTER (WHERE u.outcome = 'insert')) AS legacy_id
		FROM import_user u
		WHERE u.email IS NOT NULL
		GROUP BY u.email
		HAVING count(*) > 1 OR EXISTS (SELECT FROM todo.users t WHERE t.email = u.email AND t.legacy_id IS NOT NULL)
	)
	UPDATE import_user u SET outcome = 'merged', merged_into = k.legacy_id
	FROM keeper k
	WHERE u.email = k.email AND u.outcome = 'insert' AND u.legacy_id <> k.legacy_id;

	INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
	SELECT 'user', u.legacy_id, false, 'duplicate-email', 'email',
		format('merged into user %s (--merge-duplicate-emails): email %s is theirs ignoring case; username %s, password hash and timestamps of user %s are not kept',
			u.merged_into, pg_temp.import_quote(u.email), pg_temp.import_quote(u.username), u.legacy_id)
	FROM import_user u
	WHERE u.outcome = 'merged';
END
$$;

-- Whose the tasks and sessions of each legacy user become: owner_id, from the users'
-- outcomes (sql/import_decide.sql has run for users).
CREATE FUNCTION pg_temp.import_owners()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	CREATE TEMP TABLE import_owner ON COMMIT DROP AS
	SELECT u.legacy_id,
		CASE WHEN u.outcome = 'merged' THEN k.id ELSE u.id END AS owner_id,
		CASE WHEN u.outcome <> 'merged' THEN u.outcome
			WHEN k.outcome IN ('insert', 'altered', 'existing') THEN 'merged'
			WHEN k.outcome IS NULL THEN 'merged'   -- into a user imported before, not in this file
			ELSE k.outcome END AS fate,
		u.merged_into
	FROM import_user u
	LEFT JOIN import_user k ON k.legacy_id = u.merged_into;
	-- a merge into a user imported before but absent from this file
	UPDATE import_owner o SET owner_id = t.id
	FROM todo.users t
	WHERE o.fate = 'merged' AND o.owner_id IS NULL AND t.legacy_id = o.merged_into;
	CREATE UNIQUE INDEX ON import_owner (legacy_id);
	ANALYZE import_owner;

	-- merged users whose account is skipped or refused follow it
	UPDATE import_user u SET outcome = CASE o.fate WHEN 'skipped' THEN 'skipped' ELSE 'blocked' END
	FROM import_owner o
	WHERE o.legacy_id = u.legacy_id AND u.outcome = 'merged' AND o.fate NOT IN ('merged');
	INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
	SELECT 'user', u.legacy_id, false, 'duplicate-email', 'email',
		format('skipped: user %s, into which it would be merged, is skipped', u.merged_into)
	FROM import_user u
	WHERE u.outcome = 'skipped' AND u.merged_into IS NOT NULL;
END
$$;

-- The tasks' tags: todo.normalize_tags of the items import_rows.c split at commas, and,
-- when it refuses them, the items it accepts one by one (in order, so that the 21st
-- distinct tag is the one refused), with the refused ones and the database's reasons.
CREATE FUNCTION pg_temp.import_tags(items text[], OUT tags text[], OUT refused text[])
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	item text;
BEGIN
	BEGIN
		tags := todo.normalize_tags(items);
		RETURN;
	EXCEPTION WHEN SQLSTATE 'TD422' THEN
		tags := '{}';
	END;
	FOREACH item IN ARRAY items LOOP
		BEGIN
			tags := todo.normalize_tags(tags || item);
		EXCEPTION WHEN SQLSTATE 'TD422' THEN
			refused := refused || format('tag %s refused: %s', pg_temp.import_quote(item), SQLERRM);
		END;
	END LOOP;
END
$$;

-- Tasks: import_task, in the order they will be inserted (a user's tasks together, so
-- that the indexes led by user_id are filled in order), numbered by ord. Title trimmed,
-- priority by its name in any case, tags normalized, recursion pattern in its stored form
-- ('' is none), completed -> status, completed_at = the legacy updated_at.
CREATE FUNCTION pg_temp.import_tasks()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- %1$s: the tags and refused_tags columns, %2$s: what they need joined
	query constant text := $q$
	CREATE TEMP TABLE import_task ON COMMIT DROP AS
	SELECT row_number() OVER (ORDER BY x.user_id, x.created_at, x.legacy_id) AS ord,
		x.legacy_id, x.user_id, x.title, x.description, x.status, x.priority, x.due_date, x.tags,
		x.recursion_pattern,
		CASE WHEN x.status = 'completed' THEN x.updated_at END AS completed_at,
		x.created_at, x.updated_at,
		CASE WHEN x.target_user_id IS NOT NULL THEN 'existing'
			WHEN x.owner_fate = 'skipped' THEN 'skipped'
			WHEN x.owner_fate IN ('refused', 'blocked') THEN 'blocked'
			WHEN x.owner_fate = 'merged' THEN 'altered'
			ELSE 'insert' END AS outcome,
		x.legacy_user_id, x.owner_fate, x.merged_into, x.target_user_id, x.refused_tags, x.notes,
		x.title IS DISTINCT FROM x.legacy_title AS title_trimmed,
		x.priority::text IS DISTINCT FROM x.legacy_priority AS priority_renamed,
		x.recursion_pattern IS DISTINCT FROM x.legacy_recursion_pattern AS recursion_normalized,
		x.tags IS DISTINCT FROM x.legacy_tags AS tags_normalized
	FROM (
		SELECT l.id AS legacy_id,
			o.owner_id AS user_id,
			todo.trim_space(l.title) AS title,
			l.description,
			CASE WHEN l.completed THEN 'completed' WHEN NOT l.completed THEN 'pending' END::todo.task_status AS status,
			p.value AS priority,
			coalesce(l.due_date, todo.parse_timestamp(l.due_date_raw)) AS due_date,
			%1$s,
			todo.normalize_recurrence(nullif(todo.trim_space(l.recursion_pattern), '')) AS recursion_pattern,
			coalesce(l.created_at, todo.parse_timestamp(l.created_at_raw)) AS created_at,
			coalesce(l.updated_at, todo.parse_timestamp(l.updated_at_raw)) AS updated_at,
			l.user_id AS legacy_user_id,
			o.fate AS owner_fate,
			o.merged_into,
			t.user_id AS target_user_id,
			l.notes,
			l.title AS legacy_title,
			l.priority AS legacy_priority,
			l.recursion_pattern AS legacy_recursion_pattern,
			l.tags AS legacy_tags
		FROM legacy_task l
		LEFT JOIN import_owner o ON o.legacy_id = l.user_id
		LEFT JOIN (SELECT e AS value FROM unnest(enum_range(NULL::todo.task_priority)) e) p
			ON p.value::text = lower(todo.trim_space(l.priority))
		LEFT JOIN todo.tasks t ON t.legacy_id = l.id
		%2$s
	) x$q$;
	labels constant text := (SELECT string_agg(e::text, ', ') FROM unnest(enum_range(NULL::todo.task_priority)) e);
BEGIN
	-- set-based first: todo.normalize_tags refuses the whole statement at the first bad
	-- tag; then every row goes through pg_temp.import_tags (a subtransaction a row, slower)
	-- to find them all
	BEGIN
		EXECUTE format(query, 'todo.normalize_tags(l.tags) AS tags, NULL::text[] AS refused_tags', '');
	EXCEPTION WHEN SQLSTATE 'TD422' THEN
		EXECUTE format(query, 'g.tags, g.refused AS refused_tags', 'CROSS JOIN LATERAL pg_temp.import_tags(l.tags) g');
	END;
	CREATE UNIQUE INDEX ON import_task (legacy_id);
	CREATE INDEX ON import_task (ord);
	ANALYZE import_task;

	PERFORM pg_temp.import_unreadable('task', 'legacy_task', 'invalid-task');

	-- the importer's own problems and notes, in one scan: a task needs its user in the
	-- file, 0/1 for completed, a priority by one of its names; tags todo.normalize_tags
	-- refused; a merged user's tasks change hands; a skipped user's tasks are skipped; a
	-- legacy id imported before must still be a task of the same user
	INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
	SELECT 'task', t.legacy_id, v.problem, v.kind, v.field, v.detail
	FROM import_task t
	LEFT JOIN legacy_task l ON l.id = t.legacy_id
		AND (t.owner_fate IS NULL OR t.status IS NULL OR t.priority IS NULL)
	CROSS JOIN LATERAL (
		SELECT true, 'orphan', 'user_id',
			CASE WHEN l.user_id IS NULL AND l.user_id_raw IS NOT NULL
				THEN format('user_id %s is not a user id', pg_temp.import_quote(l.user_id_raw))
				ELSE format('user %s is not in the file', coalesce(l.user_id::text, 'NULL')) END
		WHERE t.owner_fate IS NULL
		UNION ALL
		SELECT true, 'invalid-task', 'status', format('completed %s is not 0 or 1', pg_temp.import_quote(l.completed_raw))
		WHERE t.status IS NULL
		UNION ALL
		SELECT true, 'invalid-task', 'priority', format('priority %s is none of %s', pg_temp.import_quote(l.priority), labels)
		WHERE t.priority IS NULL AND l.priority IS NOT NULL
		UNION ALL
		SELECT true, 'invalid-tags', 'tags', r FROM unnest(t.refused_tags) r
		UNION ALL
		SELECT false, 'duplicate-email', 'user_id',
			format('imported as a task of user %s, into which its user %s is merged', t.merged_into, t.legacy_user_id)
		WHERE t.outcome = 'altered' AND t.owner_fate = 'merged'
		UNION ALL
		SELECT false, 'user-skipped', 'user_id', format('skipped with its user %s', t.legacy_user_id)
		WHERE t.outcome = 'skipped'
		UNION ALL
		SELECT true, 'conflict', 'user_id',
			format('legacy id %s was imported before as a task of another user than user %s: another legacy file, or this one changed?',
				t.legacy_id, t.legacy_user_id)
		WHERE t.outcome = 'existing' AND t.user_id IS DISTINCT FROM t.target_user_id
	) v (problem, kind, field, detail)
	WHERE t.owner_fate IS NULL OR t.status IS NULL OR t.priority IS NULL OR t.refused_tags IS NOT NULL
		OR t.outcome IN ('altered', 'skipped')
		OR (t.outcome = 'existing' AND t.user_id IS DISTINCT FROM t.target_user_id);
END
$$;

-- Sessions: import_session. A session that has expired (at the time of the import) or
-- was revoked is skipped; the others are kept as records (the legacy token hash is not:
-- docs/import.md).
CREATE FUNCTION pg_temp.import_sessions()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	CREATE TEMP TABLE import_session ON COMMIT DROP AS
	SELECT row_number() OVER (ORDER BY l.id) AS ord,
		l.id AS legacy_id,
		o.owner_id AS user_id,
		l.token_jti,
		coalesce(l.expires_at, todo.parse_timestamp(l.expires_at_raw)) AS expires_at,
		l.revoked,
		coalesce(l.created_at, todo.parse_timestamp(l.created_at_raw)) AS created_at,
		CASE WHEN t.id IS NOT NULL THEN 'existing'
			WHEN l.revoked OR coalesce(l.expires_at, todo.parse_timestamp(l.expires_at_raw)) <= now() THEN 'skipped'
			WHEN o.fate IN ('skipped', 'merged') THEN 'skipped'
			WHEN o.fate IN ('refused', 'blocked') THEN 'blocked'
			ELSE 'insert' END AS outcome,
		l.user_id AS legacy_user_id,
		l.user_id_raw AS legacy_user_id_raw,
		l.revoked_raw AS legacy_revoked_raw,
		o.fate AS owner_fate,
		o.merged_into,
		t.token_jti AS target_token_jti
	FROM legacy_session l
	LEFT JOIN import_owner o ON o.legacy_id = l.user_id
	LEFT JOIN todo.sessions t ON t.legacy_id = l.id;
	CREATE UNIQUE INDEX ON import_session (legacy_id);
	ANALYZE import_session;

	INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
	SELECT 'session', s.legacy_id, false, CASE WHEN s.revoked THEN 'revoked' ELSE 'expired' END, NULL,
		CASE WHEN s.revoked THEN 'skipped: revoked' ELSE format('skipped: expired at %s', s.expires_at) END
	FROM import_session s
	WHERE s.outcome = 'skipped' AND (s.revoked OR s.expires_at <= now());

	INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
	SELECT 'session', s.legacy_id, false, CASE s.owner_fate WHEN 'merged' THEN 'duplicate-email' ELSE 'user-skipped' END, 'user_id',
		CASE s.owner_fate WHEN 'merged' THEN format('skipped: a session of user %s, merged into user %s', s.legacy_user_id, s.merged_into)
			ELSE format('skipped with its user %s', s.legacy_user_id) END
	FROM import_session s
	WHERE s.outcome = 'skipped' AND NOT (s.revoked OR s.expires_at <= now()) AND s.owner_fate IN ('skipped', 'merged');

	PERFORM pg_temp.import_unreadable('session', 'legacy_session', 'invalid-session');

	INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
	SELECT 'session', s.legacy_id, true, 'orphan', 'user_id',
		CASE WHEN s.legacy_user_id IS NULL AND s.legacy_user_id_raw IS NOT NULL
			THEN format('user_id %s is not a user id', pg_temp.import_quote(s.legacy_user_id_raw))
			ELSE format('user %s is not in the file', coalesce(s.legacy_user_id::text, 'NULL')) END
	FROM import_session s
	WHERE s.owner_fate IS NULL;

	INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
	SELECT 'session', s.legacy_id, true, 'invalid-session', 'revoked',
		format('revoked %s is not 0 or 1', pg_temp.import_quote(s.legacy_revoked_raw))
	FROM import_session s
	WHERE s.revoked IS NULL;

	INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
	SELECT 'session', s.legacy_id, true, 'conflict', 'token_jti',
		format('legacy id %s was imported before as session %s, not %s: another legacy file, or this one changed?',
			s.legacy_id, pg_temp.import_quote(s.target_token_jti), pg_temp.import_quote(s.token_jti))
	FROM import_session s
	WHERE s.outcome = 'existing' AND s.token_jti IS DISTINCT FROM s.target_token_jti;
END
$$;
