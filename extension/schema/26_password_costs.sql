/* extension/schema/26_password_costs.sql: table todo.password_costs, how many accounts hash at each bcrypt cost */

-- A login for an account that does not exist spends one decoy bcrypt check; its cost is
-- drawn from this table (todo.decoy_cost), so that it costs what real accounts cost, the
-- imported ones at cost 12 included. Kept by a trigger on todo.users: counts only, nothing
-- that names an account.
CREATE TABLE todo.password_costs (
	cost integer PRIMARY KEY CONSTRAINT password_costs_cost_range CHECK (cost BETWEEN 4 AND 31),
	accounts bigint NOT NULL CONSTRAINT password_costs_accounts_not_negative CHECK (accounts >= 0)
);
COMMENT ON TABLE todo.password_costs IS 'todo: number of accounts per bcrypt cost (the decoy check of unknown logins)';

-- The cost of a bcrypt hash ($2a$10$... is 10).
CREATE FUNCTION todo.bcrypt_hash_cost(hash text)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.substr(hash, 5, 2)::integer $$;
COMMENT ON FUNCTION todo.bcrypt_hash_cost(text) IS 'todo: the cost of a bcrypt hash';

CREATE FUNCTION todo.count_password_costs()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- (a user of another issuer has no password: NULL, counted nowhere)
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.password_hash IS NOT NULL THEN
		UPDATE todo.password_costs SET accounts = accounts - 1 WHERE cost = todo.bcrypt_hash_cost(OLD.password_hash);
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.password_hash IS NOT NULL THEN
		INSERT INTO todo.password_costs AS c (cost, accounts) VALUES (todo.bcrypt_hash_cost(NEW.password_hash), 1)
		ON CONFLICT (cost) DO UPDATE SET accounts = c.accounts + 1;
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.count_password_costs() IS 'todo: trigger keeping todo.password_costs in step with todo.users';

CREATE TRIGGER users_count_password_costs AFTER INSERT OR DELETE OR UPDATE OF password_hash ON todo.users
	FOR EACH ROW EXECUTE FUNCTION todo.count_password_costs();
