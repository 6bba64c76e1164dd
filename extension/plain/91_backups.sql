/* extension/plain/91_backups.sql: what pg_dump includes (plain install) */

-- Nothing to register: the plain install's tables are ordinary tables, not members of an
-- extension, so pg_dump includes all their rows. That includes todo.settings, and with it
-- the JWT secret: a dump is as secret as the secret (docs/deploy-neon.md).
