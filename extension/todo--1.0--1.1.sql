/* extension/todo--1.0--1.1.sql: upgrade 1.0 -> 1.1, the legacy ids of imported rows */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.1'" to load this file. \quit

-- Every lock the script needs, at once and in the order API calls take them (a session,
-- then its user, then tasks): taken one by one in another order, they deadlock with
-- concurrent requests. Requests wait for the migration meanwhile (docs/migrations.md).
LOCK TABLE todo.sessions, todo.users, todo.tasks IN ACCESS EXCLUSIVE MODE;

-- Adding a nullable column without a default changes only the catalog; the time goes to
-- the index builds, each reading the table once.
ALTER TABLE todo.users ADD COLUMN legacy_id bigint;
ALTER TABLE todo.tasks ADD COLUMN legacy_id bigint;
ALTER TABLE todo.sessions ADD COLUMN legacy_id bigint;
COMMENT ON COLUMN todo.users.legacy_id IS 'todo: id in the legacy SQLite database, NULL for users created here';
COMMENT ON COLUMN todo.tasks.legacy_id IS 'todo: id in the legacy SQLite database, NULL for tasks created here';
COMMENT ON COLUMN todo.sessions.legacy_id IS 'todo: id in the legacy SQLite database, NULL for sessions created here';

CREATE UNIQUE INDEX users_legacy_id_key ON todo.users (legacy_id) WHERE legacy_id IS NOT NULL;
CREATE UNIQUE INDEX tasks_legacy_id_key ON todo.tasks (legacy_id) WHERE legacy_id IS NOT NULL;
CREATE UNIQUE INDEX sessions_legacy_id_key ON todo.sessions (legacy_id) WHERE legacy_id IS NOT NULL;
