-- bench/plain.sql: one round of the figures of bench/plain.sh, run alike in the extension's
-- database and in the plain install's. In-database timings (clock_timestamp() inside the
-- server: no client or network time), printed as lines "figure value". The first round in a database makes the fixtures: a user with 20 tasks
-- and one with 10,000, each registered through the API (so each has a token).
\set ON_ERROR_STOP 1
\set QUIET on

CREATE FUNCTION pg_temp.median(x double precision[]) RETURNS double precision
LANGUAGE sql AS $$ SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM unnest(x) AS v $$;

CREATE TABLE IF NOT EXISTS public.bench_plain (tasks integer PRIMARY KEY, token text NOT NULL);
SELECT NOT EXISTS (SELECT FROM public.bench_plain) AS make_fixtures \gset
\if :make_fixtures
BEGIN;
SET LOCAL ROLE todo_anon;
CREATE TEMPORARY TABLE bench_logins AS
SELECT n AS tasks, (api.register(jsonb_build_object('username', 'bench_' || n, 'email', 'bench_' || n || '@example.com',
	'password', 'benchmark1'))).data AS login
FROM (VALUES (20), (10000)) AS x(n);
RESET ROLE;
INSERT INTO public.bench_plain SELECT tasks, login ->> 'access_token' FROM bench_logins;
-- inserted directly: the API's speed is measured, not the fixtures' (like bench/database.sql)
INSERT INTO todo.tasks (user_id, title, description, priority, due_date, tags, status)
SELECT (l.login -> 'user' ->> 'id')::uuid, 'task number ' || i, 'description of task ' || i,
	(ARRAY['low', 'medium', 'high'])[1 + i % 3]::todo.task_priority, now() + i * interval '1 hour',
	ARRAY['t' || (i % 7), 'work'], CASE WHEN i % 4 = 0 THEN 'completed' ELSE 'pending' END::todo.task_status
FROM bench_logins l, generate_series(1, l.tasks) AS i;
COMMIT;
ANALYZE todo.tasks;
\endif
SELECT (SELECT token FROM public.bench_plain WHERE tasks = 20) AS token20,
	(SELECT token FROM public.bench_plain WHERE tasks = 10000) AS token10000 \gset

-- microseconds per todo.jwt_verify of token: calls calls a run, less the query's own cost
-- per row; the best of 3 runs
CREATE FUNCTION pg_temp.jwt_verify_us(token text, calls integer) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	loop_us double precision[] := '{}';
	us double precision[] := '{}';
BEGIN
	PERFORM count(todo.jwt_verify(token)) FROM generate_series(1, calls / 10);	-- warm up
	FOR i IN 1..3 LOOP
		t0 := clock_timestamp();
		PERFORM count(length(token)) FROM generate_series(1, calls);
		loop_us := loop_us || extract(epoch FROM clock_timestamp() - t0) * 1e6 / calls;
		t0 := clock_timestamp();
		PERFORM count(todo.jwt_verify(token)) FROM generate_series(1, calls);
		us := us || extract(epoch FROM clock_timestamp() - t0) * 1e6 / calls;
	END LOOP;
	RETURN (SELECT min(u) FROM unnest(us) AS u) - (SELECT min(u) FROM unnest(loop_us) AS u);
END
$$;

-- milliseconds per GET /api/{user_id}/tasks as the gateway runs it: api.task_list('{}') as
-- todo_user with the user's token, so that each call also verifies the token and checks the
-- session; the whole list, newest first; median of calls calls
CREATE FUNCTION pg_temp.task_list_ms(token text, tasks integer, calls integer) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	ms double precision[] := '{}';
	r api.result;
BEGIN
	PERFORM set_config('app.token', token, true), set_config('app.user_id', '', true);
	r := api.task_list('{}');	-- warm up
	IF json_array_length(r.data) <> tasks THEN
		RAISE EXCEPTION 'the list has % tasks, not %', json_array_length(r.data), tasks;
	END IF;
	FOR i IN 1..calls LOOP
		t0 := clock_timestamp();
		r := api.task_list('{}');
		ms := ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
	END LOOP;
	RETURN pg_temp.median(ms);
END
$$;

SELECT round(pg_temp.jwt_verify_us(:'token20', 20000)::numeric, 2) AS jwt_verify \gset
BEGIN;
SET LOCAL ROLE todo_user;
SELECT round(pg_temp.task_list_ms(:'token20', 20, 1000)::numeric, 3) AS task_list_20,
	round(pg_temp.task_list_ms(:'token10000', 10000, 15)::numeric, 2) AS task_list_10000 \gset
ROLLBACK;
\echo jwt_verify_us :jwt_verify
\echo task_list_20_ms :task_list_20
\echo task_list_10000_ms :task_list_10000
