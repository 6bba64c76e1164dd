/* extension/todo--1.3--1.2.sql: downgrade 1.3 -> 1.2, undoing todo--1.2--1.3.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.2'" to load this file. \quit

-- Undoing the streamed list (issue 11): todo.task_list_filtered as 1.2 had it.
-- plain install: 04_installer.sql
DROP FUNCTION api.task_list_rows(jsonb);
-- Any other list request (filters, another sort, paging): parameters parsed and checked,
-- the total counted apart from the page.
CREATE OR REPLACE FUNCTION todo.task_list_filtered(user_id uuid, params jsonb)
RETURNS api.result
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
	tasks json;
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
	FROM todo.matching_tasks(task_list_filtered.user_id, status_filter::todo.task_status, priority_filter::todo.task_priority,
		tag_filter, search, due_before, due_after, overdue::boolean);

	SELECT coalesce(json_agg(todo.task_json(page.t)), '[]') INTO tasks
	FROM (
		SELECT t FROM todo.matching_tasks(task_list_filtered.user_id, status_filter::todo.task_status, priority_filter::todo.task_priority,
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

	RETURN (tasks, json_build_object('total', total, 'limit', row_limit, 'offset', row_offset), NULL)::api.result;
END
$$;
COMMENT ON FUNCTION todo.task_list_filtered(uuid, jsonb) IS 'todo: a list request with query parameters (api.task_list)';
DROP FUNCTION todo.task_list_filtered_rows(uuid, jsonb);
-- The plain install only: its Task object written on read again, as in 1.2.
-- plain install: downgrade/39_task_json_stored.sql
-- plain install: 99_installer.sql

-- Idempotency-Key (issue 13): the keys and their stored answers go with it. The functions
-- returning a table's row type before the tables, those their policies use after.
DROP FUNCTION api.idempotent_register(text, text, text, text);
DROP FUNCTION api.idempotent_call(text, text, text, text, text, text);
DROP FUNCTION api.gateway_forget_idempotency_keys();
DROP FUNCTION todo.logout_scope();
DROP TYPE api.idempotent_result;
DROP FUNCTION todo.idempotency_store(text, text, bytea, api.result);
DROP FUNCTION todo.forget_idempotency_keys(integer);
DROP FUNCTION todo.idempotency_claim(text, text, bytea);
DROP TABLE todo.idempotency_keys;
DROP TABLE todo.idempotency_settings;
DROP FUNCTION todo.check_idempotency_key(text);
DROP FUNCTION todo.idempotency_fingerprint(text, text, text);
DROP FUNCTION todo.idempotency_scope();
DROP FUNCTION todo.idempotency_key_lifetime();
DROP FUNCTION todo.random_bytes(integer);
DROP FUNCTION todo.hmac_digest(bytea, bytea);

-- Issue 11 undone: the task limit counts the user's tasks again (1.2's trigger function), and
-- the counts go (nothing is lost: they are the tasks' count).
DROP TRIGGER tasks_forget_counts ON todo.tasks;
DROP TRIGGER tasks_move_count ON todo.tasks;
DROP TRIGGER tasks_uncount ON todo.tasks;
DROP FUNCTION todo.forget_task_counts();
DROP FUNCTION todo.move_task_count();
DROP FUNCTION todo.uncount_tasks();
DROP TABLE todo.task_counts;
CREATE OR REPLACE FUNCTION todo.check_task_limit()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	max_tasks integer := todo.max_tasks_per_user();
	owner uuid;
BEGIN
	FOR owner IN SELECT DISTINCT n.user_id FROM new_tasks n ORDER BY n.user_id LOOP
		PERFORM pg_advisory_xact_lock(hashtextextended('todo.tasks of ' || owner::text, 0));
		IF (SELECT count(*) FROM (SELECT FROM todo.tasks t WHERE t.user_id = owner LIMIT max_tasks + 1) mine) > max_tasks THEN
			PERFORM todo.raise_error('TDL09',
				format('task limit reached: a user may have at most %s tasks; delete some first', max_tasks),
				jsonb_build_object('limit', max_tasks));
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.check_task_limit() IS 'todo: trigger refusing tasks past todo.max_tasks_per_user';


-- schema/41_task_input.sql as in 1.2
CREATE OR REPLACE FUNCTION todo.task_fields(body jsonb, creating boolean)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	errors jsonb := todo.unknown_field_errors(body,
		'{title,description,priority,due_date,tags,recursion_pattern,status,completed}',
		'{id,user_id,created_at,updated_at,completed_at}');
	fields jsonb := '{}';
	value jsonb;
	text_value text;
	due timestamptz;
	tags text[];
BEGIN
	IF body ? 'title' OR creating THEN
		value := body -> 'title';
		text_value := todo.trim_space(value #>> '{}');
		IF value IS NULL OR jsonb_typeof(value) = 'null' THEN
			errors := errors || todo.field_error('title', 'is required');
		ELSIF jsonb_typeof(value) <> 'string' THEN
			errors := errors || todo.field_error('title', 'must be a string');
		ELSIF char_length(text_value) NOT BETWEEN 1 AND 200 THEN
			errors := errors || todo.field_error('title', 'must be 1 to 200 characters after trimming');
		ELSE
			fields := fields || jsonb_build_object('title', text_value);
		END IF;
	END IF;

	IF body ? 'description' THEN
		value := body -> 'description';
		IF jsonb_typeof(value) NOT IN ('null', 'string') THEN
			errors := errors || todo.field_error('description', 'must be a string or null');
		ELSIF char_length(value #>> '{}') > 10000 THEN
			errors := errors || todo.field_error('description', 'must be at most 10000 characters');
		ELSE
			fields := fields || jsonb_build_object('description', value);
		END IF;
	END IF;

	IF body ? 'priority' THEN
		text_value := lower(body ->> 'priority');
		IF jsonb_typeof(body -> 'priority') <> 'string' OR text_value NOT IN ('low', 'medium', 'high') THEN
			errors := errors || todo.field_error('priority', 'must be low, medium or high');
		ELSE
			fields := fields || jsonb_build_object('priority', text_value);
		END IF;
	END IF;

	IF body ? 'due_date' THEN
		value := body -> 'due_date';
		IF jsonb_typeof(value) = 'string' THEN
			due := todo.parse_timestamp(value #>> '{}');
		END IF;
		IF jsonb_typeof(value) = 'null' THEN
			fields := fields || jsonb_build_object('due_date', NULL);
		ELSIF due IS NULL THEN
			errors := errors || todo.field_error('due_date', 'must be an RFC 3339 timestamp with an offset or a date YYYY-MM-DD');
		ELSIF creating AND due < todo.start_of_today() THEN
			errors := errors || todo.field_error('due_date', 'must not be in the past');
		ELSE
			fields := fields || jsonb_build_object('due_date', due);
		END IF;
	END IF;

	IF body ? 'tags' THEN
		tags := todo.tags_from_json(body -> 'tags');
		IF tags IS NULL THEN
			errors := errors || todo.field_error('tags', 'must be an array of strings or a comma-separated string');
		ELSE
			BEGIN
				fields := fields || jsonb_build_object('tags', todo.normalize_tags(tags));
			EXCEPTION WHEN SQLSTATE 'TD422' THEN
				errors := errors || todo.field_error('tags', SQLERRM);
			END;
		END IF;
	END IF;

	IF body ? 'recursion_pattern' THEN
		value := body -> 'recursion_pattern';
		text_value := todo.normalize_recurrence(value #>> '{}');
		IF jsonb_typeof(value) = 'null' THEN
			fields := fields || jsonb_build_object('recursion_pattern', NULL);
		ELSIF jsonb_typeof(value) <> 'string' OR todo.recurrence_interval(text_value) IS NULL THEN
			errors := errors || todo.field_error('recursion_pattern',
				'must be daily, weekly, monthly, yearly or every N days|weeks|months|years with N from 1 to 365');
		ELSE
			fields := fields || jsonb_build_object('recursion_pattern', text_value);
		END IF;
	END IF;

	IF body ? 'status' THEN
		text_value := lower(body ->> 'status');
		IF jsonb_typeof(body -> 'status') <> 'string' OR text_value NOT IN ('pending', 'completed') THEN
			errors := errors || todo.field_error('status', 'must be pending or completed');
		ELSE
			fields := fields || jsonb_build_object('status', text_value);
		END IF;
	END IF;

	IF body ? 'completed' THEN
		IF jsonb_typeof(body -> 'completed') <> 'boolean' THEN
			errors := errors || todo.field_error('completed', 'must be true or false');
		ELSIF fields ? 'status' AND (fields ->> 'status' = 'completed') <> (body -> 'completed')::boolean THEN
			errors := errors || todo.field_error('completed', 'contradicts status');
		ELSE
			fields := fields || jsonb_build_object('status',
				CASE WHEN (body -> 'completed')::boolean THEN 'completed' ELSE 'pending' END);
		END IF;
	END IF;

	IF errors <> '[]' THEN
		PERFORM todo.raise_validation(errors);
	END IF;
	RETURN fields;
END
$$;
