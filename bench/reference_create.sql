-- bench/reference_create.sql: the one-statement reference of POST /api/{user_id}/tasks: the
-- same row (bench/post_task.lua's body) inserted and returned, if the token's session is live.
-- Run by bench/http.sh with pgbench -M prepared as a superuser.
INSERT INTO todo.tasks (user_id, title, description, priority, tags) SELECT :uid::uuid, 'bench-task', 'created by bench/http.sh', 'high', '{bench,work}' WHERE EXISTS (SELECT 1 FROM todo.sessions s WHERE s.token_jti = :jti AND NOT s.revoked AND s.expires_at > now()) RETURNING row_to_json(tasks);
