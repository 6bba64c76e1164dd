/* extension/schema/28_idempotency.sql: Idempotency-Key, the stored answers and their keyed fingerprints */

-- A write sent with an Idempotency-Key header (docs/sql-api.md, "Idempotency-Key") runs once:
-- its answer is stored with the key in the transaction of the write itself, and the same
-- request sent again gets the stored answer instead of running again. Keys belong to a
-- scope: 'u:' and the user's id for an authenticated write, 'c:' and the client's address
-- (todo.client_address(), the login throttle's) for register, which has no user yet
-- (docs/decisions.md). The same key in two scopes is two independent keys.

-- pgcrypto is relocatable (34_passwords.sql): its hmac() and gen_random_bytes() through
-- these wrappers only.
DO $$
DECLARE
	crypto_schema name := (SELECT n.nspname
		FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
		WHERE e.extname OPERATOR(pg_catalog.=) 'pgcrypto');
BEGIN
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION todo.hmac_digest(message bytea, secret bytea) RETURNS bytea
		LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
		AS 'SELECT %I.hmac(message, secret, ''sha256'')'$f$, crypto_schema);
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION todo.random_bytes(n integer) RETURNS bytea
		LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
		AS 'SELECT %I.gen_random_bytes(n)'$f$, crypto_schema);
END
$$;
COMMENT ON FUNCTION todo.hmac_digest(bytea, bytea) IS 'todo: pgcrypto''s hmac(message, secret, ''sha256'')';
COMMENT ON FUNCTION todo.random_bytes(integer) IS 'todo: pgcrypto''s gen_random_bytes()';

-- The one row of settings of Idempotency-Key, owner-only (30_policies.sql): the key of the
-- fingerprints' HMAC, made at install and never shown to a request role (a stored
-- fingerprint of a register body, which holds a password, cannot be checked against
-- guesses without it), and how long a key is kept. The operator changes the lifetime as a
-- superuser or a member of todo_owner (docs/operations.md):
--   UPDATE todo.idempotency_settings SET key_lifetime = interval '48 hours';
CREATE TABLE todo.idempotency_settings (
	secret bytea NOT NULL DEFAULT todo.random_bytes(32)
		CONSTRAINT idempotency_settings_secret_length CHECK (octet_length(secret) >= 32),
	key_lifetime interval NOT NULL DEFAULT interval '24 hours'
		CONSTRAINT idempotency_settings_key_lifetime_range
		CHECK (key_lifetime BETWEEN interval '1 minute' AND interval '30 days')
);
COMMENT ON TABLE todo.idempotency_settings IS 'todo: the HMAC key of Idempotency-Key fingerprints and how long keys live (one row, owner-only)';
CREATE UNIQUE INDEX idempotency_settings_one_row ON todo.idempotency_settings ((true));
INSERT INTO todo.idempotency_settings DEFAULT VALUES;

-- One row per key in use: the request's fingerprint and the answer it got (data and meta of
-- its api.result; only answers without error are stored: docs/decisions.md).
CREATE TABLE todo.idempotency_keys (
	scope text NOT NULL
		CONSTRAINT idempotency_keys_scope_format CHECK (scope ~ '^[uc]:' AND octet_length(scope) BETWEEN 3 AND 120),
	key text NOT NULL
		CONSTRAINT idempotency_keys_key_format CHECK (octet_length(key) BETWEEN 1 AND 255 AND key !~ '[^ -~]'),
	fingerprint bytea NOT NULL
		CONSTRAINT idempotency_keys_fingerprint_length CHECK (octet_length(fingerprint) = 32),
	data json,
	meta json,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (scope, key)
);
COMMENT ON TABLE todo.idempotency_keys IS 'todo: Idempotency-Key: each key''s request fingerprint and stored answer, until it expires';

-- Expired keys are deleted oldest first (todo.forget_idempotency_keys)
CREATE INDEX idempotency_keys_expires_idx ON todo.idempotency_keys (expires_at);

-- How long a key is kept: todo.idempotency_settings.key_lifetime (24 hours by default).
-- PL/pgSQL for its kept plan, as todo.idempotency_fingerprint.
CREATE FUNCTION todo.idempotency_key_lifetime()
RETURNS interval
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN coalesce((SELECT s.key_lifetime FROM todo.idempotency_settings s), interval '24 hours');
END
$$;
COMMENT ON FUNCTION todo.idempotency_key_lifetime() IS 'todo: how long an Idempotency-Key and its answer are kept';

-- The scope the transaction's key belongs to (app.idempotency_scope, set by
-- todo.idempotency_claim): the key of the policy on todo.idempotency_keys.
CREATE FUNCTION todo.idempotency_scope()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(pg_catalog.current_setting('app.idempotency_scope', true), '') $$;
COMMENT ON FUNCTION todo.idempotency_scope() IS 'todo: the scope of the Idempotency-Key in use (app.idempotency_scope), or NULL';

-- What a request is, for telling a retry from another request under the same key: an
-- HMAC-SHA256 of its method, path and body, keyed with the installation's secret, so that
-- the table never holds a plain hash of a body that holds a password.
-- PL/pgSQL, whose plan each backend keeps (a SQL function with a sub-select is planned
-- again on every call: about 60 us of each keyed write).
CREATE FUNCTION todo.idempotency_fingerprint(method text, path text, body text)
RETURNS bytea
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN todo.hmac_digest(convert_to(coalesce(method, '') || ' ' || coalesce(path, '') || E'\n' || coalesce(body, ''), 'UTF8'),
		(SELECT s.secret FROM todo.idempotency_settings s));
END
$$;
COMMENT ON FUNCTION todo.idempotency_fingerprint(text, text, text) IS 'todo: HMAC-SHA256 of a request''s method, path and body (the installation''s secret)';

-- 1 to 255 printable ASCII characters (the gateway checks it too); TDI00 otherwise. A length
-- and a negated class, not '^[ -~]{1,255}$': a bounded repetition makes a large automaton,
-- about 40 us a match.
CREATE FUNCTION todo.check_idempotency_key(key text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF key IS NULL OR octet_length(key) NOT BETWEEN 1 AND 255 OR key ~ '[^ -~]' THEN
		PERFORM todo.raise_error('TDI00', 'Idempotency-Key must be 1 to 255 printable ASCII characters');
	END IF;
END
$$;
COMMENT ON FUNCTION todo.check_idempotency_key(text) IS 'todo: TDI00 unless key is 1-255 printable ASCII characters';

-- Claims key in scope for this transaction, or refuses. The key is locked (a transaction
-- advisory lock on its hash) without waiting: a request under a key whose first request is
-- still running gets TDI09 (409) at once, as the draft asks, rather than waiting for it.
-- Then the stored answer, if any and not expired: the same fingerprint returns it (a
-- replay: the caller runs nothing), another is TDI22 (422). A NULL row: the key is new (or
-- expired), the request runs, and todo.idempotency_store keeps its answer.
CREATE FUNCTION todo.idempotency_claim(claim_scope text, claim_key text, claim_fingerprint bytea)
RETURNS todo.idempotency_keys
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	stored todo.idempotency_keys;
BEGIN
	PERFORM todo.check_idempotency_key(claim_key);
	PERFORM set_config('app.idempotency_scope', claim_scope, true);
	IF NOT pg_try_advisory_xact_lock(hashtextextended('todo.idempotency_keys ' || claim_scope || ' ' || claim_key, 0)) THEN
		PERFORM todo.raise_error('TDI09', 'a request with this Idempotency-Key is still in progress; retry later');
	END IF;
	SELECT * INTO stored FROM todo.idempotency_keys k
	WHERE k.scope = claim_scope AND k.key = claim_key AND k.expires_at > now();
	IF FOUND AND stored.fingerprint <> claim_fingerprint THEN
		PERFORM todo.raise_error('TDI22', 'this Idempotency-Key was used for a different request (method, path or body)',
			jsonb_build_object('details', todo.field_error('Idempotency-Key', 'was used for a different request')));
	END IF;
	RETURN stored;
END
$$;
COMMENT ON FUNCTION todo.idempotency_claim(text, text, bytea) IS 'todo: lock an Idempotency-Key (TDI09 when in use) and return its stored answer (TDI22 for another request)';

-- Deletes up to max_rows expired keys, oldest first, skipping any a transaction has locked:
-- never waits, never holds many row locks. Each stored answer calls it for a few; the
-- operator may call it for more (docs/operations.md). Returns how many went.
CREATE FUNCTION todo.forget_idempotency_keys(max_rows integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	gone integer;
BEGIN
	DELETE FROM todo.idempotency_keys k USING (
		SELECT e.scope, e.key FROM todo.idempotency_keys e
		WHERE e.expires_at <= now()
		ORDER BY e.expires_at LIMIT max_rows
		FOR UPDATE SKIP LOCKED) old
	WHERE k.scope = old.scope AND k.key = old.key;
	GET DIAGNOSTICS gone = ROW_COUNT;
	RETURN gone;
END
$$;
COMMENT ON FUNCTION todo.forget_idempotency_keys(integer) IS 'todo: delete up to max_rows expired Idempotency-Keys, skipping locked ones; returns how many';

-- Keeps the answer of a request that ran under a key claimed by todo.idempotency_claim, in
-- its transaction: committed together with the write, or not at all. An expired row of the
-- same key is replaced. Answers with an error are not kept (docs/decisions.md). Then a few
-- expired keys go.
CREATE FUNCTION todo.idempotency_store(store_scope text, store_key text, store_fingerprint bytea, answer api.result)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF answer.error IS NOT NULL THEN
		RETURN;
	END IF;
	INSERT INTO todo.idempotency_keys AS k (scope, key, fingerprint, data, meta, expires_at)
	VALUES (store_scope, store_key, store_fingerprint, answer.data, answer.meta, now() + todo.idempotency_key_lifetime())
	ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, data = excluded.data,
		meta = excluded.meta, created_at = excluded.created_at, expires_at = excluded.expires_at;
	PERFORM todo.forget_idempotency_keys(10);
END
$$;
COMMENT ON FUNCTION todo.idempotency_store(text, text, bytea, api.result) IS 'todo: store the answer of a request under its Idempotency-Key, in its transaction';
