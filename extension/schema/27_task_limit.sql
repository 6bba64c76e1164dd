/* extension/schema/27_task_limit.sql: the most tasks one user may have (todo.max_tasks_per_user) */

-- A list without limit returns every task of a user, and every row costs storage: a user's
-- tasks are bounded, for the API and direct SQL alike (the importer too). Checked after each
-- statement that inserts tasks, for each user it inserted for, under a per-user
-- transaction lock: two concurrent inserts cannot pass the limit together (the second
-- counts after the first committed). Past it: SQLSTATE TDL09, HTTP 409 task_limit_reached
-- (docs/sql-api.md), and the statement's rows are rolled back with it.
CREATE FUNCTION todo.check_task_limit()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	max_tasks integer := todo.max_tasks_per_user();
	owner uuid;
BEGIN
	FOR owner IN SELECT DISTINCT n.user_id FROM new_tasks n ORDER BY n.user_id LOOP
		PERFORM pg_advisory_xact_lock(hashtextextended('todo.tasks of ' || owner::text, 0));
		IF (SELECT count(*) FROM (SELECT FROM todo.tasks t WHERE t.user_id = owner LIMIT max_tasks + 1) mine) > max_tasks THEN
			PERFORM todo.raise_error('TDL09',
				format('task limit reached: a user may have at most %s tasks; delete some first', max_tasks),
				jsonb_build_object('limit', max_tasks));
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.check_task_limit() IS 'todo: trigger refusing tasks past todo.max_tasks_per_user';

CREATE TRIGGER tasks_limit AFTER INSERT ON todo.tasks
	REFERENCING NEW TABLE AS new_tasks
	FOR EACH STATEMENT EXECUTE FUNCTION todo.check_task_limit();
