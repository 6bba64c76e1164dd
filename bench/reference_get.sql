-- bench/reference_get.sql: the one-statement reference of GET /api/{user_id}/tasks/{id}: one of
-- the item user's 50 tasks (ids ...000010 to ...000059, bench/http.sh), if the session is live.
-- Run by bench/http.sh with pgbench -M prepared as a superuser.
\set i random(10, 59)
SELECT row_to_json(t) FROM todo.tasks t WHERE t.id = ('00000000-0000-4000-8000-0000000000'::text || :i)::uuid AND t.user_id = :uid::uuid AND EXISTS (SELECT 1 FROM todo.sessions s WHERE s.token_jti = :jti AND NOT s.revoked AND s.expires_at > now());
