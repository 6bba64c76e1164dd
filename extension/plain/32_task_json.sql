/* extension/plain/32_task_json.sql: the Task object, in SQL (the plain install) */

-- The plain-SQL install's version of the C function todo.task_json (extension/src/task_json.c),
-- which the extension declares in extension/schema/32_task_json.sql. The two must produce
-- identical output, byte for byte (todo.task_json_of, plain/31_task_json_of.sql, writes
-- it). sql/plain.sql checks that both agree on every row of the task_json test and on rows
-- of its own. A NULL row gives NULL, as from the C function, which is STRICT.
-- plain/39_task_json_stored.sql then replaces this function in the install by one that
-- reads the object stored with the row.
CREATE FUNCTION todo.task_json(t todo.tasks)
RETURNS pg_catalog.json
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN t IS DISTINCT FROM NULL THEN todo.task_json_of(t.id, t.user_id, t.title,
		t.description, t.status, t.priority, t.due_date, t.tags, t.recursion_pattern,
		t.completed_at, t.created_at, t.updated_at) END
$$;
COMMENT ON FUNCTION todo.task_json(todo.tasks) IS
'todo: the contract''s Task object, compact ({"id":"...",...}), as the C todo.task_json writes it';

REVOKE EXECUTE ON FUNCTION todo.task_json(todo.tasks) FROM PUBLIC;
