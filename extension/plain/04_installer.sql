/* extension/plain/04_installer.sql: what the installing role needs when it is not a superuser (Neon) */

-- CREATE EXTENSION runs as a superuser. The plain install may run as a role with CREATEROLE
-- and CREATE on the database instead (on Neon, a member of neon_superuser). To give a table
-- or function to todo_owner (ALTER ... OWNER TO), such a role must be a member of todo_owner,
-- and todo_owner must have CREATE on the object's schema. The membership stays: it is what
-- lets that role migrate the schema and write todo.settings later (docs/deploy-neon.md).
-- The CREATE privilege is revoked at the end of the install (99_installer.sql).
DO $$
BEGIN
	IF NOT pg_catalog.pg_has_role(CURRENT_USER, 'todo_owner', 'MEMBER') THEN
		EXECUTE pg_catalog.format('GRANT todo_owner TO %I', CURRENT_USER);
	END IF;
END
$$;
GRANT CREATE ON SCHEMA todo, api TO todo_owner;
