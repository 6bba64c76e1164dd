/* extension/plain/31_task_json_of.sql: the Task object of a task's columns (the plain install) */

-- The body of the plain install's todo.task_json (plain/32_task_json.sql), taking the columns
-- rather than the row, so that the Task object can be a stored generated column of
-- todo.tasks (plain/39_task_json_stored.sql): a generation expression may not take the
-- whole row and must be IMMUTABLE. Its result depends on the columns alone: the
-- timestamps are written in UTC (AT TIME ZONE 'UTC', then to_json of a timestamp, which is
-- ISO 8601 whatever DateStyle, TimeZone or IntervalStyle say), uuids, texts and arrays
-- have one JSON text each. The one thing that could change it later is renaming a label of
-- todo.task_status or todo.task_priority, which the schema never does (a release that did
-- would have to rewrite the column: UPDATE todo.tasks SET id = id).
-- The output is the C todo.task_json's (extension/src/task_json.c), byte for byte: the
-- compact object {"id":"...","user_id":"...",...} with the members in the contract's order
-- and no white space, built by concatenating the to_json() text of each value
-- (json_build_object would put " : " and ", " between them), null for a null value.
-- BEGIN ATOMIC: the body is stored parsed, with its dependencies (todo.rfc3339, the enum
-- types), so that pg_restore creates those before todo.tasks, whose column inlines it.
CREATE FUNCTION todo.task_json_of(id uuid, user_id uuid, title text, description text,
	status todo.task_status, priority todo.task_priority, due_date timestamptz, tags text[],
	recursion_pattern text, completed_at timestamptz, created_at timestamptz, updated_at timestamptz)
RETURNS pg_catalog.json
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT pg_catalog.concat(
		'{"id":', coalesce(pg_catalog.to_json(id), 'null'),
		',"user_id":', coalesce(pg_catalog.to_json(user_id), 'null'),
		',"title":', coalesce(pg_catalog.to_json(title), 'null'),
		',"description":', coalesce(pg_catalog.to_json(description), 'null'),
		',"status":', coalesce(pg_catalog.to_json(status), 'null'),
		',"completed":', coalesce(pg_catalog.to_json(status OPERATOR(pg_catalog.=) 'completed'::todo.task_status), 'null'),
		',"priority":', coalesce(pg_catalog.to_json(priority), 'null'),
		',"due_date":', coalesce(pg_catalog.to_json(todo.rfc3339(due_date)), 'null'),
		',"tags":', coalesce(pg_catalog.to_json(tags), 'null'),
		',"recursion_pattern":', coalesce(pg_catalog.to_json(recursion_pattern), 'null'),
		',"completed_at":', coalesce(pg_catalog.to_json(todo.rfc3339(completed_at)), 'null'),
		',"created_at":', coalesce(pg_catalog.to_json(todo.rfc3339(created_at)), 'null'),
		',"updated_at":', coalesce(pg_catalog.to_json(todo.rfc3339(updated_at)), 'null'),
		'}')::pg_catalog.json;
END;
COMMENT ON FUNCTION todo.task_json_of(uuid, uuid, text, text, todo.task_status, todo.task_priority, timestamptz, text[], text, timestamptz, timestamptz, timestamptz) IS
'todo: the contract''s Task object of a task''s columns, as the C todo.task_json writes it (plain install)';

REVOKE EXECUTE ON FUNCTION todo.task_json_of(uuid, uuid, text, text, todo.task_status, todo.task_priority, timestamptz, text[], text, timestamptz, timestamptz, timestamptz) FROM PUBLIC;
-- todo_owner writes the tasks (the API functions run as it): the column's expression runs as it
GRANT EXECUTE ON FUNCTION todo.task_json_of(uuid, uuid, text, text, todo.task_status, todo.task_priority, timestamptz, text[], text, timestamptz, timestamptz, timestamptz) TO todo_owner;
