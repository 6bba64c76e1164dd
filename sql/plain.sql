-- sql/plain.sql: the plain-SQL install's functions give the same results as the C ones
--
-- extension/plain/ defines todo.jwt_sign, todo.jwt_verify, todo.normalize_tags and
-- todo.task_json in SQL and PL/pgSQL for servers that cannot load our C library. make
-- builds build/plain/regress_plain.sql from those pieces, with the functions and the
-- settings table in schema regress_plain instead of todo: here they stand beside the C
-- functions, and both are called on the same inputs. Each comparison shows how many inputs
-- it covered, what the functions said (results, and errors by SQLSTATE and message), and
-- the inputs on which the two differ in result, SQLSTATE, message or DETAIL: none.
--
-- It runs after sql/jwt.sql, whose helpers it uses (regress_b64url, regress_epoch), and
-- after sql/task_json.sql, whose rows of todo.tasks it compares.
\set VERBOSITY terse
CREATE SCHEMA regress_plain;
\set ECHO none
\i build/plain/regress_plain.sql
\set ECHO all
-- the C functions' settings, the cluster's
SELECT set_config('todo.jwt_secret', regress_cluster_secret(), false) <> '' AS secret_from_file;
UPDATE regress_plain.settings SET jwt_secret = current_setting('todo.jwt_secret'), jwt_issuer = current_setting('todo.jwt_issuer'),
	jwt_audience = current_setting('todo.jwt_audience'), jwt_leeway = current_setting('todo.jwt_leeway')::integer,
	jwt_lifetime = current_setting('todo.jwt_lifetime')::integer, bcrypt_cost = current_setting('todo.bcrypt_cost')::integer;

-- What function f says of x: its result as text, or its error's SQLSTATE, message and DETAIL.
CREATE FUNCTION regress_outcome(f text, x anyelement) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
	state text;
	message text;
	detail text;
BEGIN
	EXECUTE format('SELECT %s($1)::text', f) INTO result USING x;
	RETURN coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
	RETURN 'ERROR ' || state || ': ' || message || coalesce(' DETAIL ' || nullif(detail, ''), '');
END
$$;

-- header.payload (any bytes) signed with HMAC-SHA256 under key
CREATE FUNCTION regress_sign(header bytea, payload bytea, key text DEFAULT current_setting('todo.jwt_secret')) RETURNS text
LANGUAGE sql AS $$
	SELECT s || '.' || regress_b64url(hmac(s, key, 'sha256'))
	FROM (SELECT regress_b64url(header) || '.' || regress_b64url(payload) AS s) AS x;
$$;

-- the outcomes of the C function and its twin on the inputs of a comparison
CREATE TEMPORARY TABLE regress_outcomes (comparison text, what text, input text, c text, plain text);

--
-- jwt_verify: every token below, under seven settings, in one transaction (so that now(),
-- against which the tokens' times are set, is the same for all)
--
BEGIN;
-- a fixed key, so that the tokens below, and what becomes of them, are the same in every run
SET LOCAL todo.jwt_secret = 'regress: a key of at least 32 bytes';
UPDATE regress_plain.settings SET jwt_secret = current_setting('todo.jwt_secret');
SELECT setseed(0.5);
CREATE TEMPORARY TABLE regress_headers (header bytea);
INSERT INTO regress_headers
SELECT convert_to(h, 'UTF8') FROM unnest(ARRAY[
	'{"alg":"HS256","typ":"JWT"}', '{"alg":"HS256"}', '{"typ":"JWT","alg":"HS256"}', E'{ "typ" : "JWT",\n "alg" : "HS256" }',
	'{"alg":"HS\u0032\u0035\u0036"}', '{"\u0061lg":"HS256"}', '{"alg":"HS256","alg":"HS256"}', '{"alg":"none","alg":"HS256"}',
	'{"alg":"HS256","alg":"none"}', '{"alg":"none"}', '{"alg":"HS512"}', '{"alg":"RS256"}', '{"alg":"hs256"}', '{"alg":"HS256 "}',
	'{"alg":null}', '{"alg":["HS256"]}', '{"alg":{"x":"HS256"}}', '{"x":{"alg":"HS256"}}', '{"typ":"JWT"}', '{}',
	'{"alg":"HS256","crit":["exp"]}', '{"alg":"HS256","crit":[]}', '{"crit":["exp"],"alg":"none"}', '{"alg":"HS256","kid":"k1"}',
	'{"alg":"HS256","x":1e200000}', '{"alg":"HS256","x":"\u0000"}', '{"alg":"HS256","x":"\ud800"}', '{"alg":"HS256","x":"\udc00x"}',
	'{"alg":"HS256","x":"\ud83d\ude00"}', '{"alg":"HS256","x":"été 🎉"}', '{"alg":"HS256","x":"\"}', '["alg","HS256"]', '"HS256"',
	'null', '1', '', ' ', '{alg:HS256}', '{"alg":"HS256"} x', '{"alg":"HS256",}', '{"alg":"HS256"', '{"alg":"HS256"}{}',
	'{"alg":"HS256","x":' || repeat('[', 300) || repeat(']', 300) || '}',
	-- 768 bytes encode to 1024 characters, the most a header may have; 769 to 1026
	'{"alg":"HS256","x":"' || repeat('x', 746) || '"}', '{"alg":"HS256","x":"' || repeat('x', 747) || '"}']) AS h
UNION ALL SELECT h FROM unnest(ARRAY['\xff'::bytea, '\x7b22616c67223a22485332353622ff7d', '\x7b22616c67223a224853323536227d00',
	'\x7b22616c67223a2248533235362c2278223a22c3'::bytea]) AS h;

CREATE TEMPORARY TABLE regress_payloads (payload bytea);
INSERT INTO regress_payloads
SELECT convert_to(replace(replace(replace(p, 'NOW', regress_epoch()::text), 'SOON', regress_epoch(60)::text), 'PAST', regress_epoch(-3600)::text), 'UTF8')
FROM unnest(ARRAY[
	-- exp: required, a number, not before now - leeway (30 s, or 0 or 300 below)
	'{"exp":SOON}', '{"sub":"u1","jti":"j1","iat":NOW,"exp":SOON}', '{"exp":NOW}', '{"exp":PAST}', '{"exp":1000000000}',
	'{"exp":' || regress_epoch(-20) || '}', '{"exp":' || regress_epoch(-40) || '}', '{"exp":' || regress_epoch(-29) || '.999}',
	'{"exp":' || regress_epoch(-31) || '.5}', '{"exp":' || regress_epoch(-290) || '}', '{"exp":' || regress_epoch(-310) || '}',
	'{"exp":1e1000}', '{"exp":-1}', '{"exp":0}', '{"exp":"SOON"}', '{"exp":null}', '{"exp":true}', '{"exp":[SOON]}', '{"exp":{}}',
	'{}', '{"sub":"u1"}', '{"EXP":SOON}', '{"exp":1,"exp":SOON}', '{"exp":SOON,"exp":1}',
	-- nbf and iat: numbers, not after now + leeway; their types are checked before their values
	'{"exp":SOON,"nbf":PAST}', '{"exp":SOON,"nbf":' || regress_epoch(20) || '}', '{"exp":SOON,"nbf":' || regress_epoch(40) || '}',
	'{"exp":SOON,"nbf":' || regress_epoch(310) || '}', '{"exp":SOON,"nbf":"0"}', '{"exp":SOON,"nbf":null}',
	'{"exp":SOON,"iat":NOW}', '{"exp":SOON,"iat":' || regress_epoch(20) || '}', '{"exp":SOON,"iat":' || regress_epoch(40) || '}',
	'{"exp":SOON,"iat":' || regress_epoch(290) || '}', '{"exp":SOON,"iat":{}}', '{"exp":SOON,"iat":' || regress_epoch(30) || '}', '{"exp":SOON,"iat":' || regress_epoch(31) || '}',
	'{"exp":SOON,"nbf":' || regress_epoch(3600) || ',"iat":"x"}', '{"exp":PAST,"nbf":"x"}', '{"exp":"x","nbf":"x"}',
	'{"exp":SOON,"nbf":' || regress_epoch(3600) || ',"iat":' || regress_epoch(3600) || '}',
	-- iss and aud (checked only when configured, below)
	'{"exp":SOON,"iss":"https://todo.example"}', '{"exp":SOON,"iss":"https://evil.example"}', '{"exp":SOON,"iss":"https://todo.example/"}',
	'{"exp":SOON,"iss":["https://todo.example"]}', '{"exp":SOON,"iss":null}',
	'{"exp":SOON,"aud":"todo-web"}', '{"exp":SOON,"aud":["other","todo-web"]}', '{"exp":SOON,"aud":"todo-mobile"}',
	'{"exp":SOON,"aud":["other",["todo-web"]]}', '{"exp":SOON,"aud":[]}', '{"exp":SOON,"aud":{"todo-web":true}}', '{"exp":SOON,"aud":1}',
	'{"exp":SOON,"aud":["todo-web","todo-web"]}', '{"exp":SOON,"iss":"https://todo.example","aud":"todo-web"}',
	'{"exp":SOON,"iss":"https://todo.example","aud":"todo-mobile"}', '{"exp":PAST,"iss":"https://evil.example"}',
	-- numbers: an exponent beyond 1000 is refused, wherever it is, even where numeric holds it
	'{"exp":SOON,"x":1e1000}', '{"exp":SOON,"x":1e1001}', '{"exp":SOON,"x":1E+1001}', '{"exp":SOON,"x":1e-1001}', '{"exp":SOON,"x":1e-1000}',
	'{"exp":SOON,"x":0e0001000}', '{"exp":SOON,"x":1e00001001}', '{"exp":SOON,"x":-2.5e1001}', '{"exp":SOON,"x":[1,{"y":3e9999}]}',
	'{"exp":SOON,"x":1e0999}', '{"exp":SOON,"x":1e200000}', '{"exp":SOON,"x":"1e1001"}', '{"exp":SOON,"e1001":1}',
	'{"exp":SOON,"x":"a\"","y":1e1001}', '{"exp":SOON,"x":"a\\","y":1e1001}', '{"exp":SOON,"x":"\"1e1001\""}', '{"exp":1e1001}',
	'{"exp":SOON,"x":12345678901234567890123456789e1000}',
	-- strings and structure
	'{"exp":SOON,"x":"\u0000"}', '{"exp":SOON,"x":"\ud800"}', '{"exp":SOON,"x":"\ud83d\ude00"}', '{"exp":SOON,"x":"\u00e9\"\\\/\b\f\n\r\t"}',
	'{"exp":SOON,"x":"été 🎉 日本"}', '{"exp":SOON,"x":' || repeat('[', 200) || repeat(']', 200) || '}',
	'{"exp":', '[{"exp":SOON}]', '"exp"', '', ' ', 'null', '{"exp":SOON} x', '{"exp":SOON,}', '{"exp":SOON}{}', E'\t{"exp":SOON}\n',
	-- long: a token of 8192 bytes at most (with the standard header, this one is 8192, the next 8193)
	'{"exp":SOON,"pad":"' || repeat('x', 6055) || '"}', '{"exp":SOON,"pad":"' || repeat('x', 6056) || '"}']) AS p
UNION ALL SELECT p FROM unnest(ARRAY['\xff'::bytea, convert_to('{"exp":' || regress_epoch(60) || ',"x":"', 'UTF8') || '\xc3287d'::bytea,
	convert_to('{"exp":' || regress_epoch(60) || '}', 'UTF8') || '\x00'::bytea]) AS p;

CREATE TEMPORARY TABLE regress_tokens (what text, token text);
-- every header with a few payloads, every payload with the standard header, each signed
-- with the secret and with another key
INSERT INTO regress_tokens
SELECT 'header x payload', regress_sign(h.header, p.payload, k.key)
FROM regress_headers h, (SELECT payload FROM regress_payloads LIMIT 4) p,
	(VALUES (current_setting('todo.jwt_secret')), (repeat('k', 32))) AS k(key)
UNION ALL
SELECT 'payload', regress_sign(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8'), p.payload, k.key)
FROM regress_payloads p, (VALUES (current_setting('todo.jwt_secret')), (repeat('k', 32))) AS k(key);
-- malformed shapes and encodings, around one good token
INSERT INTO regress_tokens
SELECT 'shape', t FROM (SELECT regress_sign(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8'),
	convert_to('{"exp":4102444800,"sub":"u1"}', 'UTF8')) AS good) AS g,
	LATERAL unnest(ARRAY['', '.', '..', '...', 'abc', 'a.b', 'a.b.c.d', good || '.', '.' || good, good || '.x', ' ' || good, good || ' ',
		replace(good, '.', '..'), replace(good, '.', '=.'), good || '=', good || '==', replace(good, '-', '+'), replace(good, '_', '/'),
		split_part(good, '.', 1) || '.' || split_part(good, '.', 2) || '.' || left(split_part(good, '.', 3), 42),
		good || 'A', left(good, -1), split_part(good, '.', 1) || 'A.' || split_part(good, '.', 2) || '.' || split_part(good, '.', 3),
		split_part(good, '.', 1) || '.' || split_part(good, '.', 2) || 'A.' || split_part(good, '.', 3),
		split_part(good, '.', 1) || '.' || split_part(good, '.', 2) || 'AAAA.' || split_part(good, '.', 3),
		'é' || good, replace(good, '.', 'é.'), repeat('a', 9000), repeat('a.', 4000), left(good, 8192) || repeat('A', 8200)]) AS t
-- every last character of each segment (only some leave the unused bits zero)
UNION ALL
SELECT 'last character', CASE s.n
		WHEN 1 THEN left(split_part(good, '.', 1), -1) || c || '.' || split_part(good, '.', 2) || '.' || split_part(good, '.', 3)
		WHEN 2 THEN split_part(good, '.', 1) || '.' || left(split_part(good, '.', 2), -1) || c || '.' || split_part(good, '.', 3)
		ELSE left(good, -1) || c END
FROM (SELECT regress_sign(convert_to('{"alg":"HS256"}', 'UTF8'), convert_to('{"exp":4102444800,"sub":"u"}', 'UTF8')) AS good) AS g,
	generate_series(1, 3) AS s(n), regexp_split_to_table('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/', '') AS c
-- each character of a good token replaced, deleted or doubled
UNION ALL
SELECT 'mutation', overlay(good placing r FROM i FOR 1)
FROM (SELECT regress_sign(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8'),
	convert_to('{"sub":"8a3f4c1e-1b2d-4f5e-9a8b-7c6d5e4f3a2b","exp":4102444800}', 'UTF8')) AS good) AS g,
	generate_series(1, length(good)) AS i,
	LATERAL unnest(ARRAY['A', 'w', '-', '.', '', substr(good, i, 1) || substr(good, i, 1)]) AS r
WHERE r <> substr(good, i, 1)
-- random strings of the alphabet and a few others
UNION ALL
SELECT 'random', (SELECT string_agg(substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_...=+/ é', (random() * 72)::integer + 1, 1), '')
	FROM generate_series(1, n))
FROM (SELECT (random() * 120)::integer + i * 0 AS n FROM generate_series(1, 500) AS i) AS x;

CREATE FUNCTION pg_temp.verify_all(settings text) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO regress_outcomes
	SELECT 'jwt_verify, ' || settings, what, token, regress_outcome('todo.jwt_verify', token), regress_outcome('regress_plain.jwt_verify', token)
	FROM regress_tokens;
$$;
SELECT pg_temp.verify_all('defaults');
SET LOCAL todo.jwt_leeway = 0;
UPDATE regress_plain.settings SET jwt_leeway = 0;
SELECT pg_temp.verify_all('leeway 0');
SET LOCAL todo.jwt_leeway = 300;
UPDATE regress_plain.settings SET jwt_leeway = 300;
SELECT pg_temp.verify_all('leeway 300');
RESET todo.jwt_leeway;
UPDATE regress_plain.settings SET jwt_leeway = current_setting('todo.jwt_leeway')::integer;
SET LOCAL todo.jwt_issuer = 'https://todo.example';
UPDATE regress_plain.settings SET jwt_issuer = 'https://todo.example';
SELECT pg_temp.verify_all('issuer');
SET LOCAL todo.jwt_audience = 'todo-web';
UPDATE regress_plain.settings SET jwt_audience = 'todo-web';
SELECT pg_temp.verify_all('issuer and audience');
RESET todo.jwt_issuer;
UPDATE regress_plain.settings SET jwt_issuer = current_setting('todo.jwt_issuer');
SELECT pg_temp.verify_all('audience');
RESET todo.jwt_audience;
UPDATE regress_plain.settings SET jwt_audience = current_setting('todo.jwt_audience');
-- the secret: an empty setting (the C functions then use the file of todo.jwt_secret_file),
-- too short, another one
SET LOCAL todo.jwt_secret = '';
UPDATE regress_plain.settings SET jwt_secret = regress_cluster_secret();
INSERT INTO regress_outcomes
SELECT 'jwt_verify, empty setting: the file', what, token, regress_outcome('todo.jwt_verify', token), regress_outcome('regress_plain.jwt_verify', token)
FROM regress_tokens WHERE what = 'payload';
SET LOCAL todo.jwt_secret = '0123456789abcdef0123456789abcde';
UPDATE regress_plain.settings SET jwt_secret = '0123456789abcdef0123456789abcde';
INSERT INTO regress_outcomes
SELECT 'jwt_verify, short secret', what, token, regress_outcome('todo.jwt_verify', token), regress_outcome('regress_plain.jwt_verify', token)
FROM regress_tokens WHERE what = 'payload';
SET LOCAL todo.jwt_secret = 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk';
UPDATE regress_plain.settings SET jwt_secret = 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk';
SELECT pg_temp.verify_all('the other key');
RESET todo.jwt_secret;
UPDATE regress_plain.settings SET jwt_secret = regress_cluster_secret();
COMMIT;

--
-- jwt_sign: claims of every JSON type and of every size around the limit, and the secret
--
INSERT INTO regress_outcomes
SELECT 'jwt_sign', 'claims', c::text, regress_outcome('todo.jwt_sign', c), regress_outcome('regress_plain.jwt_sign', c)
FROM (SELECT c::jsonb FROM unnest(ARRAY['{}', '{"exp": 1}', '{"sub": "u1", "jti": "j1", "iat": 1, "exp": 2}', '{"a": {"b": [1, 2.5, -3e5]}}',
		'{"name": "Élodie \"É\" 🎉 \\ \n"}', '{"x": null, "y": true, "z": false}', '{"": ""}', '[]', '[1, 2]', '"claims"', '1', 'null', 'true']) AS c
	UNION ALL SELECT jsonb_build_object('exp', 1, 'pad', repeat('x', n)) FROM generate_series(0, 2) AS n
	UNION ALL SELECT jsonb_build_object('exp', 1, 'pad', repeat('x', n)) FROM generate_series(6050, 6075) AS n
	UNION ALL SELECT jsonb_build_object('exp', 1, 'pad', repeat('é', n)) FROM generate_series(3020, 3035) AS n
	UNION ALL SELECT jsonb_build_object('pad', repeat('x', n)) FROM (VALUES (8180), (8200), (20000)) AS n(n)) AS x;
SELECT regress_outcome('todo.jwt_sign', NULL::jsonb) AS c_null, regress_outcome('regress_plain.jwt_sign', NULL::jsonb) AS plain_null;
BEGIN;
SET LOCAL todo.jwt_secret = '';
UPDATE regress_plain.settings SET jwt_secret = regress_cluster_secret();
INSERT INTO regress_outcomes
SELECT 'jwt_sign, empty setting: the file', 'claims', c::text, regress_outcome('todo.jwt_sign', c), regress_outcome('regress_plain.jwt_sign', c)
FROM unnest(ARRAY['{}', '[]']::jsonb[]) AS c;
SET LOCAL todo.jwt_secret = '0123456789abcdef0123456789abcde';
UPDATE regress_plain.settings SET jwt_secret = '0123456789abcdef0123456789abcde';
INSERT INTO regress_outcomes
SELECT 'jwt_sign, short secret', 'claims', c::text, regress_outcome('todo.jwt_sign', c), regress_outcome('regress_plain.jwt_sign', c)
FROM unnest(ARRAY['{}', '[]']::jsonb[]) AS c;
ROLLBACK;

--
-- normalize_tags: arrays of the hard cases, then random ones from an alphabet of letters in
-- both cases, digits, white space, control and format characters, commas and quotes
--
INSERT INTO regress_outcomes
SELECT 'normalize_tags', 'cases', t::text, regress_outcome('todo.normalize_tags', t), regress_outcome('regress_plain.normalize_tags', t)
FROM (VALUES
	('{}'::text[]), ('{work,home}'), ('{Work,HOME,urGent}'), ('{"  work  ", " home"}'),
	(ARRAY[E'\twork\n', E'\r' || chr(11) || 'home' || E'\f']), (ARRAY[U&'\00A0work\3000', U&'\2003home\2003']),
	(ARRAY[U&'\0085a\2028', U&'\2029b\205F']), ('{ÉTÉ}'), ('{İ}'), ('{ΣΑΣ}'), ('{ДОМ,ԱՐԵՎ}'), (ARRAY[U&'\01C5x']),
	('{ＷＯＲＫ}'), ('{日本,🎉,42}'), (ARRAY[U&'\200Bzw\200B']), ('{abcdefghij}'), ('{abcdefghijk}'), ('{éééééééééé}'),
	('{ééééééééééé}'), ('{ÉÉÉÉÉÉÉÉÉÉ}'), ('{🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉}'), ('{🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉}'), ('{"   abcdefghij   "}'),
	('{VeryLongTag1}'), (ARRAY[repeat('x', 100)]), (ARRAY[repeat('É', 39) || U&'\0001']), (ARRAY[repeat('é', 40)]),
	(ARRAY[repeat('é', 41)]), ('{""}'), ('{"   "}'), (ARRAY[U&'\00A0']), ('{a,"",b}'), ('{"a b"}'), (ARRAY[U&'a\00A0b']),
	(ARRAY[U&'a\3000b']), (ARRAY[U&'a\202Fb']), ('{"a,b"}'), ('{",a"}'), (ARRAY[E'a\tb']), (ARRAY[U&'a\0001b']),
	(ARRAY[U&'a\007Fb']), (ARRAY[U&'a\0080b']), (ARRAY[U&'a\0085b']), (ARRAY[U&'a\009Fb']), (ARRAY[U&'\001B[31mred']),
	(ARRAY[U&'a\00A1b']), (ARRAY[U&'A\0001 ,b']), (ARRAY[U&'A\0085']), (ARRAY['a b,c' || repeat('d', 20)]),
	('{b,a,B,c,A," b ",ÉTÉ,été}'), ('{"x\"yz\"abcdefgh"}'), ('{"a\\b"}'), ('{a,NULL,b}'), ('{NULL}'), ('{"a b",NULL}'),
	('{NULL,"a b"}'), ('{{a,b},{c,d}}'), ('{{A}}'), ('[0:1]={A,b}'), ('[-5:-4]={a,a}')) AS x(t)
UNION ALL
SELECT 'normalize_tags', 'counts', t::text, regress_outcome('todo.normalize_tags', t), regress_outcome('regress_plain.normalize_tags', t)
FROM (SELECT ARRAY(SELECT 't' || i FROM generate_series(1, n) AS i) AS t FROM generate_series(19, 22) AS n
	UNION ALL SELECT ARRAY(SELECT CASE i % 3 WHEN 0 THEN 'T' || i % 20 WHEN 1 THEN ' t' || i % 20 || ' ' ELSE 't' || i % 20 END
		FROM generate_series(1, 60) AS i)
	UNION ALL SELECT ARRAY(SELECT 'T' || i % 25 FROM generate_series(1, 1000) AS i)
	UNION ALL SELECT ARRAY(SELECT 't' || i FROM generate_series(1, 30) AS i) || '{"a b"}') AS x;

SELECT setseed(0.25);
INSERT INTO regress_outcomes
SELECT 'normalize_tags', 'random', t::text, regress_outcome('todo.normalize_tags', t), regress_outcome('regress_plain.normalize_tags', t)
FROM (SELECT ARRAY(
		SELECT CASE WHEN random() < 0.02 THEN NULL ELSE (
			SELECT coalesce(string_agg((ARRAY['a', 'b', 'Z', 'Q', 'é', 'É', 'ß', 'ẞ', 'İ', 'ı', 'Σ', 'ς', 'ǅ', 'ﬁ', 'Ａ', '日', '🎉', '0', '7', '_',
				'-', ' ', E'\t', E'\n', chr(11), U&'\00A0', U&'\3000', U&'\2028', U&'\0085', U&'\1680', ',', '"', '\', U&'\0001', U&'\001B',
				U&'\007F', U&'\0080', U&'\009F', U&'\200B', U&'\FEFF'])[1 + (random() * 39)::integer], ''), '')
			FROM generate_series(1, (random() * random() * 14)::integer + j * 0)) END
		FROM generate_series(1, (random() * random() * 26)::integer + i * 0) AS j) AS t
	FROM generate_series(1, 3000) AS i) AS x;
-- the same, with ten tags to pick from in varied case and spacing (duplicates, and counts past 20)
INSERT INTO regress_outcomes
SELECT 'normalize_tags', 'random duplicates', t::text, regress_outcome('todo.normalize_tags', t), regress_outcome('regress_plain.normalize_tags', t)
FROM (SELECT ARRAY(
		SELECT (ARRAY['', ' ', U&'\00A0'])[1 + (random() * 2)::integer]
			|| (CASE WHEN random() < 0.5 THEN upper(tag) ELSE tag END)
			|| (ARRAY['', ' ', E'\t'])[1 + (random() * 2)::integer]
		FROM (SELECT 'tag' || (random() * 25)::integer + j * 0 AS tag FROM generate_series(1, (random() * 40)::integer + i * 0) AS j) AS t) AS t
	FROM generate_series(1, 500) AS i) AS x;
SELECT regress_outcome('todo.normalize_tags', NULL::text[]) AS c_null, regress_outcome('regress_plain.normalize_tags', NULL::text[]) AS plain_null;

--
-- task_json: the rows of sql/task_json.sql, rows of random values, a row of nulls, a list
--
INSERT INTO regress_outcomes
SELECT 'task_json', 'rows of task_json.sql', t.id::text, regress_outcome('todo.task_json', t), regress_outcome('regress_plain.task_json', t)
FROM todo.tasks t;
SELECT setseed(0.75);
INSERT INTO regress_outcomes
SELECT 'task_json', 'random rows', r::text, regress_outcome('todo.task_json', r), regress_outcome('regress_plain.task_json', r)
FROM (SELECT ROW(gen_random_uuid(), gen_random_uuid(),
		(SELECT string_agg(substr(E'aZ é🎉"\\/\b\f\n\r\t\u2028<>&' || chr(1) || chr(127), (random() * 22)::integer + 1, 1), '')
			FROM generate_series(0, (random() * 30)::integer + i * 0)),
		CASE WHEN random() < 0.3 THEN NULL ELSE repeat(chr(32 + (random() * 200)::integer), (random() * 5)::integer) END,
		(ARRAY['pending', 'completed']::todo.task_status[])[1 + (random())::integer],
		(ARRAY['low', 'medium', 'high']::todo.task_priority[])[1 + (random() * 2)::integer],
		CASE WHEN random() < 0.3 THEN NULL ELSE timestamptz '2026-11-21 00:00:00+00' + random() * interval '1000 days' END,
		ARRAY(SELECT (ARRAY['a', 'été', '日本', 'x"y', 'a\b'])[1 + (random() * 4)::integer] FROM generate_series(1, (random() * 3)::integer + i * 0)),
		CASE WHEN random() < 0.5 THEN NULL ELSE 'every ' || (random() * 9)::integer + 1 || ' days' END,
		CASE WHEN random() < 0.5 THEN NULL ELSE timestamptz '2000-01-01 00:00:00+00' + date_trunc('second', random() * interval '100 years') END,
		timestamptz '1999-12-31 23:59:59.999999+00' + random() * interval '30 years', now() - random() * interval '1 year',
		NULL)::todo.tasks AS r
	FROM generate_series(1, 500) AS i) AS x;
SELECT regress_outcome('todo.task_json', NULL::todo.tasks) AS c_null, regress_outcome('regress_plain.task_json', NULL::todo.tasks) AS plain_null;
SELECT todo.task_json(r)::text = regress_plain.task_json(r)::text AS row_of_nulls_same
FROM (SELECT (NULL::todo.tasks).*) AS r;
SELECT json_agg(todo.task_json(page))::text = json_agg(regress_plain.task_json(page))::text AS list_same
FROM (SELECT t.* FROM todo.tasks t ORDER BY t.created_at, t.id) AS page;

--
-- the results
--
-- inputs compared, and how many of them the two functions answered differently
SELECT comparison, count(*) AS inputs, count(*) FILTER (WHERE c IS DISTINCT FROM plain) AS different
FROM regress_outcomes GROUP BY comparison ORDER BY comparison;
-- what they answered (a result, or an error; the tag an error names shown as TAG)
SELECT split_part(comparison, ',', 1) AS function,
	CASE WHEN c NOT LIKE 'ERROR%' THEN 'a result' ELSE regexp_replace(split_part(c, ' DETAIL ', 1), 'tag ".*" ', 'tag TAG ') END AS outcome,
	count(*) AS times
FROM regress_outcomes GROUP BY 1, 2 ORDER BY 1, 2;
-- the inputs on which they differ
SELECT comparison, what, left(input, 200) AS input, c, plain FROM regress_outcomes WHERE c IS DISTINCT FROM plain ORDER BY 1, 2, 3;

DROP SCHEMA regress_plain CASCADE;
