/* extension/schema/21_users.sql: table todo.users */

CREATE TABLE todo.users (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	username text NOT NULL
		CONSTRAINT users_username_format CHECK (username ~ '^[A-Za-z0-9_]{3,30}$'),
	email text NOT NULL
		CONSTRAINT users_email_format CHECK (email = lower(email) AND length(email) <= 254
			AND email ~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$'),
	-- bcrypt, cost 04-31: ours are $2a$ (pgcrypto), imported ones may be $2b$ or $2y$ (todo.check_password)
	password_hash text NOT NULL
		CONSTRAINT users_password_hash_bcrypt CHECK (password_hash ~ '^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$'),
	name text
		CONSTRAINT users_name_length CHECK (char_length(name) <= 100),
	is_active boolean NOT NULL DEFAULT true,
	email_verified boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE todo.users IS 'todo: accounts; username unique ignoring case, email stored lowercase';

CREATE UNIQUE INDEX users_username_key ON todo.users (lower(username));
CREATE UNIQUE INDEX users_email_key ON todo.users (email);

-- updated_at and created_at are the database's: an UPDATE cannot set them.
CREATE FUNCTION todo.stamp_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	NEW.created_at := OLD.created_at;
	NEW.updated_at := clock_timestamp();
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION todo.stamp_updated_at() IS 'todo: trigger keeping created_at and updated_at right on UPDATE';

CREATE TRIGGER users_stamp_updated_at BEFORE UPDATE ON todo.users
	FOR EACH ROW EXECUTE FUNCTION todo.stamp_updated_at();
