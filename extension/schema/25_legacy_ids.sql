/* extension/schema/25_legacy_ids.sql: where imported rows came from (since 1.1) */

-- The id a row had in the old app's SQLite database (todoctl import), so that every
-- imported row can be traced back and a second import skips what the first brought in.
ALTER TABLE todo.users ADD COLUMN legacy_id bigint;
ALTER TABLE todo.tasks ADD COLUMN legacy_id bigint;
ALTER TABLE todo.sessions ADD COLUMN legacy_id bigint;
COMMENT ON COLUMN todo.users.legacy_id IS 'todo: id in the legacy SQLite database, NULL for users created here';
COMMENT ON COLUMN todo.tasks.legacy_id IS 'todo: id in the legacy SQLite database, NULL for tasks created here';
COMMENT ON COLUMN todo.sessions.legacy_id IS 'todo: id in the legacy SQLite database, NULL for sessions created here';

CREATE UNIQUE INDEX users_legacy_id_key ON todo.users (legacy_id) WHERE legacy_id IS NOT NULL;
CREATE UNIQUE INDEX tasks_legacy_id_key ON todo.tasks (legacy_id) WHERE legacy_id IS NOT NULL;
CREATE UNIQUE INDEX sessions_legacy_id_key ON todo.sessions (legacy_id) WHERE legacy_id IS NOT NULL;
