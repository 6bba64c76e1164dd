/* extension/plain/99_installer.sql: the end of what 04_installer.sql allowed for the install */

REVOKE CREATE ON SCHEMA todo, api FROM todo_owner;
