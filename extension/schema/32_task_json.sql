/* extension/schema/32_task_json.sql: the Task object, written in C */

-- The Task object is written in C (extension/src/task_json.c), some ten times faster than
-- json_build_object, which looks up the type of every value of every row; the function is
-- declared here, not with the other C functions (10_jwt.sql, 11_tags.sql), because its
-- argument is a row of todo.tasks.
-- extension/plain/32_task_json.sql is the same function in SQL, for installs without C.
CREATE FUNCTION todo.task_json(t todo.tasks)
RETURNS pg_catalog.json
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'task_json';

COMMENT ON FUNCTION todo.task_json(todo.tasks) IS
'todo: the contract''s Task object, compact ({"id":"...",...}); columns found by name';

REVOKE EXECUTE ON FUNCTION todo.task_json(todo.tasks) FROM PUBLIC;
