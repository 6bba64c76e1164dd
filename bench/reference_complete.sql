-- bench/reference_complete.sql: the one-statement reference of PATCH
-- /api/{user_id}/tasks/{id}/complete without a body (completion toggled), if the session is live.
-- Run by bench/http.sh with pgbench -M prepared as a superuser.
\set i random(10, 59)
UPDATE todo.tasks t SET status = CASE WHEN t.status = 'completed' THEN 'pending' ELSE 'completed' END::todo.task_status, completed_at = CASE WHEN t.status = 'completed' THEN NULL ELSE now() END WHERE t.id = ('00000000-0000-4000-8000-0000000000'::text || :i)::uuid AND t.user_id = :uid::uuid AND EXISTS (SELECT 1 FROM todo.sessions s WHERE s.token_jti = :jti AND NOT s.revoked AND s.expires_at > now()) RETURNING row_to_json(t);
