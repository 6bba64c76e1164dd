/* extension/schema/34_passwords.sql: bcrypt through pgcrypto, including Python's $2b$/$2y$ hashes */

-- pgcrypto is relocatable: find where it lives once, here, and call it through these two
-- wrappers only (PostgreSQL 15 has no @extschema:pgcrypto@).
DO $$
DECLARE
	crypto_schema name := (SELECT n.nspname
		FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
		WHERE e.extname OPERATOR(pg_catalog.=) 'pgcrypto');
BEGIN
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION todo.crypt(password text, setting text) RETURNS text
		LANGUAGE sql STRICT PARALLEL SAFE
		AS 'SELECT %I.crypt(password, setting)'$f$, crypto_schema);
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION todo.bcrypt_salt(cost integer) RETURNS text
		LANGUAGE sql STRICT PARALLEL SAFE
		AS 'SELECT %I.gen_salt(''bf'', cost)'$f$, crypto_schema);
END
$$;
COMMENT ON FUNCTION todo.crypt(text, text) IS 'todo: pgcrypto''s crypt()';
COMMENT ON FUNCTION todo.bcrypt_salt(integer) IS 'todo: pgcrypto''s gen_salt(''bf'', cost)';

CREATE FUNCTION todo.hash_password(password text)
RETURNS text
LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
AS $$ SELECT todo.crypt(password, todo.bcrypt_salt(todo.bcrypt_cost())) $$;
COMMENT ON FUNCTION todo.hash_password(text) IS 'todo: a new bcrypt hash of password';

-- True when password matches hash. pgcrypto knows only $2a$ and, given $2b$ or $2y$,
-- silently computes DES instead; for passwords of at most 72 bytes (the contract's limit)
-- the three variants compute the same hash, so those are checked as $2a$. Any other kind
-- of hash never matches.
CREATE FUNCTION todo.check_password(password text, hash text)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
	SELECT CASE
		WHEN hash OPERATOR(pg_catalog.~) '^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$'
		THEN todo.crypt(password, '$2a$' || pg_catalog.substr(hash, 5)) OPERATOR(pg_catalog.=) ('$2a$' || pg_catalog.substr(hash, 5))
		ELSE false
	END
$$;
COMMENT ON FUNCTION todo.check_password(text, text) IS 'todo: whether password matches a bcrypt hash ($2a$, $2b$ or $2y$)';

-- The cost of the decoy check of a login for an account that does not exist: drawn from
-- the costs real accounts have (todo.password_costs, weighted by their number), by a hash
-- of the identifier, so that one unknown name always costs the same and the names together
-- cost what real accounts cost. The current cost when there are no accounts.
CREATE FUNCTION todo.decoy_cost(identifier text)
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	WITH costs AS (
		SELECT cost, pg_catalog.sum(accounts) OVER (ORDER BY cost) AS up_to, pg_catalog.sum(accounts) OVER () AS total
		FROM todo.password_costs WHERE accounts OPERATOR(pg_catalog.>) 0
	), pick AS (
		SELECT ('x' OPERATOR(pg_catalog.||) pg_catalog.substr(pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(identifier, 'UTF8')), 'hex'), 1, 15))::bit(60)::bigint AS h
	)
	SELECT coalesce(
		(SELECT cost FROM costs, pick WHERE pick.h OPERATOR(pg_catalog.%) costs.total OPERATOR(pg_catalog.<) costs.up_to ORDER BY cost LIMIT 1),
		todo.bcrypt_cost())
$$;
COMMENT ON FUNCTION todo.decoy_cost(text) IS 'todo: the bcrypt cost of the decoy check for an unknown identifier';

-- Spends the time of one check when there is no user, so that a login's duration does
-- not tell whether an account exists.
CREATE FUNCTION todo.waste_password_check(password text, identifier text)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$ SELECT todo.check_password(password, pg_catalog.format('$2a$%s$%s', pg_catalog.lpad(todo.decoy_cost(identifier)::text, 2, '0'), pg_catalog.repeat('.', 53))) $$;
COMMENT ON FUNCTION todo.waste_password_check(text, text) IS 'todo: a password check against no user, at a real account''s cost (constant-time login)';

-- Whether a hash is what todo.hash_password makes today ($2a$ at the current cost): a
-- successful login rehashes one that is not, so that accounts converge on one cost.
CREATE FUNCTION todo.password_hash_current(hash text)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.left(hash, 4) OPERATOR(pg_catalog.=) '$2a$' AND todo.bcrypt_hash_cost(hash) OPERATOR(pg_catalog.=) todo.bcrypt_cost() $$;
COMMENT ON FUNCTION todo.password_hash_current(text) IS 'todo: whether a bcrypt hash has the current format and cost';
