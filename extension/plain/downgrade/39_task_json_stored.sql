/* extension/plain/downgrade/39_task_json_stored.sql: back to the Task object written on read (plain install, 1.3 -> 1.2) */

-- Undoes plain/39_task_json_stored.sql and plain/31_task_json_of.sql: 1.2's todo.task_json,
-- as 1.2 defined it, then the column and the function that wrote it go.
CREATE OR REPLACE FUNCTION todo.task_json(t todo.tasks)
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
ALTER TABLE todo.tasks DROP COLUMN stored_json;
DROP FUNCTION todo.task_json_of(uuid, uuid, text, text, todo.task_status, todo.task_priority, timestamptz, text[], text, timestamptz, timestamptz, timestamptz);
