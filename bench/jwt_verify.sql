-- bench/jwt_verify.sql: todo.jwt_verify (C) against the same check in PL/pgSQL with
-- pgcrypto's hmac(), 100,000 calls each on one valid token (run by bench/run.sh as superuser).
-- Each figure is the median of 3 runs, timed with clock_timestamp() inside the server; the
-- calls are made by one query over generate_series, whose own cost per row is shown apart.
\set ON_ERROR_STOP 1
SET client_min_messages = notice;

-- pgcrypto is relocatable: call hmac() where it lives
SELECT n.nspname AS crypto_schema
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'pgcrypto' \gset
SET search_path = :"crypto_schema", pg_catalog;

CREATE FUNCTION pg_temp.b64url_decode(data text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS
$$ SELECT decode(translate(data, '-_', '+/') || repeat('=', (4 - length(data) % 4) % 4), 'base64') $$;

-- what todo.jwt_verify checks on a token like the API's, written in PL/pgSQL
CREATE FUNCTION pg_temp.jwt_verify_plpgsql(token text) RETURNS jsonb
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
	parts text[] := string_to_array(token, '.');
	header jsonb;
	payload jsonb;
	expected bytea;
	given bytea;
	diff integer := 0;
BEGIN
	IF length(token) > 8192 OR cardinality(parts) <> 3 THEN
		RAISE EXCEPTION USING ERRCODE = 'TD401', MESSAGE = 'invalid token';
	END IF;
	header := convert_from(pg_temp.b64url_decode(parts[1]), 'UTF8')::jsonb;
	IF jsonb_typeof(header) <> 'object' OR header ->> 'alg' IS DISTINCT FROM 'HS256' THEN
		RAISE EXCEPTION USING ERRCODE = 'TD401', MESSAGE = 'token algorithm must be HS256';
	END IF;
	expected := hmac(parts[1] || '.' || parts[2], current_setting('todo.jwt_secret'), 'sha256');
	given := pg_temp.b64url_decode(parts[3]);
	IF length(given) <> 32 THEN
		RAISE EXCEPTION USING ERRCODE = 'TD401', MESSAGE = 'invalid token';
	END IF;
	FOR i IN 0..31 LOOP
		diff := diff | (get_byte(expected, i) # get_byte(given, i));
	END LOOP;
	IF diff <> 0 THEN
		RAISE EXCEPTION USING ERRCODE = 'TD401', MESSAGE = 'invalid token signature';
	END IF;
	payload := convert_from(pg_temp.b64url_decode(parts[2]), 'UTF8')::jsonb;
	IF jsonb_typeof(payload) <> 'object' OR jsonb_typeof(payload -> 'exp') IS DISTINCT FROM 'number' THEN
		RAISE EXCEPTION USING ERRCODE = 'TD401', MESSAGE = 'invalid token';
	END IF;
	IF (payload ->> 'exp')::numeric < extract(epoch FROM now()) - current_setting('todo.jwt_leeway')::integer THEN
		RAISE EXCEPTION USING ERRCODE = 'TD401', MESSAGE = 'token has expired';
	END IF;
	RETURN payload;
END
$$;

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
	IF todo.jwt_verify(token) IS DISTINCT FROM pg_temp.jwt_verify_plpgsql(token) THEN
		RAISE EXCEPTION 'the two implementations disagree on the token';
	END IF;
	BEGIN
		PERFORM pg_temp.jwt_verify_plpgsql(left(token, -1) || CASE WHEN right(token, 1) = 'A' THEN 'E' ELSE 'A' END);
		RAISE EXCEPTION 'the PL/pgSQL check accepted a tampered token';
	EXCEPTION WHEN SQLSTATE 'TD401' THEN
		NULL;
	END;

	loop_us := pg_temp.us_per_call(format(
		'SELECT count(length(t)) FROM generate_series(1, $1), (SELECT %L::text AS t) AS s', token), 100000, 3);
	c_us := pg_temp.us_per_call(format(
		'SELECT count(todo.jwt_verify(t)) FROM generate_series(1, $1), (SELECT %L::text AS t) AS s', token), 100000, 3);
	plpgsql_us := pg_temp.us_per_call(format(
		'SELECT count(pg_temp.jwt_verify_plpgsql(t)) FROM generate_series(1, $1), (SELECT %L::text AS t) AS s', token), 100000, 3);

	RAISE NOTICE 'token of % bytes; the query''s own cost: % us per row', length(token), round(loop_us::numeric, 3);
	RAISE NOTICE 'todo.jwt_verify (C): % us per call (target <= 5 us)', round(c_us::numeric, 2);
	RAISE NOTICE 'PL/pgSQL with pgcrypto hmac(): % us per call', round(plpgsql_us::numeric, 2);
	RAISE NOTICE 'ratio PL/pgSQL / C: %x', round((plpgsql_us / c_us)::numeric, 1);
END
$$;
