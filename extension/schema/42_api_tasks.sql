/* extension/schema/42_api_tasks.sql: create, get, update, delete, complete one task */

-- The next occurrence of a recurring task that has just become completed: same fields,
-- pending, due one period later. NULL when t does not recur (no pattern or no due date).
CREATE FUNCTION todo.create_next_occurrence(t todo.tasks)
RETURNS todo.tasks
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	next_task todo.tasks;
BEGIN
	IF t.recursion_pattern IS NULL OR t.due_date IS NULL THEN
		RETURN NULL;
	END IF;
	INSERT INTO todo.tasks (user_id, title, description, priority, due_date, tags, recursion_pattern)
	VALUES (t.user_id, t.title, t.description, t.priority,
		todo.advance_due_date(t.due_date, t.recursion_pattern), t.tags, t.recursion_pattern)
	RETURNING * INTO next_task;
	RETURN next_task;
END
$$;
COMMENT ON FUNCTION todo.create_next_occurrence(todo.tasks) IS 'todo: the next occurrence of a recurring task just completed';

-- The caller's task task_id, locked for the rest of the transaction; 404 when there is
-- none (malformed ids included: never tell whether another user's task exists).
CREATE FUNCTION todo.lock_task(task_id text)
RETURNS todo.tasks
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t todo.tasks;
BEGIN
	SELECT * INTO t FROM todo.tasks
	WHERE id = todo.try_uuid(task_id) AND user_id = todo.current_user_id()
	FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM todo.raise_error('TD404', 'task not found');
	END IF;
	RETURN t;
END
$$;
COMMENT ON FUNCTION todo.lock_task(text) IS 'todo: lock one of the caller''s tasks (404 when there is none)';

-- Applies fields (from todo.task_fields) to the locked task old and returns the API
-- result: the task, and meta.next_task when the change completed a recurring task.
CREATE FUNCTION todo.update_task(old todo.tasks, fields jsonb)
RETURNS api.result
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t todo.tasks;
	next_task todo.tasks;
BEGIN
	UPDATE todo.tasks SET
		title = CASE WHEN fields ? 'title' THEN fields ->> 'title' ELSE title END,
		description = CASE WHEN fields ? 'description' THEN fields ->> 'description' ELSE description END,
		priority = CASE WHEN fields ? 'priority' THEN (fields ->> 'priority')::todo.task_priority ELSE priority END,
		due_date = CASE WHEN fields ? 'due_date' THEN (fields ->> 'due_date')::timestamptz ELSE due_date END,
		tags = CASE WHEN fields ? 'tags' THEN ARRAY(SELECT jsonb_array_elements_text(fields -> 'tags')) ELSE tags END,
		recursion_pattern = CASE WHEN fields ? 'recursion_pattern' THEN fields ->> 'recursion_pattern' ELSE recursion_pattern END,
		status = CASE WHEN fields ? 'status' THEN (fields ->> 'status')::todo.task_status ELSE status END
	WHERE id = old.id
	RETURNING * INTO t;

	IF old.status = 'pending' AND t.status = 'completed' THEN
		next_task := todo.create_next_occurrence(t);
	END IF;
	RETURN (todo.task_json(t),
		CASE WHEN next_task.id IS NOT NULL THEN json_build_object('next_task', todo.task_json(next_task)) END,
		NULL)::api.result;
END
$$;
COMMENT ON FUNCTION todo.update_task(todo.tasks, jsonb) IS 'todo: change a locked task, creating the next occurrence on completion';

CREATE FUNCTION api.task_create(body jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
	fields jsonb := todo.task_fields(body, true);
	t todo.tasks;
BEGIN
	INSERT INTO todo.tasks (user_id, title, description, status, priority, due_date, tags, recursion_pattern)
	VALUES (session.user_id,
		fields ->> 'title',
		fields ->> 'description',
		coalesce(fields ->> 'status', 'pending')::todo.task_status,
		coalesce(fields ->> 'priority', 'medium')::todo.task_priority,
		(fields ->> 'due_date')::timestamptz,
		coalesce(ARRAY(SELECT jsonb_array_elements_text(fields -> 'tags')), '{}'),
		fields ->> 'recursion_pattern')
	RETURNING * INTO t;
	RETURN (todo.task_json(t), NULL, NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.task_create(jsonb) IS 'POST /api/{user_id}/tasks: create a task';

CREATE FUNCTION api.task_get(task_id text)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
	result api.result;
BEGIN
	SELECT todo.task_json(t), NULL, NULL INTO result
	FROM todo.tasks t
	WHERE t.id = todo.try_uuid(task_id) AND t.user_id = session.user_id;
	IF NOT FOUND THEN
		PERFORM todo.raise_error('TD404', 'task not found');
	END IF;
	RETURN result;
END
$$;
COMMENT ON FUNCTION api.task_get(text) IS 'GET /api/{user_id}/tasks/{id}: one task';

CREATE FUNCTION api.task_update(task_id text, body jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
	old todo.tasks := todo.lock_task(task_id);
BEGIN
	RETURN todo.update_task(old, todo.task_fields(body, false));
END
$$;
COMMENT ON FUNCTION api.task_update(text, jsonb) IS 'PUT /api/{user_id}/tasks/{id}: change any subset of a task''s fields';

CREATE FUNCTION api.task_delete(task_id text)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
BEGIN
	DELETE FROM todo.tasks WHERE id = todo.try_uuid(task_id) AND user_id = session.user_id;
	IF NOT FOUND THEN
		PERFORM todo.raise_error('TD404', 'task not found');
	END IF;
	RETURN (NULL, NULL, NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.task_delete(text) IS 'DELETE /api/{user_id}/tasks/{id}: delete a task';

-- Without a body, toggles completion; with {"completed": true|false}, sets it.
CREATE FUNCTION api.task_complete(task_id text, body jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
	old todo.tasks := todo.lock_task(task_id);
	errors jsonb;
	completed boolean := old.status = 'pending';
BEGIN
	IF body IS NOT NULL THEN
		errors := todo.unknown_field_errors(body, '{completed}');
		IF jsonb_typeof(body -> 'completed') IS DISTINCT FROM 'boolean' THEN
			errors := errors || todo.field_error('completed', 'must be true or false');
		END IF;
		IF errors <> '[]' THEN
			PERFORM todo.raise_validation(errors);
		END IF;
		completed := (body -> 'completed')::boolean;
	END IF;
	RETURN todo.update_task(old, jsonb_build_object('status',
		CASE WHEN completed THEN 'completed' ELSE 'pending' END));
END
$$;
COMMENT ON FUNCTION api.task_complete(text, jsonb) IS 'PATCH /api/{user_id}/tasks/{id}/complete: toggle or set completion';
