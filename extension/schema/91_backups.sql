/* extension/schema/91_backups.sql: what pg_dump includes (docs/data-model.md, Backups) */

-- pg_dump backs up the rows of an extension's tables only when they are registered as its
-- configuration. The plain install (no CREATE EXTENSION, so no pg_extension row for todo)
-- has ordinary tables, whose rows pg_dump includes anyway: todo.settings too, and with it
-- the JWT secret, so that a dump of it is as secret as the secret (docs/deploy-neon.md).
DO $$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'todo') THEN
		PERFORM pg_catalog.pg_extension_config_dump('todo.users', '');
		PERFORM pg_catalog.pg_extension_config_dump('todo.tasks', '');
		PERFORM pg_catalog.pg_extension_config_dump('todo.sessions', '');
		PERFORM pg_catalog.pg_extension_config_dump('todo.login_attempts', '');
	END IF;
END
$$;
-- Not todo.password_costs nor todo.task_counts: restoring the users and the tasks rebuilds
-- them (their triggers), so they are not dumped.
