-- 30_health.sql: api.health, the version check behind GET /api/v1/health.
BEGIN;
\ir _helpers.psql
SELECT plan(8);

SELECT pg_temp.installed_version() AS installed \gset
SELECT pg_temp.req('todo_anon');
SELECT data AS health, meta IS NULL AND error IS NULL AS clean FROM api.health() \gset
SELECT ok(:'clean', 'health: meta and error are NULL');
SELECT is(:'health'::jsonb, jsonb_build_object('schema_version', :'installed'),
	'health: data is exactly {"schema_version": <installed version>}');
SELECT CASE WHEN pg_temp.plain()
	THEN is(:'health'::json ->> 'schema_version', :'installed', 'health: schema_version is the row of todo.schema_version (plain install)')
	ELSE is(:'health'::json ->> 'schema_version', (SELECT extversion FROM pg_extension WHERE extname = 'todo'),
		'health: schema_version is the installed extension version')
	END;
SELECT is(:'health'::json ->> 'schema_version', (SELECT default_version FROM pg_available_extensions WHERE name = 'todo'),
	'health: the installed version is the packaged default version (schema up to date)');
SELECT pg_temp.req('todo_user', '', '');
SELECT is((SELECT data::jsonb FROM api.health()), :'health'::jsonb, 'health: todo_user without a token gets the same answer');
SELECT pg_temp.req('todo_user', 'not.a.token', 'not-a-user');
SELECT lives_ok('SELECT * FROM api.health()', 'health: needs no authentication (a bad token and path are ignored)');
RESET ROLE;
SELECT volatility_is('api', 'health', ARRAY[]::name[], 'stable', 'health: api.health is STABLE');
SELECT is((SELECT proconfig FROM pg_proc WHERE oid = 'api.health()'::regprocedure), ARRAY['search_path=pg_catalog, pg_temp'],
	'health: api.health pins its search_path');

SELECT * FROM finish();
ROLLBACK;
