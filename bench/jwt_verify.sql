-- bench/jwt_verify.sql: todo.jwt_verify (C) against the plain-SQL install's, the same check
-- in PL/pgSQL with pgcrypto's hmac(), 100,000 calls each on one valid token (run by
-- bench/run.sh as superuser, from the top of the repository).
-- Each figure is the median of 3 runs, timed with clock_timestamp() inside the server; the
-- calls are made by one query over generate_series, whose own cost per row is shown apart.
\set ON_ERROR_STOP 1
SET client_min_messages = notice;

-- the plain-SQL install's todo.jwt_verify, the same function in PL/pgSQL with pgcrypto's
-- hmac() (extension/plain/10_jwt.sql), in schema regress_plain as sql/plain.sql
-- loads it, with the cluster's secret
CREATE SCHEMA regress_plain;
\i extension/build/plain/regress_plain.sql
-- (the secret is in the file todo.jwt_secret_file names; todo.jwt_secret, when set, overrides it)
UPDATE regress_plain.settings SET jwt_secret = coalesce(nullif(current_setting('todo.jwt_secret'), ''),
	rtrim(pg_read_file(current_setting('todo.jwt_secret_file')), E'\r\n'));

-- microseconds per row of query (which makes rows calls), median of runs runs
CREATE FUNCTION pg_temp.us_per_call(query text, rows integer, runs integer) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	us double precision[] := '{}';
BEGIN
	EXECUTE query USING 1000;	-- warm up
	FOR i IN 1..runs LOOP
		t0 := clock_timestamp();
		EXECUTE query USING rows;
		us := us || extract(epoch FROM clock_timestamp() - t0) * 1e6 / rows;
	END LOOP;
	RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY u) FROM unnest(us) AS u);
END
$$;

DO $$
DECLARE
	-- a token like the ones api.login issues
	token text := todo.jwt_sign(jsonb_build_object('sub', gen_random_uuid(), 'jti', gen_random_uuid(),
		'iat', floor(extract(epoch FROM now())), 'exp', floor(extract(epoch FROM now())) + 3600));
	loop_us double precision;
	c_us double precision;
	plpgsql_us double precision;
BEGIN
	-- both accept the token, with the same claims, and refuse a tampered one
	IF todo.jwt_verify(token) IS DISTINCT FROM regress_plain.jwt_verify(token) THEN
		RAISE EXCEPTION 'the two implementations disagree on the token';
	END IF;
	BEGIN
		PERFORM regress_plain.jwt_verify(left(token, -1) || CASE WHEN right(token, 1) = 'A' THEN 'E' ELSE 'A' END);
		RAISE EXCEPTION 'the PL/pgSQL check accepted a tampered token';
	EXCEPTION WHEN SQLSTATE 'TD401' THEN
		NULL;
	END;

	loop_us := pg_temp.us_per_call(format(
		'SELECT count(length(t)) FROM generate_series(1, $1), (SELECT %L::text AS t) AS s', token), 100000, 3);
	c_us := pg_temp.us_per_call(format(
		'SELECT count(todo.jwt_verify(t)) FROM generate_series(1, $1), (SELECT %L::text AS t) AS s', token), 100000, 3);
	plpgsql_us := pg_temp.us_per_call(format(
		'SELECT count(regress_plain.jwt_verify(t)) FROM generate_series(1, $1), (SELECT %L::text AS t) AS s', token), 100000, 3);

	RAISE NOTICE 'token of % bytes; the query''s own cost: % us per row', length(token), round(loop_us::numeric, 3);
	RAISE NOTICE 'todo.jwt_verify (C): % us per call (target <= 5 us)', round(c_us::numeric, 2);
	RAISE NOTICE 'the plain install''s (PL/pgSQL, pgcrypto hmac()): % us per call', round(plpgsql_us::numeric, 2);
	RAISE NOTICE 'ratio plain / C: %x', round((plpgsql_us / c_us)::numeric, 1);
END
$$;
SET client_min_messages = warning;
DROP SCHEMA regress_plain CASCADE;
