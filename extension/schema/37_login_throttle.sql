/* extension/schema/37_login_throttle.sql: login throttling, per account name and address, and per address */

-- The client's address as the gateway passed it (app.client_addr: the socket's peer, or
-- the X-Forwarded-For entry of a trusted proxy), as a throttling key: an IPv4 address, an
-- IPv6 address's /64 (one subscriber usually holds a whole /64), IPv4-mapped IPv6 as IPv4.
-- NULL when unset or not an address.
CREATE FUNCTION todo.client_address()
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	given text := nullif(current_setting('app.client_addr', true), '');
	address inet;
BEGIN
	IF given IS NULL OR given !~ '^[0-9A-Fa-f:.]{2,45}$' THEN
		RETURN NULL;
	END IF;
	BEGIN
		address := given::inet;
	EXCEPTION WHEN invalid_text_representation THEN
		RETURN NULL;
	END;
	IF family(address) = 6 AND address <<= inet '::ffff:0.0.0.0/96' THEN
		address := substr(host(address), 8)::inet;
	END IF;
	IF family(address) = 6 THEN
		RETURN network(set_masklen(address, 64))::text;
	END IF;
	RETURN host(address);
END
$$;
COMMENT ON FUNCTION todo.client_address() IS 'todo: the client''s address (app.client_addr) as a throttling key, IPv6 by /64; NULL when unknown';

-- Counts one attempt against a counter, or refuses it: the row is written (and so locked
-- until the transaction ends) before anything is decided, so concurrent attempts on one
-- counter are decided one after the other. A locked counter is left as it is; an expired
-- one starts again at 1. Returns the seconds to wait when refused, else NULL.
CREATE FUNCTION todo.count_login_attempt(counter text, max_failures integer)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	a todo.login_attempts;
BEGIN
	INSERT INTO todo.login_attempts AS c (account, failures, window_started_at)
	VALUES (counter, 1, now())
	ON CONFLICT (account) DO UPDATE SET
		failures = CASE WHEN c.locked_until > now() THEN c.failures
			WHEN c.locked_until <= now() OR c.window_started_at <= now() - todo.login_failure_window() THEN 1
			ELSE c.failures + 1 END,
		window_started_at = CASE WHEN c.locked_until > now() THEN c.window_started_at
			WHEN c.locked_until <= now() OR c.window_started_at <= now() - todo.login_failure_window() THEN now()
			ELSE c.window_started_at END,
		locked_until = CASE WHEN c.locked_until > now() THEN c.locked_until END
	RETURNING * INTO a;
	IF a.locked_until > now() THEN
		RETURN ceil(extract(epoch FROM a.locked_until - now()))::integer;
	END IF;
	IF a.failures > max_failures THEN
		RETURN ceil(extract(epoch FROM a.window_started_at + todo.login_failure_window() - now()))::integer;
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.count_login_attempt(text, integer) IS 'todo: count a login attempt on a counter; seconds to wait when refused';

-- Seconds a counter still refuses logins when it has max_failures (or is locked), else
-- NULL; reads without a lock, for counters counted only after the password check (the
-- address's: a row lock held through bcrypt would queue every login from that address).
CREATE FUNCTION todo.login_refused_for(counter text, max_failures integer)
RETURNS integer
LANGUAGE sql STABLE
AS $$
	SELECT ceil(extract(epoch FROM CASE WHEN locked_until > now() THEN locked_until
		ELSE window_started_at + todo.login_failure_window() END - now()))::integer
	FROM todo.login_attempts
	WHERE account = counter
		AND (locked_until > now() OR (failures >= max_failures AND window_started_at > now() - todo.login_failure_window()))
$$;
COMMENT ON FUNCTION todo.login_refused_for(text, integer) IS 'todo: seconds a full or locked login counter refuses logins, or NULL';

-- Deletes a few counters whose window and lockout are long over (each login deletes up to
-- this many, more than it can create): rows for identifiers nobody owns do not pile up.
CREATE FUNCTION todo.forget_login_attempts()
RETURNS void
LANGUAGE plpgsql
SET lock_timeout = '10ms'
AS $$
BEGIN
	DELETE FROM todo.login_attempts WHERE account IN (
		SELECT account FROM todo.login_attempts
		WHERE window_started_at < now() - todo.login_failure_window() - todo.login_lockout()
		ORDER BY window_started_at LIMIT 10);
EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
	-- A counter this snapshot saw expired is being counted again by a login in flight, which
	-- may itself wait for a counter this login holds (its address): waiting would deadlock.
	-- The cleanup is left to a later login.
	NULL;
END
$$;
COMMENT ON FUNCTION todo.forget_login_attempts() IS 'todo: delete a few long-expired login counters, skipped when one is in use';
