-- sql/jwt.sql: todo.jwt_sign, todo.jwt_verify and the todo.* settings
--
-- Tokens depend on the cluster's secret and on the clock, so the output shows properties:
-- round trips, and the SQLSTATE and message of each refusal. Reference tokens are built
-- independently with pgcrypto's hmac().
\set VERBOSITY terse

-- 'ok', or the SQLSTATE and message of the error the statement raised
CREATE FUNCTION regress_try(statement text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE statement;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- what todo.jwt_verify says of token
CREATE FUNCTION regress_verify(token text) RETURNS text
LANGUAGE sql AS $$
	SELECT regress_try(format('SELECT todo.jwt_verify(%L)', token));
$$;

CREATE FUNCTION regress_b64url(data bytea) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT translate(encode(data, 'base64'), E'+/=\n', '-_');
$$;

CREATE FUNCTION regress_b64url(data text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT regress_b64url(convert_to(data, 'UTF8'));
$$;

CREATE FUNCTION regress_b64url_decode(data text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT convert_from(decode(translate(data, '-_', '+/') || repeat('=', (4 - length(data) % 4) % 4), 'base64'), 'UTF8');
$$;

-- the cluster's key, from the file of todo.jwt_secret_file (a superuser may read it), also
-- as the session's todo.jwt_secret, which these tests SET and RESET
CREATE FUNCTION regress_cluster_secret() RETURNS text
LANGUAGE sql AS $$ SELECT rtrim(pg_read_file(current_setting('todo.jwt_secret_file')), E'\r\n') $$;
SELECT set_config('todo.jwt_secret', regress_cluster_secret(), false) <> '' AS secret_from_file;

-- header.payload signed with HMAC-SHA256 under secret (the cluster's by default)
CREATE FUNCTION regress_token(header text, payload text,
	secret text DEFAULT current_setting('todo.jwt_secret')) RETURNS text
LANGUAGE sql AS $$
	SELECT signed || '.' || regress_b64url(hmac(signed, secret, 'sha256'))
	FROM (SELECT regress_b64url(header) || '.' || regress_b64url(payload) AS signed) AS s;
$$;

-- now, in whole seconds since 1970, plus offset
CREATE FUNCTION regress_epoch(seconds_from_now integer DEFAULT 0) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT floor(extract(epoch FROM now()))::bigint + seconds_from_now;
$$;

CREATE FUNCTION regress_hs256(payload text) RETURNS text
LANGUAGE sql AS $$
	SELECT regress_token('{"alg":"HS256","typ":"JWT"}', payload);
$$;

--
-- settings
--
SHOW todo.jwt_leeway;
SHOW todo.jwt_lifetime;
SHOW todo.bcrypt_cost;
SELECT current_setting('todo.jwt_issuer') = '' AS no_issuer,
	current_setting('todo.jwt_audience') = '' AS no_audience,
	length(current_setting('todo.jwt_secret')) >= 32 AS secret_set;
-- the secret is not listed, not even to a superuser
SELECT count(*) FROM pg_settings WHERE name = 'todo.jwt_secret';
SELECT name, setting, context, vartype, min_val, max_val
FROM pg_settings WHERE name LIKE 'todo.%' ORDER BY name;
SELECT regress_try('SET todo.jwt_leeway = 301');
SELECT regress_try('SET todo.jwt_lifetime = 59');
SELECT regress_try('SET todo.bcrypt_cost = 16');
-- the prefix is reserved
SELECT regress_try('SET todo.no_such_setting = 1');

--
-- jwt_sign
--
-- the exact format: fixed header, the jsonb's text, HMAC-SHA256 of both segments
SELECT split_part(t, '.', 1) AS header,
	regress_b64url_decode(split_part(t, '.', 1)) AS header_json,
	regress_b64url_decode(split_part(t, '.', 2)) AS payload_json,
	t = regress_hs256(c::text) AS signature_matches_pgcrypto,
	t !~ '[=+/]' AS unpadded_base64url
FROM (SELECT c, todo.jwt_sign(c) AS t
	FROM (SELECT '{"sub": "8a3f4c1e-1b2d-4f5e-9a8b-7c6d5e4f3a2b", "exp": 4102444800, "name": "Élodie \"É\""}'::jsonb AS c) AS x) AS y;
-- payload lengths of every residue modulo 3 round-trip through base64url
SELECT n, todo.jwt_verify(todo.jwt_sign(c)) = c AS round_trip
FROM (SELECT n, jsonb_build_object('exp', regress_epoch(60), 'pad', repeat('x', n)) AS c
	FROM generate_series(0, 2) AS n) AS x;
SELECT todo.jwt_verify(todo.jwt_sign(c)) = c AS round_trip,
	todo.jwt_verify(todo.jwt_sign(c)) -> 'tags' AS tags
FROM (SELECT jsonb_build_object('sub', 'u1', 'jti', 'j1', 'iat', regress_epoch(), 'exp', regress_epoch(3600),
	'tags', '["été", "\u00e9\"\\", "🎉"]'::jsonb) AS c) AS x;
-- claims must be an object, and fit in a token
SELECT regress_try($$SELECT todo.jwt_sign('[1, 2]')$$);
SELECT regress_try($$SELECT todo.jwt_sign('"claims"')$$);
-- (a token is at most 8192 bytes: 36 + 1 + 8028 + 1 + 43 = 8109 for a payload of 6021 bytes)
SELECT length(todo.jwt_sign(jsonb_build_object('exp', 1, 'pad', repeat('x', 6000)))) AS token_length;
SELECT regress_try($$SELECT todo.jwt_sign(jsonb_build_object('exp', 1, 'pad', repeat('x', 6100)))$$);
SELECT regress_verify(todo.jwt_sign(jsonb_build_object('exp', regress_epoch(60), 'pad', repeat('x', 6000)))) AS long_token;
SELECT todo.jwt_sign(NULL) IS NULL AS strict;

--
-- jwt_verify: tampering and algorithms
--
CREATE TEMPORARY TABLE regress_good AS
SELECT todo.jwt_sign(jsonb_build_object('sub', 'u1', 'exp', regress_epoch(3600))) AS t;
SELECT regress_verify(t) FROM regress_good;
-- signature, payload, header changed (the signature's second-to-last character: all 6 of its bits
-- are the signature's, so the token stays well-formed and its signature always differs)
SELECT regress_verify(left(t, -2) || CASE WHEN left(right(t, 2), 1) = 'A' THEN 'B' ELSE 'A' END || right(t, 1)) FROM regress_good;
SELECT regress_verify(split_part(t, '.', 1) || '.' || regress_b64url(jsonb_build_object('sub', 'u2', 'exp', regress_epoch(3600))::text)
	|| '.' || split_part(t, '.', 3)) FROM regress_good;
SELECT regress_verify(regress_b64url('{"alg":"HS256","typ":"JWT","kid":"x"}') || '.' || split_part(t, '.', 2)
	|| '.' || split_part(t, '.', 3)) FROM regress_good;
-- signed with another key
SELECT regress_verify(regress_token('{"alg":"HS256","typ":"JWT"}', jsonb_build_object('exp', regress_epoch(60))::text,
	repeat('k', 32)));
-- alg none, with no signature or with a valid HMAC all the same
SELECT regress_verify(regress_b64url('{"alg":"none","typ":"JWT"}') || '.' || regress_b64url(jsonb_build_object('exp', regress_epoch(60))::text) || '.');
SELECT regress_verify(regress_token('{"alg":"none"}', jsonb_build_object('exp', regress_epoch(60))::text));
SELECT alg, regress_verify(regress_token(header, jsonb_build_object('exp', regress_epoch(60))::text))
FROM (VALUES ('HS512', '{"alg":"HS512","typ":"JWT"}'),
	('RS256', '{"alg":"RS256","typ":"JWT"}'),
	('hs256', '{"alg":"hs256"}'),
	('HS256 padded', '{"alg":"HS256 "}'),
	('missing', '{"typ":"JWT"}'),
	('null', '{"alg":null}'),
	('array', '{"alg":["HS256"]}'),
	('nested only', '{"x":{"alg":"HS256"}}'),
	('twice', '{"alg":"none","alg":"HS256"}'),
	('twice, same', '{"alg":"HS256","alg":"HS256"}'),
	('escaped', '{"alg":"HS\u0032\u0035\u0036"}'),
	('reordered', E'{ "typ" : "JWT",\n "alg" : "HS256" }'),
	('crit', '{"alg":"HS256","crit":["exp"]}')) AS h(alg, header);

--
-- jwt_verify: malformed tokens
--
SELECT what, regress_verify(token)
FROM (VALUES ('empty', ''),
	('one segment', 'abc'),
	('two segments', 'eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9'),
	('four segments', 'a.b.c.d'),
	('empty segments', '..'),
	('header not base64url', 'eyJhbGciOiJIUzI1NiJ9+.eyJleHAiOjF9.' || repeat('A', 43)),
	('header padded', 'eyJhbGciOiJIUzI1NiJ9==.eyJleHAiOjF9.' || repeat('A', 43)),
	('header impossible length', 'eyJhbGciOiJIUzI1NiJ9A.eyJleHAiOjF9.' || repeat('A', 43)),
	('header not JSON', regress_b64url('{alg:HS256}') || '.eyJleHAiOjF9.' || repeat('A', 43)),
	('header an array', regress_b64url('["alg","HS256"]') || '.eyJleHAiOjF9.' || repeat('A', 43)),
	('header not UTF-8', regress_b64url(convert_to('{"alg":"HS256","x":"', 'UTF8') || '\xff'::bytea || convert_to('"}', 'UTF8'))
		|| '.eyJleHAiOjF9.' || repeat('A', 43)),
	('header too long', regress_b64url('{"alg":"HS256","x":"' || repeat('x', 1000) || '"}') || '.eyJleHAiOjF9.' || repeat('A', 43)),
	('signature too short', 'eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.' || repeat('A', 42)),
	('signature too long', 'eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.' || repeat('A', 44)),
	('signature padded', 'eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.' || repeat('A', 43) || '='),
	('signature standard base64', 'eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.' || repeat('A', 42) || '/'),
	('token too long', repeat('a', 9000)),
	('whitespace', ' ' || (SELECT t FROM regress_good))) AS x(what, token);
-- the last character of a 32-byte signature carries 2 unused bits: they must be zero
SELECT regress_verify(left(t, -1) || translate(right(t, 1), 'AEIMQUYcgkosw048BFJNRVZdhlptx159', 'BFJNRVZdhlptx159AEIMQUYcgkosw048'))
FROM (SELECT regress_hs256(jsonb_build_object('exp', regress_epoch(60))::text) AS t) AS x;
-- validly signed payloads that are not claim objects
SELECT what, regress_verify(regress_hs256(payload))
FROM (VALUES ('not JSON', '{"exp":'),
	('an array', '[{"exp":4102444800}]'),
	('a string', '"exp"'),
	('empty', ''),
	('\u0000', '{"exp":4102444800,"x":"\u0000"}'),
	('lone surrogate', '{"exp":4102444800,"x":"\ud800"}'),
	('beyond numeric', '{"exp":4102444800,"x":1e200000}'),
	('trailing garbage', '{"exp":4102444800} x')) AS x(what, payload);
SELECT regress_verify(regress_b64url('{"alg":"HS256"}') || '.' || regress_b64url('{"exp":4102444800}'::bytea || '\x00'::bytea) || '.'
	|| regress_b64url(hmac(regress_b64url('{"alg":"HS256"}') || '.' || regress_b64url('{"exp":4102444800}'::bytea || '\x00'::bytea),
		current_setting('todo.jwt_secret'), 'sha256'))) AS nul_in_payload;
SELECT todo.jwt_verify(NULL) IS NULL AS strict;

--
-- jwt_verify: time claims (leeway 30 s by default)
--
SELECT what, regress_verify(regress_hs256(payload::text))
FROM (VALUES ('exp in 60 s', jsonb_build_object('exp', regress_epoch(60))),
	('exp 20 s ago, within leeway', jsonb_build_object('exp', regress_epoch(-20))),
	('exp 40 s ago', jsonb_build_object('exp', regress_epoch(-40))),
	('exp long ago', jsonb_build_object('exp', 1000000000)),
	('exp fractional, within leeway', jsonb_build_object('exp', regress_epoch(-29) + 0.999)),
	('exp huge', '{"exp": 1e1000}'::jsonb),
	('exp negative', '{"exp": -1}'::jsonb),
	('no exp', '{"sub": "u1"}'::jsonb),
	('exp a string', jsonb_build_object('exp', regress_epoch(60)::text)),
	('exp null', '{"exp": null}'::jsonb),
	('nbf past', jsonb_build_object('exp', regress_epoch(60), 'nbf', regress_epoch(-60))),
	('nbf in 20 s, within leeway', jsonb_build_object('exp', regress_epoch(60), 'nbf', regress_epoch(20))),
	('nbf in 40 s', jsonb_build_object('exp', regress_epoch(60), 'nbf', regress_epoch(40))),
	('nbf a string', jsonb_build_object('exp', regress_epoch(60), 'nbf', '0')),
	('iat now', jsonb_build_object('exp', regress_epoch(60), 'iat', regress_epoch())),
	('iat in 20 s, within leeway', jsonb_build_object('exp', regress_epoch(60), 'iat', regress_epoch(20))),
	('iat in 40 s', jsonb_build_object('exp', regress_epoch(60), 'iat', regress_epoch(40))),
	('iat an object', jsonb_build_object('exp', regress_epoch(60), 'iat', '{}'::jsonb))) AS x(what, payload);
-- leeway 0 and 300
SET todo.jwt_leeway = 0;
SELECT regress_verify(regress_hs256(jsonb_build_object('exp', regress_epoch(-20))::text)) AS exp_20_s_ago,
	regress_verify(regress_hs256(jsonb_build_object('exp', regress_epoch(60), 'nbf', regress_epoch(20))::text)) AS nbf_in_20_s,
	regress_verify(regress_hs256(jsonb_build_object('exp', regress_epoch(60), 'iat', regress_epoch(20))::text)) AS iat_in_20_s,
	regress_verify(regress_hs256(jsonb_build_object('exp', regress_epoch(20), 'nbf', regress_epoch(-20), 'iat', regress_epoch(-20))::text)) AS valid;
SET todo.jwt_leeway = 300;
SELECT regress_verify(regress_hs256(jsonb_build_object('exp', regress_epoch(-290))::text)) AS exp_290_s_ago,
	regress_verify(regress_hs256(jsonb_build_object('exp', regress_epoch(-310))::text)) AS exp_310_s_ago;
RESET todo.jwt_leeway;

--
-- jwt_verify: issuer and audience, checked only when configured
--
SELECT regress_verify(regress_hs256(jsonb_build_object('exp', regress_epoch(60), 'iss', 'someone', 'aud', 'anyone')::text)) AS unconfigured;
SET todo.jwt_issuer = 'https://todo.example';
SELECT what, regress_verify(regress_hs256(payload::text))
FROM (VALUES ('same', jsonb_build_object('exp', regress_epoch(60), 'iss', 'https://todo.example')),
	('other', jsonb_build_object('exp', regress_epoch(60), 'iss', 'https://evil.example')),
	('prefix', jsonb_build_object('exp', regress_epoch(60), 'iss', 'https://todo.example/')),
	('missing', jsonb_build_object('exp', regress_epoch(60))),
	('in an array', jsonb_build_object('exp', regress_epoch(60), 'iss', '["https://todo.example"]'::jsonb))) AS x(what, payload);
RESET todo.jwt_issuer;
SET todo.jwt_audience = 'todo-web';
SELECT what, regress_verify(regress_hs256(payload::text))
FROM (VALUES ('string', jsonb_build_object('exp', regress_epoch(60), 'aud', 'todo-web')),
	('array containing it', jsonb_build_object('exp', regress_epoch(60), 'aud', '["other", "todo-web"]'::jsonb)),
	('other string', jsonb_build_object('exp', regress_epoch(60), 'aud', 'todo-mobile')),
	('array without it', jsonb_build_object('exp', regress_epoch(60), 'aud', '["other", ["todo-web"]]'::jsonb)),
	('empty array', jsonb_build_object('exp', regress_epoch(60), 'aud', '[]'::jsonb)),
	('object', jsonb_build_object('exp', regress_epoch(60), 'aud', '{"todo-web": true}'::jsonb)),
	('missing', jsonb_build_object('exp', regress_epoch(60)))) AS x(what, payload);
RESET todo.jwt_audience;

--
-- the secret: at least 32 bytes, superuser-only; an empty setting means the file's
--
SET todo.jwt_secret = '';
SELECT regress_try($$SELECT todo.jwt_sign('{"exp": 1}')$$) AS sign,
	regress_verify((SELECT t FROM regress_good)) AS verify;
SET todo.jwt_secret = '0123456789abcdef0123456789abcde';
SELECT regress_try($$SELECT todo.jwt_sign('{"exp": 1}')$$) AS sign,
	regress_verify((SELECT t FROM regress_good)) AS verify;
SET todo.jwt_secret = '0123456789abcdef0123456789abcdef';
SELECT regress_verify(todo.jwt_sign(jsonb_build_object('exp', regress_epoch(60)))) AS own_token,
	regress_verify((SELECT t FROM regress_good)) AS token_of_the_old_secret;
RESET todo.jwt_secret;
SELECT regress_verify(t) AS old_secret_back FROM regress_good;

SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_reader;
RESET client_min_messages;
CREATE ROLE regress_reader;
GRANT USAGE ON SCHEMA todo TO regress_reader;
GRANT SELECT ON regress_good TO regress_reader;
SET ROLE regress_reader;
SHOW todo.jwt_secret;
SELECT current_setting('todo.jwt_secret');
SELECT current_setting('todo.jwt_secret', true);
SELECT count(*) FROM pg_settings WHERE name = 'todo.jwt_secret';
SET todo.jwt_secret = '0123456789abcdef0123456789abcdef';
SELECT set_config('todo.jwt_secret', '0123456789abcdef0123456789abcdef', false);
SET todo.jwt_leeway = 300;
SET todo.jwt_issuer = '';
-- the other settings are readable
SHOW todo.jwt_lifetime;
-- and the functions are not for PUBLIC
SELECT todo.jwt_verify(t) FROM regress_good;
SELECT todo.jwt_sign('{}');
RESET ROLE;
DROP OWNED BY regress_reader;
DROP ROLE regress_reader;
