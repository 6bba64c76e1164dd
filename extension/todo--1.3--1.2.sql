/* extension/todo--1.3--1.2.sql: downgrade 1.3 -> 1.2, undoing todo--1.2--1.3.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.2'" to load this file. \quit

-- Idempotency-Key (issue 13): the keys and their stored answers go with it. The functions
-- returning a table's row type before the tables, those their policies use after.
DROP FUNCTION api.idempotent_register(text, text, text, text);
DROP FUNCTION api.idempotent_call(text, text, text, text, text, text);
DROP FUNCTION todo.logout_scope();
DROP TYPE api.idempotent_result;
DROP FUNCTION todo.idempotency_store(text, text, bytea, api.result);
DROP FUNCTION todo.forget_idempotency_keys(integer);
DROP FUNCTION todo.idempotency_claim(text, text, bytea);
DROP TABLE todo.idempotency_keys;
DROP TABLE todo.idempotency_settings;
DROP FUNCTION todo.check_idempotency_key(text);
DROP FUNCTION todo.idempotency_fingerprint(text, text, text);
DROP FUNCTION todo.idempotency_scope();
DROP FUNCTION todo.idempotency_key_lifetime();
DROP FUNCTION todo.random_bytes(integer);
DROP FUNCTION todo.hmac_digest(bytea, bytea);

-- Issue 11 undone: the task limit counts the user's tasks again (1.2's trigger function), and
-- the counts go (nothing is lost: they are the tasks' count).
DROP TRIGGER tasks_forget_counts ON todo.tasks;
DROP TRIGGER tasks_move_count ON todo.tasks;
DROP TRIGGER tasks_uncount ON todo.tasks;
DROP FUNCTION todo.forget_task_counts();
DROP FUNCTION todo.move_task_count();
DROP FUNCTION todo.uncount_tasks();
DROP TABLE todo.task_counts;
CREATE OR REPLACE FUNCTION todo.check_task_limit()
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

