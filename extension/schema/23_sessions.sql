/* extension/schema/23_sessions.sql: table todo.sessions, one row per issued token */

CREATE TABLE todo.sessions (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES todo.users (id) ON DELETE CASCADE,
	token_jti text NOT NULL UNIQUE
		CONSTRAINT sessions_token_jti_length CHECK (length(token_jti) BETWEEN 1 AND 255),
	expires_at timestamptz NOT NULL,
	revoked boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE todo.sessions IS 'todo: sessions; a token is valid only while its session is neither revoked nor expired';

CREATE INDEX sessions_user_idx ON todo.sessions (user_id);
