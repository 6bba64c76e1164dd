-- bench/jws_verify.sql: other issuers' signatures verified in the database (issue 10):
-- todo.jws_verify (C, OpenSSL 3) per algorithm, 100,000 calls, and the plain install's
-- (PL/pgSQL) beside it; todo.authenticate() for such a token, its first request
-- (verification, user, session) and its later ones (its session). Each figure is the
-- median of 3 runs, in CPU time of the backend. Run by bench/run.sh as superuser, from the
-- top of the repository; the keys and tokens: test/pgtap/_jws_fixtures.psql.
\set ON_ERROR_STOP 1
SET client_min_messages = notice;
\i test/pgtap/_jws_fixtures.psql
-- the plain install's PL/pgSQL twins (extension/plain/12_jws.sql, 13_signatures.sql), in
-- schema regress_plain as sql/jws.sql loads them
CREATE SCHEMA regress_plain;
\i extension/build/plain/regress_plain.sql

-- This backend's CPU time so far, in microseconds (utime + stime of /proc/PID/stat, in
-- clock ticks of 10 ms): unlike the wall clock, it does not grow while other processes
-- hold the CPU, and the machine is shared. (SECURITY DEFINER: also as todo_owner, below.)
CREATE FUNCTION pg_temp.cpu_us() RETURNS double precision LANGUAGE sql SECURITY DEFINER AS $$
	SELECT (f[12]::bigint + f[13]::bigint) * 10000.0
	FROM (SELECT string_to_array(split_part(pg_read_file('/proc/' || pg_backend_pid() || '/stat'), ') ', 2), ' ') AS f) s
$$;

-- CPU microseconds per row of query (which makes rows calls), median of runs runs
CREATE FUNCTION pg_temp.us_per_call(query text, rows integer, runs integer) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
	t0 double precision;
	us double precision[] := '{}';
BEGIN
	EXECUTE query USING least(rows, 1000);	-- warm up
	FOR i IN 1..runs LOOP
		t0 := pg_temp.cpu_us();
		EXECUTE query USING rows;
		us := us || (pg_temp.cpu_us() - t0) / rows;
	END LOOP;
	RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY u) FROM unnest(us) AS u);
END
$$;

CREATE TEMP TABLE bench_tokens (alg text, jwk jsonb, token text);
INSERT INTO bench_tokens VALUES ('EdDSA', :'jwk_eddsa', :'tok_eddsa'), ('ES256', :'jwk_es256', :'tok_es256'),
	('RS256', :'jwk_rs256', :'tok_rs256'), ('HS256', jsonb_build_object('kty', 'oct',
		'k', translate(encode(convert_to(:'hs_secret', 'UTF8'), 'base64'), E'+/=\n', '-_')), :'tok_hs256');

DO $$
DECLARE
	t record;
	plain_calls integer;
	loop_us double precision := pg_temp.us_per_call(
		'SELECT count(CASE WHEN g > 0 THEN ''x''::bytea END) FROM generate_series(1, $1) g', 100000, 3);
BEGIN
	RAISE NOTICE 'the query''s own cost: % us per row (an argument depends on the row, or the planner would fold the IMMUTABLE call into a constant)', round(loop_us::numeric, 3);
	FOR t IN SELECT b.alg, b.jwk, d.* FROM bench_tokens b, todo.jws_decode(b.token) d LOOP
		-- enough calls for the CPU clock's 10 ms ticks
		plain_calls := CASE t.alg WHEN 'HS256' THEN 5000 ELSE 50 END;
		IF NOT todo.jws_verify(t.alg, t.jwk, t.signing_input, t.signature) THEN
			RAISE EXCEPTION '% token does not verify', t.alg;
		END IF;
		RAISE NOTICE 'todo.jws_verify %: % us per call (C, 100,000 calls); the plain install''s PL/pgSQL: % us (% calls)',
			rpad(t.alg, 5), round(pg_temp.us_per_call(format(
				'SELECT count(todo.jws_verify(%L, %L, %L, CASE WHEN g > 0 THEN %L::bytea END)) FROM generate_series(1, $1) g',
				t.alg, t.jwk, t.signing_input, t.signature), 100000, 3)::numeric, 1),
			round(pg_temp.us_per_call(format(
				'SELECT count(regress_plain.jws_verify(%L, %L, %L, CASE WHEN g > 0 THEN %L::bytea END)) FROM generate_series(1, $1) g',
				t.alg, t.jwk, t.signing_input, t.signature), plain_calls, 3)::numeric, 0), plain_calls;
	END LOOP;
END
$$;

-- todo.authenticate() with an EdDSA token, as a request runs it (as todo_owner, the role of
-- the API functions): a token's first request, then its later requests
SELECT todo.issuer_add('bench', 'https://app.example', 'https://app.example/api/auth/jwks', NULL, 'https://app.example', NULL) AS added,
	api.gateway_store_jwks('bench', jsonb_build_object('keys', jsonb_build_array(:'jwk_eddsa'::jsonb))) AS keys,
	set_config('bench.token', :'tok_eddsa', false) AS token \gset
CREATE FUNCTION pg_temp.auth_us(token text, first boolean, n integer) RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
	t0 double precision;
	total double precision := 0;
BEGIN
	PERFORM set_config('app.token', token, true);
	FOR i IN 1..n LOOP
		IF first THEN
			DELETE FROM todo.sessions WHERE token_jti = todo.presented_token_key();
		END IF;
		t0 := pg_temp.cpu_us();
		PERFORM todo.authenticate();
		total := total + (pg_temp.cpu_us() - t0);
	END LOOP;
	RETURN total / n;
END
$$;
SET ROLE todo_owner;
DO $$
DECLARE
	first_us double precision[] := '{}';
	later_us double precision[] := '{}';
BEGIN
	FOR i IN 1..3 LOOP
		first_us := first_us || pg_temp.auth_us(current_setting('bench.token'), true, 2000);
		later_us := later_us || pg_temp.auth_us(current_setting('bench.token'), false, 20000);
	END LOOP;
	RAISE NOTICE 'todo.authenticate() EdDSA token, first request (verify, user, session): % us',
		round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY u) FROM unnest(first_us) u)::numeric, 1);
	RAISE NOTICE 'todo.authenticate() EdDSA token, later requests (its session): % us',
		round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY u) FROM unnest(later_us) u)::numeric, 1);
END
$$;
RESET ROLE;
SET client_min_messages = warning;
SELECT todo.issuer_remove('bench') AS removed \gset
DROP SCHEMA regress_plain CASCADE;
