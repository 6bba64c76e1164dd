/* extension/plain/00_header.sql: the start of the plain-SQL install, in place of CREATE EXTENSION */

-- No guard: psql -f and todoctl migrate run this script as it is, in one transaction.
-- CREATE EXTENSION todo would install pgcrypto (todo.control requires it) and create
-- schema todo; here the script does both. pgcrypto may already be installed, in any
-- schema: 10_jwt.sql and 34_passwords.sql call it where it is.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE SCHEMA todo;
