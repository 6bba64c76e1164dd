-- sql/jws.sql: other issuers' tokens: the plain install's PL/pgSQL (extension/plain/12_jws.sql,
-- 13_signatures.sql) says what the C functions (src/jws.c, OpenSSL) say
--
-- Loaded in schema regress_plain as sql/plain.sql does, the PL/pgSQL todo.jws_decode,
-- todo.jwk_algorithms and todo.jws_verify are called beside the C ones on the same inputs:
-- the keys and tokens of test/pgtap/_jws_fixtures.psql (every algorithm, and the attack
-- list), keys that must be refused, and malformed tokens. Each comparison lists what both
-- said, then how many inputs they differ on: none.
\set VERBOSITY terse
CREATE SCHEMA regress_plain;
\set ECHO none
\i build/plain/regress_plain.sql
\ir ../test/pgtap/_jws_fixtures.psql
\set ECHO all

-- What a query says: its one value as text, or its error's SQLSTATE and message.
CREATE FUNCTION regress_jws_outcome(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
	state text;
	message text;
BEGIN
	EXECUTE query INTO result;
	RETURN coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
	RETURN 'ERROR ' || state || ': ' || message;
END
$$;

-- signatures: the key a token names, and the keys it must not verify with
CREATE TABLE regress_jws_pairs (what text, jwk jsonb, token text);
INSERT INTO regress_jws_pairs VALUES
	('EdDSA', :'jwk_eddsa', :'tok_eddsa'), ('EdDSA, second key', :'jwk_ed2', :'tok_ed2'),
	('ES256', :'jwk_es256', :'tok_es256'), ('ES512', :'jwk_es512', :'tok_es512'),
	('RS256', :'jwk_rs256', :'tok_rs256'), ('PS256', :'jwk_ps256', :'tok_ps256'),
	('EdDSA, no kid', :'jwk_eddsa', :'tok_nokid'),
	('EdDSA with the other Ed25519 key', :'jwk_ed2', :'tok_eddsa'),
	('ES256 with the P-521 key', :'jwk_es512', :'tok_es256'),
	('RS256 with the 1024-bit key', :'jwk_rs1024', :'tok_rs1024'),
	('tampered payload', :'jwk_eddsa', :'tok_tampered_payload'),
	('tampered header', :'jwk_eddsa', :'tok_tampered_header'),
	('tampered signature', :'jwk_eddsa', :'tok_tampered_signature'),
	('alg none with a signature', :'jwk_eddsa', :'tok_alg_none_sig'),
	('alg RS256 on the ES256 key', :'jwk_es256', :'tok_alg_mismatch'),
	('alg PS256 on the key whose alg is RS256', :'jwk_rs256', :'tok_alg_mismatch_ps'),
	('PS256 on an RSA key without alg', :'jwk_rs256'::jsonb - 'alg', :'tok_alg_mismatch_ps'),
	('HS256 keyed with the raw Ed25519 key', :'jwk_eddsa', :'tok_hs_pubkey_raw'),
	('HS256 keyed with the Ed25519 JWK', :'jwk_eddsa', :'tok_hs_pubkey_jwk'),
	('HS256 keyed with the RSA JWK', :'jwk_rs256', :'tok_hs_pubkey_rsa'),
	('HS256 with its secret', jsonb_build_object('kty', 'oct', 'k', translate(encode(convert_to(:'hs_secret', 'UTF8'), 'base64'), E'+/=\n', '-_')), :'tok_hs256'),
	('HS256 with a wrong secret', jsonb_build_object('kty', 'oct', 'k', translate(encode(convert_to(:'hs_secret', 'UTF8'), 'base64'), E'+/=\n', '-_')), :'tok_hs256_wrong');
SELECT p.what, d.header ->> 'alg' AS alg,
	regress_jws_outcome(format('SELECT todo.jws_verify(%L, %L, %L, %L)', d.header ->> 'alg', p.jwk, d.signing_input, d.signature)) AS c,
	regress_jws_outcome(format('SELECT regress_plain.jws_verify(%L, %L, %L, %L)', d.header ->> 'alg', p.jwk, d.signing_input, d.signature)) AS plain
FROM regress_jws_pairs p, todo.jws_decode(p.token) d ORDER BY p.what;
SELECT count(*) AS differences FROM regress_jws_pairs p, todo.jws_decode(p.token) d
WHERE regress_jws_outcome(format('SELECT todo.jws_verify(%L, %L, %L, %L)', d.header ->> 'alg', p.jwk, d.signing_input, d.signature))
	IS DISTINCT FROM regress_jws_outcome(format('SELECT regress_plain.jws_verify(%L, %L, %L, %L)', d.header ->> 'alg', p.jwk, d.signing_input, d.signature));

-- keys: which algorithms each may verify, or NULL for none
CREATE TABLE regress_jws_keys (what text, jwk jsonb);
INSERT INTO regress_jws_keys VALUES
	('Ed25519', :'jwk_eddsa'), ('P-256', :'jwk_es256'), ('P-521', :'jwk_es512'), ('RSA 2048, alg RS256', :'jwk_rs256'),
	('RSA 2048, no alg', :'jwk_rs256'::jsonb - 'alg'), ('RSA 1024', :'jwk_rs1024'),
	('P-256 point off the curve', jsonb_set(:'jwk_es256'::jsonb, '{y}', to_jsonb(translate(:'jwk_es256'::jsonb ->> 'x', 'A', 'B')))),
	('P-256 with a P-521 x', jsonb_set(:'jwk_es256'::jsonb, '{x}', :'jwk_es512'::jsonb -> 'x')),
	('Ed25519 with alg ES256', jsonb_set(:'jwk_eddsa'::jsonb, '{alg}', '"ES256"')),
	('Ed25519 for encryption', :'jwk_eddsa'::jsonb || '{"use": "enc"}'),
	('Ed25519 for signing', :'jwk_eddsa'::jsonb || '{"use": "sig"}'),
	('Ed25519, x of 31 bytes', jsonb_set(:'jwk_eddsa'::jsonb, '{x}', to_jsonb(left(:'jwk_eddsa'::jsonb ->> 'x', 41)))),
	('Ed25519, x not base64url', jsonb_set(:'jwk_eddsa'::jsonb, '{x}', to_jsonb('+' || substr(:'jwk_eddsa'::jsonb ->> 'x', 2)))),
	('X25519', '{"kty": "OKP", "crv": "X25519", "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}'),
	('RSA, huge n', jsonb_build_object('kty', 'RSA', 'e', 'AQAB', 'n', repeat('A', 20000))),
	('RSA, even e', jsonb_set(:'jwk_rs256'::jsonb, '{e}', '"AQAC"')),
	('RSA, e = 1', jsonb_set(:'jwk_rs256'::jsonb, '{e}', '"AQ"')),
	('RSA, no e', :'jwk_rs256'::jsonb - 'e'),
	('oct, 32 bytes', '{"kty": "oct", "k": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}'),
	('oct, 16 bytes', '{"kty": "oct", "k": "MDEyMzQ1Njc4OWFiY2RlZg"}'),
	('alg a number', :'jwk_eddsa'::jsonb || '{"alg": 1}'),
	('no kty', :'jwk_eddsa'::jsonb - 'kty'),
	('an array', '[1, 2]');
SELECT what, regress_jws_outcome(format('SELECT todo.jwk_algorithms(%L)', jwk)) AS c,
	regress_jws_outcome(format('SELECT regress_plain.jwk_algorithms(%L)', jwk)) AS plain
FROM regress_jws_keys ORDER BY what;
SELECT count(*) AS differences FROM regress_jws_keys
WHERE regress_jws_outcome(format('SELECT todo.jwk_algorithms(%L)', jwk))
	IS DISTINCT FROM regress_jws_outcome(format('SELECT regress_plain.jwk_algorithms(%L)', jwk));

-- tokens: their parts, or TD401 "invalid token"
CREATE TABLE regress_jws_tokens (what text, token text);
INSERT INTO regress_jws_tokens VALUES
	('EdDSA', :'tok_eddsa'), ('RS256', :'tok_rs256'), ('alg none, no signature', :'tok_alg_none'),
	('two segments', 'eyJhbGciOiJFZERTQSJ9.e30'), ('four segments', 'eyJhbGciOiJFZERTQSJ9.e30.AA.AA'), ('dots', '..'),
	('header not JSON', 'bm90IGpzb24.e30.AAAA'), ('header an array', 'WzFd.e30.AAAA'), ('payload an array', 'e30.WzFd.AAAA'),
	('payload with 1e2000', 'e30.' || translate(encode(convert_to('{"exp": 1e2000}', 'UTF8'), 'base64'), E'+/=\n', '-_') || '.AAAA'),
	('payload with 1e1000', 'e30.' || translate(encode(convert_to('{"exp": 1e1000}', 'UTF8'), 'base64'), E'+/=\n', '-_') || '.AAAA'),
	('payload with \u0000', 'e30.' || translate(encode(convert_to('{"a": "\u0000"}', 'UTF8'), 'base64'), E'+/=\n', '-_') || '.AAAA'),
	('padding', 'e30=.e30.AAAA'), ('base64, not base64url', 'e30.e30.AA+/'), ('signature of 4n + 1 characters', 'e30.e30.AAAAA'),
	('unused bits set', 'e30.e30.AB'), ('header over 1024 characters', repeat('A', 1100) || '.e30.AAAA'),
	('over 8192 bytes', 'e30.' || repeat('A', 8200) || '.AAAA');
SELECT what, left(regress_jws_outcome(format('SELECT row(header, payload, signing_input, encode(signature, %L))::text FROM todo.jws_decode(%L)', 'hex', token)), 40) AS c,
	left(regress_jws_outcome(format('SELECT row(header, payload, signing_input, encode(signature, %L))::text FROM regress_plain.jws_decode(%L)', 'hex', token)), 40) AS plain
FROM regress_jws_tokens WHERE what NOT IN ('EdDSA', 'RS256') ORDER BY what;
SELECT what, regress_jws_outcome(format('SELECT row(header, payload, signing_input, signature)::text FROM todo.jws_decode(%L)', token))
	= regress_jws_outcome(format('SELECT row(header, payload, signing_input, signature)::text FROM regress_plain.jws_decode(%L)', token)) AS same
FROM regress_jws_tokens WHERE what IN ('EdDSA', 'RS256') ORDER BY what;
SELECT count(*) AS differences FROM regress_jws_tokens
WHERE regress_jws_outcome(format('SELECT row(header, payload, signing_input, signature)::text FROM todo.jws_decode(%L)', token))
	IS DISTINCT FROM regress_jws_outcome(format('SELECT row(header, payload, signing_input, signature)::text FROM regress_plain.jws_decode(%L)', token));

DROP TABLE regress_jws_pairs, regress_jws_keys, regress_jws_tokens;
DROP FUNCTION regress_jws_outcome(text);
SET client_min_messages = warning;
DROP SCHEMA regress_plain CASCADE;
RESET client_min_messages;
