/* extension/todo--1.2--1.3.sql: upgrade 1.2 -> 1.3, the request path's performance (issue 11) and Idempotency-Key (issue 13) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.3'" to load this file. \quit

-- Issue 11: each user's number of tasks in a row of its own (schema/27_task_limit.sql), in
-- place of counting the user's tasks under an advisory lock after every insert. The table
-- it alters, locked first (docs/migrations.md): no task is inserted or deleted between the
-- count below and the triggers that keep it. Counting 1,000,000 tasks takes about 0.2 s.
LOCK TABLE todo.tasks IN ACCESS EXCLUSIVE MODE;

-- The plain install may be migrated by a role that is not a superuser (Neon): todo_owner
-- may create in its schemas for the migration only, as for its install.
-- plain install: 04_installer.sql

-- A list without limit returns every task of a user, and every row costs storage: a user's
-- tasks are bounded, for the API and direct SQL alike (the importer too). Past it: SQLSTATE
-- TDL09, HTTP 409 task_limit_reached (docs/sql-api.md), and the statement's rows are rolled
-- back with it.
--
-- Each user's number of tasks is kept in a row of its own, changed in the same transaction
-- as the tasks by the triggers below: an insert adds to it and checks the limit, holding
-- that one small row's lock until it commits, so two concurrent inserts for one user cannot
-- pass the limit together, and inserts for different users never wait for each other.
-- (Counting the user's tasks after every insert instead costs O(tasks) and serialised one
-- user's inserts behind an advisory lock: docs/benchmarks.md.) A user without tasks has no
-- row. Not dumped (91_backups.sql): restoring the tasks rebuilds it, through these triggers.
CREATE TABLE todo.task_counts (
	user_id uuid PRIMARY KEY,
	tasks integer NOT NULL CONSTRAINT task_counts_tasks_positive CHECK (tasks > 0)
);
COMMENT ON TABLE todo.task_counts IS 'todo: number of tasks of each user who has any (the task limit), kept by triggers on todo.tasks';

-- After each statement that inserts tasks: for each user it inserted for, in user order (so
-- that two multi-user statements take the rows' locks in one order), add to the count.
CREATE OR REPLACE FUNCTION todo.check_task_limit()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	max_tasks integer := todo.max_tasks_per_user();
	added record;
	total integer;
BEGIN
	FOR added IN SELECT n.user_id, count(*)::integer AS tasks FROM new_tasks n GROUP BY n.user_id ORDER BY n.user_id LOOP
		INSERT INTO todo.task_counts AS c (user_id, tasks) VALUES (added.user_id, added.tasks)
		ON CONFLICT (user_id) DO UPDATE SET tasks = c.tasks + excluded.tasks
		RETURNING c.tasks INTO total;
		IF total > max_tasks THEN
			PERFORM todo.raise_error('TDL09',
				format('task limit reached: a user may have at most %s tasks; delete some first', max_tasks),
				jsonb_build_object('limit', max_tasks));
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.check_task_limit() IS 'todo: trigger counting inserted tasks and refusing those past todo.max_tasks_per_user';

-- After each statement that deletes tasks (a user's deletion too, through its cascade):
-- subtract, in user order; a count that reaches zero goes.
CREATE FUNCTION todo.uncount_tasks()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	removed record;
	total integer;
BEGIN
	FOR removed IN SELECT o.user_id, count(*)::integer AS tasks FROM old_tasks o GROUP BY o.user_id ORDER BY o.user_id LOOP
		UPDATE todo.task_counts c SET tasks = c.tasks - removed.tasks WHERE c.user_id = removed.user_id AND c.tasks > removed.tasks
		RETURNING c.tasks INTO total;
		IF total IS NULL THEN
			DELETE FROM todo.task_counts c WHERE c.user_id = removed.user_id;
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.uncount_tasks() IS 'todo: trigger subtracting deleted tasks from todo.task_counts';

CREATE TRIGGER tasks_uncount AFTER DELETE ON todo.tasks
	REFERENCING OLD TABLE AS old_tasks
	FOR EACH STATEMENT EXECUTE FUNCTION todo.uncount_tasks();

-- A task given to another user (direct SQL only: the API never changes user_id) moves
-- from one count to the other, and the limit holds for its new owner.
CREATE FUNCTION todo.move_task_count()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	max_tasks integer := todo.max_tasks_per_user();
	total integer;
BEGIN
	UPDATE todo.task_counts c SET tasks = c.tasks - 1 WHERE c.user_id = OLD.user_id AND c.tasks > 1
	RETURNING c.tasks INTO total;
	IF total IS NULL THEN
		DELETE FROM todo.task_counts c WHERE c.user_id = OLD.user_id;
	END IF;
	INSERT INTO todo.task_counts AS c (user_id, tasks) VALUES (NEW.user_id, 1)
	ON CONFLICT (user_id) DO UPDATE SET tasks = c.tasks + 1
	RETURNING c.tasks INTO total;
	IF total > max_tasks THEN
		PERFORM todo.raise_error('TDL09',
			format('task limit reached: a user may have at most %s tasks; delete some first', max_tasks),
			jsonb_build_object('limit', max_tasks));
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.move_task_count() IS 'todo: trigger moving a task given to another user between the counts of todo.task_counts';

CREATE TRIGGER tasks_move_count AFTER UPDATE OF user_id ON todo.tasks
	FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id)
	EXECUTE FUNCTION todo.move_task_count();

-- TRUNCATE deletes without DELETE triggers: the counts go with the tasks.
CREATE FUNCTION todo.forget_task_counts()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	TRUNCATE todo.task_counts;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.forget_task_counts() IS 'todo: trigger emptying todo.task_counts when todo.tasks is truncated';

CREATE TRIGGER tasks_forget_counts AFTER TRUNCATE ON todo.tasks
	FOR EACH STATEMENT EXECUTE FUNCTION todo.forget_task_counts();

-- the counts of the tasks there are, before the table's row-level security is on; the
-- tasks' is lifted for the count (a role that is not a superuser, as on Neon, is subject to
-- it as the tables' owner), in this transaction, which holds the table's lock throughout
ALTER TABLE todo.tasks NO FORCE ROW LEVEL SECURITY;
INSERT INTO todo.task_counts (user_id, tasks)
SELECT t.user_id, count(*)::integer FROM todo.tasks t GROUP BY t.user_id;
ALTER TABLE todo.tasks FORCE ROW LEVEL SECURITY;

ALTER TABLE todo.task_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.task_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY task_counts_owner ON todo.task_counts
	USING (user_id = (SELECT todo.current_user_id()))
	WITH CHECK (user_id = (SELECT todo.current_user_id()));
ALTER TABLE todo.task_counts OWNER TO todo_owner;
REVOKE EXECUTE ON FUNCTION todo.uncount_tasks(), todo.move_task_count(), todo.forget_task_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION todo.uncount_tasks(), todo.move_task_count(), todo.forget_task_counts() TO todo_owner;

-- plain install: 99_installer.sql
