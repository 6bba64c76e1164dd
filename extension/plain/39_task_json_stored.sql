/* extension/plain/39_task_json_stored.sql: the Task object stored with the row (the plain install) */

-- The plain install writes the Task object in SQL at 6 us a row against the C function's
-- 1.5 us, which made its list of 20 cost 2.7 times the extension's (docs/benchmarks.md).
-- Here it is written once, when the row is written, into a stored generated column, and
-- todo.task_json reads it: a list reads a column instead of building JSON. A generated
-- column rather than a trigger: PostgreSQL computes it after every BEFORE trigger (the
-- timestamps stamped by 22_tasks.sql's), on INSERT, UPDATE, COPY and pg_restore alike, and
-- ADD COLUMN fills it for the rows already there (an upgrade from 1.2) without firing
-- triggers (updated_at stays as it was). The object depends on the columns alone, never on
-- the session's settings (plain/31_task_json_of.sql), so the stored text is what
-- todo.task_json_of would write at any time, in any session. The extension keeps its C
-- todo.task_json and has no such column.
ALTER TABLE todo.tasks ADD COLUMN stored_json pg_catalog.json
	GENERATED ALWAYS AS (todo.task_json_of(id, user_id, title, description, status, priority,
		due_date, tags, recursion_pattern, completed_at, created_at, updated_at)) STORED;
COMMENT ON COLUMN todo.tasks.stored_json IS
'todo: the Task object of the row (plain install only): todo.task_json reads it';

-- Inlined into the queries that call it (a LANGUAGE sql function of one expression): the
-- planner turns the field of the whole row into the column itself. A NULL row gives NULL.
CREATE OR REPLACE FUNCTION todo.task_json(t todo.tasks)
RETURNS pg_catalog.json
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT t.stored_json $$;
COMMENT ON FUNCTION todo.task_json(todo.tasks) IS
'todo: the contract''s Task object, compact ({"id":"...",...}), as the C todo.task_json writes it: the one stored with the row';
