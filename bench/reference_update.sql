-- bench/reference_update.sql: the one-statement reference of PUT /api/{user_id}/tasks/{id}
-- (bench/put_task.lua's body: a new title and priority), if the session is live.
-- Run by bench/http.sh with pgbench -M prepared as a superuser.
\set i random(10, 59)
UPDATE todo.tasks t SET title = 'bench-update', priority = 'low' WHERE t.id = ('00000000-0000-4000-8000-0000000000'::text || :i)::uuid AND t.user_id = :uid::uuid AND EXISTS (SELECT 1 FROM todo.sessions s WHERE s.token_jti = :jti AND NOT s.revoked AND s.expires_at > now()) RETURNING row_to_json(t);
