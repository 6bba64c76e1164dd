-- bench/post_task.lua: wrk script for POST /api/{user_id}/tasks (bench/http.sh).
-- The body is the one bench/http.sh gives pgbench for api.task_create($1::jsonb); the
-- Authorization header comes from wrk's -H option.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_TASK_BODY")
	or '{"title":"bench-task","description":"created by bench/http.sh","priority":"high","tags":["bench","work"]}'
