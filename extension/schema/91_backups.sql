/* extension/schema/91_backups.sql: what pg_dump includes (docs/data-model.md, Backups) */

-- pg_dump backs up extension tables' rows only when asked to.
SELECT pg_catalog.pg_extension_config_dump('todo.users', '');
SELECT pg_catalog.pg_extension_config_dump('todo.tasks', '');
SELECT pg_catalog.pg_extension_config_dump('todo.sessions', '');
SELECT pg_catalog.pg_extension_config_dump('todo.login_attempts', '');
