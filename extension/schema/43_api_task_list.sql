/* extension/schema/43_api_task_list.sql: listing tasks with filters, sort and paging */

-- The single value of query parameter name (the gateway sends every parameter as an
-- array of its values); NULL when absent, 400 when repeated.
CREATE FUNCTION todo.query_param(params jsonb, name text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT params ? name THEN
		RETURN NULL;
	ELSIF jsonb_typeof(params -> name) = 'array' AND jsonb_array_length(params -> name) = 1 THEN
		RETURN params -> name ->> 0;
	END IF;
	PERFORM todo.raise_error('TD400', format('query parameter %s must be given once', name));
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.query_param(jsonb, text) IS 'todo: a query parameter''s single value (400 when repeated)';

CREATE FUNCTION todo.bad_query_param(name text, expected text)
RETURNS void
LANGUAGE sql
AS $$ SELECT todo.raise_error('TD400', pg_catalog.format('query parameter %s must be %s', name, expected)) $$;
COMMENT ON FUNCTION todo.bad_query_param(text, text) IS 'todo: raise bad_request for a malformed query parameter';

-- The caller's tasks that pass every given filter (a NULL filter passes everything).
-- Plain SQL so that the planner inlines it into each query that uses it.
CREATE FUNCTION todo.matching_tasks(user_id uuid, status todo.task_status, priority todo.task_priority,
	tags text[], search text, due_before timestamptz, due_after timestamptz, overdue boolean)
RETURNS SETOF todo.tasks
LANGUAGE sql STABLE
AS $$
	SELECT t.* FROM todo.tasks t
	WHERE t.user_id = matching_tasks.user_id
		AND (matching_tasks.status IS NULL OR t.status = matching_tasks.status)
		AND (matching_tasks.priority IS NULL OR t.priority = matching_tasks.priority)
		AND (matching_tasks.tags IS NULL OR t.tags OPERATOR(pg_catalog.@>) matching_tasks.tags)
		AND (search IS NULL OR pg_catalog.strpos(pg_catalog.lower(t.title), search) > 0
			OR pg_catalog.strpos(pg_catalog.lower(t.description), search) > 0)
		AND (due_before IS NULL OR t.due_date < due_before)
		AND (due_after IS NULL OR t.due_date > due_after)
		AND (overdue IS NOT TRUE OR (t.status = 'pending' AND t.due_date < pg_catalog.now()))
$$;
COMMENT ON FUNCTION todo.matching_tasks(uuid, todo.task_status, todo.task_priority, text[], text, timestamptz, timestamptz, boolean)
	IS 'todo: the caller''s tasks passing the list filters';

-- Any other list request (filters, another sort, paging): parameters parsed and checked,
-- the total counted apart from the page. One row per task of the page, in order (task set,
-- meta NULL), then one last row with the envelope's meta (task NULL): the shape of
-- api.task_list_rows, which streams it.
CREATE FUNCTION todo.task_list_filtered_rows(user_id uuid, params jsonb)
RETURNS TABLE (task json, meta json)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
-- planned for each call's values: a NULL filter or an unused sort key then costs nothing,
-- and the default sort can read the index in order (and the planner free to scan the
-- table, which api.task_list, the caller, is not)
SET plan_cache_mode = force_custom_plan
SET enable_seqscan = on
AS $$
DECLARE
	status_filter text := todo.query_param(params, 'status');
	priority_filter text := lower(todo.query_param(params, 'priority'));
	overdue text := todo.query_param(params, 'overdue');
	due_before_text text := todo.query_param(params, 'due_before');
	due_after_text text := todo.query_param(params, 'due_after');
	due_before timestamptz := todo.parse_timestamp(due_before_text);
	due_after timestamptz := todo.parse_timestamp(due_after_text);
	search text := lower(todo.query_param(params, 'q'));
	sort text := coalesce(todo.query_param(params, 'sort'), '-created_at');
	limit_text text := todo.query_param(params, 'limit');
	offset_text text := coalesce(todo.query_param(params, 'offset'), '0');
	unknown_params text := (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(params) k
		WHERE k NOT IN ('status', 'priority', 'tag', 'q', 'due_before', 'due_after', 'overdue', 'sort', 'limit', 'offset'));
	tag_filter text[];
	row_limit integer;
	row_offset integer;
	total bigint;
BEGIN
	IF unknown_params IS NOT NULL THEN
		PERFORM todo.raise_error('TD400', 'unknown query parameter: ' || unknown_params);
	END IF;
	IF status_filter NOT IN ('pending', 'completed') THEN
		PERFORM todo.bad_query_param('status', 'pending or completed');
	END IF;
	IF priority_filter NOT IN ('low', 'medium', 'high') THEN
		PERFORM todo.bad_query_param('priority', 'low, medium or high');
	END IF;
	IF overdue NOT IN ('true', 'false') THEN
		PERFORM todo.bad_query_param('overdue', 'true or false');
	END IF;
	IF due_before IS NULL AND due_before_text IS NOT NULL THEN
		PERFORM todo.bad_query_param('due_before', 'an RFC 3339 timestamp with an offset or a date YYYY-MM-DD');
	END IF;
	IF due_after IS NULL AND due_after_text IS NOT NULL THEN
		PERFORM todo.bad_query_param('due_after', 'an RFC 3339 timestamp with an offset or a date YYYY-MM-DD');
	END IF;
	IF sort NOT IN ('created_at', '-created_at', 'due_date', '-due_date', 'priority', '-priority', 'title', '-title') THEN
		PERFORM todo.bad_query_param('sort', 'one of created_at, due_date, priority, title, optionally with a leading -');
	END IF;
	IF limit_text !~ '^[0-9]{1,4}$' OR limit_text::integer NOT BETWEEN 1 AND 1000 THEN
		PERFORM todo.bad_query_param('limit', 'an integer from 1 to 1000');
	END IF;
	IF offset_text !~ '^[0-9]{1,9}$' THEN
		PERFORM todo.bad_query_param('offset', 'an integer of at least 0');
	END IF;
	row_limit := limit_text::integer;
	row_offset := offset_text::integer;
	IF params ? 'tag' THEN
		IF jsonb_typeof(params -> 'tag') <> 'array' THEN
			PERFORM todo.bad_query_param('tag', 'a tag');
		END IF;
		BEGIN
			tag_filter := todo.normalize_tags(ARRAY(SELECT jsonb_array_elements_text(params -> 'tag')));
		EXCEPTION WHEN SQLSTATE 'TD422' THEN
			PERFORM todo.bad_query_param('tag', 'a valid tag');
		END;
	END IF;

	SELECT count(*) INTO total
	FROM todo.matching_tasks(task_list_filtered_rows.user_id, status_filter::todo.task_status, priority_filter::todo.task_priority,
		tag_filter, search, due_before, due_after, overdue::boolean);

	RETURN QUERY SELECT todo.task_json(page.t), NULL::json
	FROM (
		SELECT t FROM todo.matching_tasks(task_list_filtered_rows.user_id, status_filter::todo.task_status, priority_filter::todo.task_priority,
			tag_filter, search, due_before, due_after, overdue::boolean) t
		ORDER BY
			CASE WHEN sort = 'created_at' THEN t.created_at END,
			CASE WHEN sort = '-created_at' THEN t.created_at END DESC,
			CASE WHEN sort = 'due_date' THEN t.due_date END,
			CASE WHEN sort = '-due_date' THEN t.due_date END DESC,
			CASE WHEN sort = 'priority' THEN t.priority END,
			CASE WHEN sort = '-priority' THEN t.priority END DESC,
			CASE WHEN sort = 'title' THEN t.title END,
			CASE WHEN sort = '-title' THEN t.title END DESC,
			t.id
		LIMIT row_limit OFFSET row_offset) page;

	task := NULL;
	meta := json_build_object('total', total, 'limit', row_limit, 'offset', row_offset);
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION todo.task_list_filtered_rows(uuid, jsonb)
	IS 'todo: a list request with query parameters, a row per task then the meta (api.task_list_rows)';

-- The same list as one value, for api.task_list: the rows put together in their order.
CREATE FUNCTION todo.task_list_filtered(user_id uuid, params jsonb)
RETURNS api.result
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(json_agg(r.task ORDER BY r.n) FILTER (WHERE r.meta IS NULL), '[]'),
		(array_agg(r.meta) FILTER (WHERE r.meta IS NOT NULL))[1], NULL::json
	FROM todo.task_list_filtered_rows(user_id, params) WITH ORDINALITY AS r(task, meta, n)
$$;
COMMENT ON FUNCTION todo.task_list_filtered(uuid, jsonb) IS 'todo: a list request with query parameters (api.task_list)';

-- The common request, no query string, is one static statement: its plan is cached (no
-- per-call planning, no parameter parsing), it reads the index in the default order
-- (-created_at, then id), and the total is the number of rows, so nothing is counted apart.
-- Every other request goes to todo.task_list_filtered (which plans each call).
-- force_generic_plan: left to choose, the plan cache compares the generic plan's estimate
-- (the average user's tasks) with the custom plans' and, when a few users have many tasks,
-- plans every call again (a quarter of the request's CPU). enable_seqscan off: the generic
-- plan then reads tasks_user_created_idx in order, no sort, the best plan for a user's 20
-- tasks or 10,000 (a whole-table scan and a sort, which that estimate can pick, reads
-- every user's tasks); the session lookup uses its unique index either way. jit off: a
-- plan with a disabled scan costs more than jit_above_cost, and compiling it took 50-370 ms
-- a call (the plain install reads its settings table with one).
CREATE FUNCTION api.task_list(params jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
	total bigint;
	tasks json;
BEGIN
	IF params IS DISTINCT FROM '{}'::jsonb THEN
		RETURN todo.task_list_filtered(session.user_id, params);
	END IF;
	SELECT coalesce(json_agg(page.task), '[]'), count(*) INTO tasks, total
	FROM (
		SELECT todo.task_json(t) AS task FROM todo.tasks t
		WHERE t.user_id = session.user_id
		ORDER BY t.created_at DESC, t.id) page;
	RETURN (tasks, json_build_object('total', total, 'limit', NULL::integer, 'offset', 0), NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.task_list(jsonb) IS 'GET /api/{user_id}/tasks: the caller''s tasks, filtered, sorted and paged, with the total';

-- The list as rows, for the gateway to stream (docs/sql-api.md, "The streamed list"): one
-- row per task, in order, its Task object in task (meta NULL), then one last row whose meta
-- is the envelope's meta (task NULL). Errors (401, 403, 400 for a bad parameter) are
-- raised before the first row. The rows go into PL/pgSQL's tuplestore, which keeps at most
-- work_mem in memory and the rest in a temporary file: the backend's memory does not grow
-- with the list, and no value of the size of the whole list is ever made (json_agg made
-- and copied one). The total of the list without parameters is the number of rows
-- (ROW_COUNT after RETURN QUERY). The settings and the statement are api.task_list's.
CREATE FUNCTION api.task_list_rows(params jsonb)
RETURNS TABLE (task json, meta json)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
	total bigint;
BEGIN
	IF params IS DISTINCT FROM '{}'::jsonb THEN
		RETURN QUERY SELECT r.task, r.meta FROM todo.task_list_filtered_rows(session.user_id, params) r;
		RETURN;
	END IF;
	RETURN QUERY SELECT todo.task_json(t), NULL::json FROM todo.tasks t
		WHERE t.user_id = session.user_id
		ORDER BY t.created_at DESC, t.id;
	GET DIAGNOSTICS total = ROW_COUNT;
	task := NULL;
	meta := json_build_object('total', total, 'limit', NULL::integer, 'offset', 0);
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION api.task_list_rows(jsonb) IS 'GET /api/{user_id}/tasks, streamed: a row per Task, then the meta';
