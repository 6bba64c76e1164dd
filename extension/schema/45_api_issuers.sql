/* extension/schema/45_api_issuers.sql: managing trusted issuers (todoctl issuer) and their keys (the gateway) (since 1.2) */

-- The admin functions run with the caller's rights: a superuser or a member of todo_owner
-- (todoctl issuer add|list|remove). Bad arguments raise SQLSTATE 22023 with a message
-- that names the problem; nothing is changed then.
CREATE FUNCTION todo.issuer_add(name text, issuer text, jwks_url text, hs256_secret text,
	audience text DEFAULT NULL, subject_claim text DEFAULT 'sub')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	problem text;
BEGIN
	problem := CASE
		WHEN name IS NULL OR name !~ '^[A-Za-z0-9_.-]{1,64}$' THEN
			'issuer name must be 1 to 64 letters, digits, ".", "_" or "-"'
		WHEN coalesce(issuer, '') = '' OR length(issuer) > 1000 THEN
			'issuer (the tokens'' iss) must be 1 to 1000 characters'
		WHEN issuer = nullif(current_setting('todo.jwt_issuer', true), '') THEN
			'issuer is this server''s own (todo.jwt_issuer)'
		WHEN (jwks_url IS NULL) = (hs256_secret IS NULL) THEN
			'give exactly one of a JWKS URL and an HS256 secret'
		WHEN NOT coalesce(todo.jwks_url_allowed(jwks_url), true) THEN
			'JWKS URL must be https (http only on a loopback host: 127.0.0.0/8, ::1, localhost)'
		WHEN octet_length(hs256_secret) NOT BETWEEN 32 AND 1024 THEN
			'HS256 secret must be 32 to 1024 bytes'
		WHEN audience = '' OR length(audience) > 1000 THEN
			'audience must be 1 to 1000 characters, or absent'
		WHEN coalesce(subject_claim, 'sub') !~ '^[A-Za-z0-9_.:-]{1,64}$' THEN
			'subject claim must be a claim name (1 to 64 letters, digits, ".", "_", ":" or "-")'
	END;
	IF problem IS NOT NULL THEN
		RAISE EXCEPTION '%', problem USING ERRCODE = 'invalid_parameter_value';
	END IF;
	INSERT INTO todo.issuers (name, issuer, jwks_url, hs256_secret, audience, subject_claim)
	VALUES (issuer_add.name, issuer_add.issuer, issuer_add.jwks_url, issuer_add.hs256_secret,
		issuer_add.audience, coalesce(issuer_add.subject_claim, 'sub'));
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION '%', CASE WHEN EXISTS (SELECT FROM todo.issuers i WHERE i.name = issuer_add.name)
			THEN format('issuer %s already exists', issuer_add.name)
			ELSE format('another issuer already has iss %s', issuer_add.issuer) END
		USING ERRCODE = 'invalid_parameter_value';
END
$$;
COMMENT ON FUNCTION todo.issuer_add(text, text, text, text, text, text) IS
'todo: trust another issuer''s tokens (todoctl issuer add): a JWKS URL or an HS256 secret; 22023 for bad arguments';

CREATE FUNCTION todo.issuer_remove(name text)
RETURNS boolean
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	WITH gone AS (DELETE FROM todo.issuers i WHERE i.name = issuer_remove.name RETURNING 1)
	SELECT EXISTS (SELECT FROM gone)
$$;
COMMENT ON FUNCTION todo.issuer_remove(text) IS
'todo: stop trusting an issuer (todoctl issuer remove); its keys go, its users and their tasks stay; false when there was none';

-- Never a secret: kind says which verification an issuer uses.
CREATE FUNCTION todo.issuer_list()
RETURNS TABLE (name text, issuer text, kind text, jwks_url text, audience text, subject_claim text,
	keys integer, keys_fetched_at timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT i.name, i.issuer, CASE WHEN i.jwks_url IS NULL THEN 'hs256' ELSE 'jwks' END, i.jwks_url,
		i.audience, i.subject_claim, count(k.position)::integer, max(k.fetched_at)
	FROM todo.issuers i LEFT JOIN todo.issuer_keys k ON k.issuer = i.name
	GROUP BY i.name
	ORDER BY i.name
$$;
COMMENT ON FUNCTION todo.issuer_list() IS 'todo: the trusted issuers and how many keys each has (todoctl issuer list); no secret';

-- The gateway's functions: it calls them as its login role (todo_gateway, outside any
-- request), to fetch each JWKS issuer's keys and hand them over. They run as todo_owner.
CREATE FUNCTION api.gateway_jwks_sources()
RETURNS TABLE (name text, jwks_url text, keys integer, fetched_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT i.name, i.jwks_url, count(k.position)::integer, max(k.fetched_at)
	FROM todo.issuers i LEFT JOIN todo.issuer_keys k ON k.issuer = i.name
	WHERE i.jwks_url IS NOT NULL
	GROUP BY i.name
	ORDER BY i.name
$$;
COMMENT ON FUNCTION api.gateway_jwks_sources() IS 'the JWKS issuers whose keys the gateway fetches (gateway only)';

-- Replaces the issuer's keys with the usable signing keys of a JWKS document
-- ({"keys": [...]}), atomically, and returns how many it stored. Kept from each key: its
-- public members only. Never stored: symmetric ("oct") keys, which a public document cannot
-- hold safely, and keys todo.jwk_algorithms refuses. A document that is not a JWKS, has
-- over 100 keys, or has keys of which none is usable raises 22023 and keeps the old keys.
-- When the stored keys differ from the old ones, tokens verified before are verified again.
CREATE FUNCTION api.gateway_store_jwks(name text, jwks jsonb)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	trusted todo.issuers;
	fresh jsonb;
	previous jsonb;
BEGIN
	SELECT * INTO trusted FROM todo.issuers i WHERE i.name = gateway_store_jwks.name AND i.jwks_url IS NOT NULL
	FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no JWKS issuer named %', gateway_store_jwks.name USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF jsonb_typeof(jwks) IS DISTINCT FROM 'object' OR jsonb_typeof(jwks -> 'keys') IS DISTINCT FROM 'array' THEN
		RAISE EXCEPTION 'not a JWKS document (an object with a "keys" array)' USING ERRCODE = 'invalid_parameter_value';
	ELSIF jsonb_array_length(jwks -> 'keys') > 100 THEN
		RAISE EXCEPTION 'JWKS document has more than 100 keys' USING ERRCODE = 'invalid_parameter_value';
	END IF;

	SELECT coalesce(jsonb_agg(jsonb_build_object('kid', kid, 'jwk', jwk, 'algorithms', algorithms) ORDER BY n), '[]')
	INTO fresh
	FROM (SELECT n, CASE WHEN jsonb_typeof(key -> 'kid') = 'string' THEN key ->> 'kid' END AS kid,
			(SELECT jsonb_object_agg(m.key, m.value) FROM jsonb_each(key) m
				WHERE m.key IN ('kty', 'crv', 'x', 'y', 'n', 'e', 'alg', 'kid', 'use')) AS jwk,
			todo.jwk_algorithms(key) AS algorithms
		FROM jsonb_array_elements(jwks -> 'keys') WITH ORDINALITY AS e(key, n)
		WHERE jsonb_typeof(key) = 'object' AND key ->> 'kty' IS DISTINCT FROM 'oct') usable
	WHERE algorithms IS NOT NULL;
	IF fresh = '[]' AND jsonb_array_length(jwks -> 'keys') > 0 THEN
		RAISE EXCEPTION 'JWKS document has no usable signing key' USING ERRCODE = 'invalid_parameter_value';
	END IF;

	SELECT coalesce(jsonb_agg(jsonb_build_object('kid', k.kid, 'jwk', k.jwk, 'algorithms', k.algorithms) ORDER BY k.position), '[]')
	INTO previous
	FROM todo.issuer_keys k WHERE k.issuer = trusted.name;
	DELETE FROM todo.issuer_keys k WHERE k.issuer = trusted.name;
	INSERT INTO todo.issuer_keys (issuer, position, kid, jwk, algorithms)
	SELECT trusted.name, f.n, f.key ->> 'kid', f.key -> 'jwk', ARRAY(SELECT jsonb_array_elements_text(f.key -> 'algorithms'))
	FROM jsonb_array_elements(fresh) WITH ORDINALITY AS f(key, n);
	IF fresh <> previous THEN
		UPDATE todo.issuers i SET keys_changed_at = clock_timestamp() WHERE i.name = trusted.name;
	END IF;
	RETURN jsonb_array_length(fresh);
END
$$;
COMMENT ON FUNCTION api.gateway_store_jwks(text, jsonb) IS
'replace a JWKS issuer''s keys with the usable keys of a JWKS document; returns how many (gateway only; 22023 keeps the old keys)';
