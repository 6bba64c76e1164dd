/* extension/schema/27_task_limit.sql: the most tasks one user may have (todo.max_tasks_per_user), and each user's count */

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
CREATE FUNCTION todo.check_task_limit()
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

CREATE TRIGGER tasks_limit AFTER INSERT ON todo.tasks
	REFERENCING NEW TABLE AS new_tasks
	FOR EACH STATEMENT EXECUTE FUNCTION todo.check_task_limit();

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
		-- the row locked before deciding: a concurrent insert's count is waited for and seen
		SELECT c.tasks INTO total FROM todo.task_counts c WHERE c.user_id = removed.user_id FOR UPDATE;
		IF total > removed.tasks THEN
			UPDATE todo.task_counts c SET tasks = c.tasks - removed.tasks WHERE c.user_id = removed.user_id;
		ELSE
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
	SELECT c.tasks INTO total FROM todo.task_counts c WHERE c.user_id = OLD.user_id FOR UPDATE;
	IF total > 1 THEN
		UPDATE todo.task_counts c SET tasks = c.tasks - 1 WHERE c.user_id = OLD.user_id;
	ELSE
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
