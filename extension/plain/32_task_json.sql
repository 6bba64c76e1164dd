/* extension/plain/32_task_json.sql: the Task object, in SQL (the plain install) */

-- The plain-SQL install's version of the C function todo.task_json (extension/src/task_json.c),
-- which the extension declares in extension/schema/32_task_json.sql. The two must produce
-- identical output, byte for byte: the compact object {"id":"...","user_id":"...",...}
-- with the members in the contract's order and no white space. It is built by
-- concatenating the to_json() text of each value (json_build_object would put " : " and
-- ", " between them), with null for any null value. sql/plain.sql checks that both agree
-- on every row of the task_json test and on rows of its own. A NULL row gives NULL, as
-- from the C function, which is STRICT (a STRICT SQL function would not be inlined into the
-- queries that call it, and inlined it costs nothing but its expression).
CREATE FUNCTION todo.task_json(t todo.tasks)
RETURNS pg_catalog.json
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN t IS DISTINCT FROM NULL THEN pg_catalog.concat(
		'{"id":', coalesce(pg_catalog.to_json(t.id), 'null'),
		',"user_id":', coalesce(pg_catalog.to_json(t.user_id), 'null'),
		',"title":', coalesce(pg_catalog.to_json(t.title), 'null'),
		',"description":', coalesce(pg_catalog.to_json(t.description), 'null'),
		',"status":', coalesce(pg_catalog.to_json(t.status), 'null'),
		',"completed":', coalesce(pg_catalog.to_json(t.status OPERATOR(pg_catalog.=) 'completed'::todo.task_status), 'null'),
		',"priority":', coalesce(pg_catalog.to_json(t.priority), 'null'),
		',"due_date":', coalesce(pg_catalog.to_json(todo.rfc3339(t.due_date)), 'null'),
		',"tags":', coalesce(pg_catalog.to_json(t.tags), 'null'),
		',"recursion_pattern":', coalesce(pg_catalog.to_json(t.recursion_pattern), 'null'),
		',"completed_at":', coalesce(pg_catalog.to_json(todo.rfc3339(t.completed_at)), 'null'),
		',"created_at":', coalesce(pg_catalog.to_json(todo.rfc3339(t.created_at)), 'null'),
		',"updated_at":', coalesce(pg_catalog.to_json(todo.rfc3339(t.updated_at)), 'null'),
		'}')::pg_catalog.json END
$$;
COMMENT ON FUNCTION todo.task_json(todo.tasks) IS
'todo: the contract''s Task object, compact ({"id":"...",...}), as the C todo.task_json writes it';

REVOKE EXECUTE ON FUNCTION todo.task_json(todo.tasks) FROM PUBLIC;
