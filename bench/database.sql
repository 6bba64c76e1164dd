-- bench/database.sql: in-database figures of the core issue (run by bench/run.sh as superuser)
--   listing 10,000 tasks of one user as JSON (one value, and the rows the gateway
--   streams), one task by id, and registering a user.
-- Each figure is the median of repeated runs, timed with clock_timestamp() inside the
-- server, so no client or network time is included.
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = notice;

-- one user with 10,000 tasks (inserted directly: the API's own speed is what we measure)
BEGIN;
SET LOCAL ROLE todo_anon;
SELECT set_config('bench.registration', (api.register('{"username":"bench_user","email":"bench@example.com","password":"benchmark1"}')).data::text, false);
COMMIT;
SELECT set_config('bench.token', current_setting('bench.registration')::json ->> 'access_token', false),
       set_config('bench.user', current_setting('bench.registration')::json -> 'user' ->> 'id', false);
INSERT INTO todo.tasks (user_id, title, description, priority, due_date, tags, status)
SELECT current_setting('bench.user')::uuid, 'task number ' || i, 'description of task ' || i,
       (ARRAY['low','medium','high'])[1 + i % 3]::todo.task_priority,
       now() + i * interval '1 hour', ARRAY['t' || (i % 7), 'work'],
       CASE WHEN i % 4 = 0 THEN 'completed' ELSE 'pending' END::todo.task_status
FROM generate_series(1, 10000) i;
ANALYZE todo.tasks;

CREATE FUNCTION pg_temp.median(ms double precision[]) RETURNS double precision LANGUAGE sql AS
$$ SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m) FROM unnest(ms) m $$;
-- The CPU time this backend has used, in ms (/proc/self/stat: utime + stime, in clock
-- ticks of 10 ms): unlike the wall clock, other work on a shared machine barely moves it.
-- Linux only; security definer so that the request role can read it.
CREATE FUNCTION pg_temp.cpu_ms() RETURNS double precision LANGUAGE sql SECURITY DEFINER AS
$$ SELECT (f[12]::bigint + f[13]::bigint) * 10.0
   FROM (SELECT regexp_split_to_array(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ') AS f) s $$;

-- The issue's reference statement (bench/reference_list.sql) on the same 10,000 tasks, as
-- the superuser, in the same run: what this machine takes for the work itself. The 15 ms
-- target was set on a machine where the list took 31 ms; machines differ by 2x and more
-- (docs/benchmarks.md), and the ratio to the reference does not.
DO $$
DECLARE
	t0 timestamptz;
	c0 double precision;
	ms double precision[] := '{}';
	jti text;
	j json;
BEGIN
	SELECT s.token_jti INTO jti FROM todo.sessions s WHERE s.user_id = current_setting('bench.user')::uuid;
	c0 := pg_temp.cpu_ms();
	FOR i IN 1..25 LOOP
		t0 := clock_timestamp();
		SELECT json_agg(t ORDER BY t.created_at DESC) INTO j FROM todo.tasks t
		WHERE t.user_id = current_setting('bench.user')::uuid
			AND EXISTS (SELECT 1 FROM todo.sessions s WHERE s.token_jti = jti AND NOT s.revoked AND s.expires_at > now());
		ms := ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
	END LOOP;
	PERFORM set_config('bench.reference_ms', pg_temp.median(ms)::text, false),
		set_config('bench.reference_cpu', ((pg_temp.cpu_ms() - c0) / 25)::text, false);
END
$$;

BEGIN;
SET LOCAL ROLE todo_user;
SELECT set_config('app.token', current_setting('bench.token'), true);
DO $$
DECLARE
	t0 timestamptz;
	c0 double precision;
	list_cpu double precision;
	list_ms double precision[] := '{}';
	rows_cpu double precision;
	rows_ms double precision[] := '{}';
	get_ms double precision[] := '{}';
	task_id text;
	r api.result;
	n integer;
BEGIN
	c0 := pg_temp.cpu_ms();
	FOR i IN 1..25 LOOP
		t0 := clock_timestamp();
		r := api.task_list('{}');
		list_ms := list_ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
	END LOOP;
	list_cpu := (pg_temp.cpu_ms() - c0) / 25;
	-- the streamed list (issue 11): every row made, as the gateway reads them
	c0 := pg_temp.cpu_ms();
	FOR i IN 1..25 LOOP
		t0 := clock_timestamp();
		PERFORM * FROM api.task_list_rows('{}');
		rows_ms := rows_ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
	END LOOP;
	rows_cpu := (pg_temp.cpu_ms() - c0) / 25;
	n := json_array_length(r.data);
	task_id := r.data -> 5000 ->> 'id';
	FOR i IN 1..2000 LOOP
		t0 := clock_timestamp();
		r := api.task_get(task_id);
		get_ms := get_ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
	END LOOP;
	RAISE NOTICE 'the reference statement on the same % tasks (bench/reference_list.sql, superuser): median % ms over 25 runs, % ms of CPU per call',
		n, round(current_setting('bench.reference_ms')::numeric, 2), round(current_setting('bench.reference_cpu')::numeric, 1);
	RAISE NOTICE 'list % tasks as JSON (api.task_list): median % ms over 25 runs, % ms of CPU per call, %x the reference (target <= 15 ms)',
		n, round(pg_temp.median(list_ms)::numeric, 2), round(list_cpu::numeric, 1),
		round((pg_temp.median(list_ms) / current_setting('bench.reference_ms')::double precision)::numeric, 2);
	RAISE NOTICE 'list % tasks as rows (api.task_list_rows, streamed): median % ms over 25 runs, % ms of CPU per call, %x the reference (target <= 15 ms)',
		n, round(pg_temp.median(rows_ms)::numeric, 2), round(rows_cpu::numeric, 1),
		round((pg_temp.median(rows_ms) / current_setting('bench.reference_ms')::double precision)::numeric, 2);
	RAISE NOTICE 'one task by id (api.task_get): median % ms over 2000 runs (target <= 0.2 ms)',
		round(pg_temp.median(get_ms)::numeric, 3);
END
$$;
ROLLBACK;

BEGIN;
SET LOCAL ROLE todo_anon;
DO $$
DECLARE
	t0 timestamptz;
	ms double precision[] := '{}';
BEGIN
	FOR i IN 1..10 LOOP
		t0 := clock_timestamp();
		PERFORM api.register(format('{"username":"bench_r%s","email":"r%s@example.com","password":"benchmark1"}', i, i)::jsonb);
		ms := ms || extract(epoch FROM clock_timestamp() - t0) * 1000;
	END LOOP;
	RAISE NOTICE 'register a user (api.register, bcrypt cost %): median % ms over 10 runs',
		current_setting('todo.bcrypt_cost'), round(pg_temp.median(ms)::numeric, 1);
END
$$;
ROLLBACK;
