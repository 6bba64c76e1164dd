-- bench/reference_list.sql: the one-statement reference of GET /api/{user_id}/tasks (issue 11):
-- the user's tasks as one JSON array, newest first, if the token's session is live.
-- Run by bench/http.sh with pgbench -M prepared as a superuser; :uid, :jti as in the gateway's run.
SELECT json_agg(t ORDER BY t.created_at DESC) FROM todo.tasks t WHERE t.user_id = :uid::uuid AND EXISTS (SELECT 1 FROM todo.sessions s WHERE s.token_jti = :jti AND NOT s.revoked AND s.expires_at > now());
