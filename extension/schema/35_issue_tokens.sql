/* extension/schema/35_issue_tokens.sql: issuing tokens (a session and its JWT) */

-- Opens a session for u (the transaction must act for u) and returns the contract's
-- register/login body: {"user", "access_token", "token_type", "expires_at"}.
CREATE FUNCTION todo.start_session(u todo.users)
RETURNS json
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	issued_at bigint := floor(extract(epoch FROM now()));
	expires_at bigint := issued_at + todo.token_lifetime();
	jti text := gen_random_uuid()::text;
	claims jsonb;
BEGIN
	INSERT INTO todo.sessions (user_id, token_jti, expires_at)
	VALUES (u.id, jti, to_timestamp(expires_at));

	-- iss and aud only when set (08_settings.sql; jsonb_strip_nulls drops the others)
	claims := jsonb_strip_nulls(jsonb_build_object('sub', u.id, 'jti', jti, 'iat', issued_at, 'exp', expires_at,
		'iss', nullif(todo.jwt_issuer(), ''), 'aud', nullif(todo.jwt_audience(), '')));

	RETURN json_build_object(
		'user', todo.user_json(u),
		'access_token', todo.jwt_sign(claims),
		'token_type', 'bearer',
		'expires_at', todo.rfc3339(to_timestamp(expires_at)));
END
$$;
COMMENT ON FUNCTION todo.start_session(todo.users) IS 'todo: open a session and issue its token';
