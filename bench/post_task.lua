-- bench/post_task.lua: wrk script for POST /api/{user_id}/tasks (bench/http.sh).
-- The body is the one bench/http.sh gives pgbench for api.task_create($1::jsonb).
-- BENCH_USERS_FILE (bench/http.sh) holds one "user_id token" line per user: each request
-- goes to one of them drawn at random, as pgbench draws one of its per-user scripts, so that
-- 50 connections do not all insert for one user (whose task count, a row of its own, each
-- insert locks until it commits: docs/benchmarks.md). Without the file, every request goes
-- to the path and Authorization header of wrk's command line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_TASK_BODY")
	or '{"title":"bench-task","description":"created by bench/http.sh","priority":"high","tags":["bench","work"]}'

local requests = {}

init = function(args)
	local file = os.getenv("BENCH_USERS_FILE")
	if not file or file == "" then
		return
	end
	-- each thread's own sequence (a table's address differs from one Lua state to another)
	math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
	for line in io.lines(file) do
		local uid, token = line:match("^(%S+) (%S+)$")
		if uid then
			local headers = { ["Content-Type"] = "application/json", Authorization = "Bearer " .. token }
			requests[#requests + 1] = wrk.format("POST", "/api/" .. uid .. "/tasks", headers, wrk.body)
		end
	end
end

request = function()
	if #requests == 0 then
		return wrk.format()
	end
	return requests[math.random(#requests)]
end
