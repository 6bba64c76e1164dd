-- bench/item_task.lua: wrk script for the requests on one task (bench/http.sh): GET, PUT or
-- PATCH .../complete of one of the item user's 50 tasks, drawn at random per request (ids
-- ...000010 to ...000059, as in bench/reference_*.sql). BENCH_METHOD, BENCH_TASKS_PATH
-- (/api/{user_id}/tasks/), BENCH_SUFFIX ("" or "/complete") and BENCH_TASK_BODY (PUT) come
-- from bench/http.sh; the Authorization header from wrk's -H option.
local method = os.getenv("BENCH_METHOD") or "GET"
local prefix = (os.getenv("BENCH_TASKS_PATH") or "/") .. "00000000-0000-4000-8000-0000000000"
local suffix = os.getenv("BENCH_SUFFIX") or ""
local body = nil
if method == "PUT" then
	body = os.getenv("BENCH_UPDATE_BODY")
	wrk.headers["Content-Type"] = "application/json"
end

-- no headers argument: wrk.format then sends wrk.headers (Host, Authorization, ...)
request = function()
	return wrk.format(method, prefix .. math.random(10, 59) .. suffix, nil, body)
end
