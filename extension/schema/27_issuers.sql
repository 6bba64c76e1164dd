/* extension/schema/27_issuers.sql: other issuers whose tokens we accept, their keys, and the users they name (since 1.2) */

-- Where a JWKS may be fetched from: https anywhere, http only on a loopback host (local
-- development and tests); no user info in the authority (http://127.0.0.1@evil.example).
CREATE FUNCTION todo.jwks_url_allowed(url text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT length(url) <= 2000 AND (url ~ '^https://[^/?#@[:space:]]+([/?#][^[:space:]]*)?$'
		OR url ~ '^http://(localhost|127(\.[0-9]{1,3}){3}|\[::1\])(:[0-9]{1,5})?([/?#][^[:space:]]*)?$')
$$;
COMMENT ON FUNCTION todo.jwks_url_allowed(text) IS 'todo: whether a JWKS URL is https, or http on a loopback host';

-- A trusted issuer (todoctl issuer add): tokens whose iss is `issuer` are verified with its
-- JWKS keys (fetched by the gateway from jwks_url) or its shared HS256 secret, never both.
-- Owner-only: no request role and not the gateway may read it (the secret is here).
CREATE TABLE todo.issuers (
	name text PRIMARY KEY
		CONSTRAINT issuers_name_format CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
	issuer text NOT NULL UNIQUE
		CONSTRAINT issuers_issuer_length CHECK (length(issuer) BETWEEN 1 AND 1000),
	jwks_url text
		CONSTRAINT issuers_jwks_url_allowed CHECK (todo.jwks_url_allowed(jwks_url)),
	hs256_secret text
		CONSTRAINT issuers_hs256_secret_length CHECK (octet_length(hs256_secret) BETWEEN 32 AND 1024),
	audience text
		CONSTRAINT issuers_audience_length CHECK (length(audience) BETWEEN 1 AND 1000),
	subject_claim text NOT NULL DEFAULT 'sub'
		CONSTRAINT issuers_subject_claim_format CHECK (subject_claim ~ '^[A-Za-z0-9_.:-]{1,64}$'),
	-- when its keys (or the issuer itself) last changed: a token verified before is
	-- verified again (todo.authenticate_external)
	keys_changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	created_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT issuers_one_key_source CHECK ((jwks_url IS NULL) <> (hs256_secret IS NULL))
);
COMMENT ON TABLE todo.issuers IS 'todo: issuers whose tokens are trusted (todoctl issuer); holds secrets: owner-only';

-- The usable keys of a JWKS issuer's last fetched JWKS document (api.gateway_store_jwks),
-- in document order; kid is NULL for a key without one.
CREATE TABLE todo.issuer_keys (
	issuer text NOT NULL REFERENCES todo.issuers (name) ON DELETE CASCADE,
	position integer NOT NULL,
	kid text,
	jwk jsonb NOT NULL,
	algorithms text[] NOT NULL,
	fetched_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (issuer, position)
);
COMMENT ON TABLE todo.issuer_keys IS 'todo: the current signing keys of each JWKS issuer (api.gateway_store_jwks)';
CREATE INDEX issuer_keys_kid_idx ON todo.issuer_keys (issuer, kid);

-- Who a verified external token is: (its iss, its subject) names one of our users, created
-- by its first token. Keyed by the iss value rather than the issuer's name, so that an
-- issuer removed and added again finds its users again.
CREATE TABLE todo.external_identities (
	issuer text NOT NULL,
	subject text NOT NULL
		CONSTRAINT external_identities_subject_length CHECK (length(subject) BETWEEN 1 AND 255),
	user_id uuid NOT NULL UNIQUE REFERENCES todo.users (id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (issuer, subject)
);
COMMENT ON TABLE todo.external_identities IS 'todo: the user each (iss, subject) of another issuer''s tokens maps to';

-- A user of another issuer has no password (cannot log in with one), and an email only
-- when its token carries one that no other account holds (docs/decisions.md).
ALTER TABLE todo.users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE todo.users ALTER COLUMN email DROP NOT NULL;

-- Each verified external token has a session, keyed by the token's digest: its first
-- verification is remembered (verified_keys_at: later requests check only that it is still
-- live and its issuer's keys unchanged since), and logout revokes exactly that token until its
-- exp. Expired ones are purged when their user's next token arrives.
ALTER TABLE todo.sessions ADD COLUMN issuer text;
ALTER TABLE todo.sessions ADD COLUMN subject text;
ALTER TABLE todo.sessions ADD COLUMN verified_keys_at timestamptz;
ALTER TABLE todo.sessions ADD CONSTRAINT sessions_external_identity FOREIGN KEY (issuer, subject)
	REFERENCES todo.external_identities (issuer, subject) ON DELETE CASCADE;
ALTER TABLE todo.sessions ADD CONSTRAINT sessions_external_complete
	CHECK ((issuer IS NULL) = (subject IS NULL) AND (issuer IS NULL) = (verified_keys_at IS NULL));
COMMENT ON COLUMN todo.sessions.issuer IS 'todo: iss of an external token (then token_jti is its sha256), NULL for our own';
COMMENT ON COLUMN todo.sessions.subject IS 'todo: subject of an external token';
COMMENT ON COLUMN todo.sessions.verified_keys_at IS 'todo: the keys_changed_at of the issuer keys that verified an external token';
CREATE INDEX sessions_external_idx ON todo.sessions (issuer, subject) WHERE issuer IS NOT NULL;

-- The key of the request's token (app.token) in todo.sessions when another issuer signed
-- it: its SHA-256. Policy sessions_presented_token lets a request read that one session.
CREATE FUNCTION todo.presented_token_key()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT 'sha256:' OPERATOR(pg_catalog.||) pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
		coalesce(pg_catalog.current_setting('app.token', true), ''), 'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION todo.presented_token_key() IS 'todo: sha256 of the request''s token, the key of an external token''s session';

-- The identity a verified external token names (app.identity, a JSON array [iss, subject]
-- set by todo.external_user only): the one row of todo.external_identities a request may
-- look up before it knows its user.
CREATE FUNCTION todo.verified_identity()
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(pg_catalog.current_setting('app.identity', true), '')::pg_catalog.jsonb $$;
COMMENT ON FUNCTION todo.verified_identity() IS 'todo: [iss, subject] of the verified external token (app.identity), or NULL';
