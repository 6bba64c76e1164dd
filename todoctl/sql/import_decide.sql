/* todoctl/sql/import_decide.sql: todoctl import: what becomes of each row with a problem, given the options */

-- Compiled into todoctl (sql_import_decide) and run by import_plan.c after
-- sql/import_check.sql.

-- The ways out (docs/import.md): each kind of problem and the options that resolve it.
-- An option alters the row (it is imported changed, and listed) or skips it (left out,
-- and listed). A conflict has no way out.
CREATE TEMP TABLE import_way_out (kind, option, action) ON COMMIT DROP AS VALUES
	('duplicate-email', '--merge-duplicate-emails', 'merge'),   -- before the checks: pg_temp.import_merge_users
	('duplicate-email', '--skip-invalid-users', 'skip'),
	('invalid-user', '--skip-invalid-users', 'skip'),
	('orphan', '--skip-orphans', 'skip'),
	('invalid-tags', '--drop-invalid-tags', 'alter'),
	('invalid-tags', '--skip-invalid-tasks', 'skip'),
	('invalid-task', '--skip-invalid-tasks', 'skip'),
	('invalid-session', '--skip-invalid-sessions', 'skip');

-- Sets the outcome of every row of staged that has a problem, given the options chosen
-- (their names, as in import_way_out). A problem is resolved by the mildest chosen
-- option of its kind (alter before skip); a row is refused when one of its problems is
-- not resolved, else skipped when one is resolved by skipping, else altered (or still
-- blocked by its user). Problems of rows that are not imported anyway (imported before,
-- merged, skipped with their user, ended sessions) are forgotten, conflicts apart.
CREATE FUNCTION pg_temp.import_decide(entity text, staged regclass, chosen text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	EXECUTE format($q$
		DELETE FROM import_event e USING %s s
		WHERE e.entity = $1 AND e.problem AND e.kind <> 'conflict' AND s.legacy_id = e.legacy_id
			AND s.outcome NOT IN ('insert', 'altered', 'blocked')$q$, staged) USING entity;

	EXECUTE format($q$
		UPDATE %s s SET outcome = CASE
				WHEN d.unresolved THEN 'refused'
				WHEN d.skip THEN 'skipped'
				WHEN s.outcome = 'blocked' THEN 'blocked'
				ELSE 'altered' END
		FROM (
			SELECT e.legacy_id, bool_or(r.rank IS NULL) AS unresolved, bool_or(r.rank = 2) AS skip
			FROM import_event e
			CROSS JOIN LATERAL (
				SELECT min(CASE w.action WHEN 'alter' THEN 1 WHEN 'skip' THEN 2 END) AS rank
				FROM import_way_out w
				WHERE w.kind = e.kind AND w.option = ANY ($2) AND w.action <> 'merge') r
			WHERE e.entity = $1 AND e.problem
			GROUP BY e.legacy_id
		) d
		WHERE s.legacy_id = d.legacy_id$q$, staged) USING entity, chosen;
END
$$;
