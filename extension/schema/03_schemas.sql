/* extension/schema/03_schemas.sql: schema todo (private: tables, rules) and api (what request roles call) */

-- schema todo is created by CREATE EXTENSION (todo.control)
REVOKE ALL ON SCHEMA todo FROM PUBLIC;
GRANT USAGE ON SCHEMA todo TO todo_owner;

CREATE SCHEMA api;
COMMENT ON SCHEMA api IS 'todo: the business API, one function per operation of the HTTP contract';
REVOKE ALL ON SCHEMA api FROM PUBLIC;
GRANT USAGE ON SCHEMA api TO todo_anon, todo_user, todo_owner;
