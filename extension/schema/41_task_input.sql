/* extension/schema/41_task_input.sql: validating and normalizing a task's fields from a request body */

-- Tags as sent: a JSON array of strings, or a comma-separated string (older clients),
-- whose empty items are dropped. NULL when the value is neither.
-- PL/pgSQL, whose plan each backend keeps (a SQL function with subqueries is never
-- inlined, and is parsed and planned again in every transaction); only functions with a
-- pinned search_path call it, and the names here are pg_catalog's or qualified.
CREATE FUNCTION todo.tags_from_json(value jsonb)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
	RETURN CASE pg_catalog.jsonb_typeof(value)
		WHEN 'null' THEN '{}'::text[]
		WHEN 'string' THEN ARRAY(SELECT item FROM pg_catalog.unnest(pg_catalog.string_to_array(value OPERATOR(pg_catalog.#>>) '{}', ',')) AS item
			WHERE todo.trim_space(item) OPERATOR(pg_catalog.<>) '')
		WHEN 'array' THEN CASE WHEN NOT EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(value) e
				WHERE pg_catalog.jsonb_typeof(e) OPERATOR(pg_catalog.<>) 'string')
			THEN ARRAY(SELECT pg_catalog.jsonb_array_elements_text(value)) END
	END;
END
$$;
COMMENT ON FUNCTION todo.tags_from_json(jsonb) IS 'todo: tags from a JSON array or a comma-separated string, NULL when neither';

-- Validates the task fields of body and returns them normalized, as a JSON object holding
-- only the fields that were sent: title trimmed, priority and status lowercase, due_date
-- in UTC, tags normalized, recursion_pattern in its stored form, completed folded into
-- status. Raises validation_failed naming every field that breaks a rule.
CREATE FUNCTION todo.task_fields(body jsonb, creating boolean)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- (a body of known fields only, the common case, skips the query that names the others)
	errors jsonb := CASE WHEN jsonb_typeof(body) <> 'object'
			OR body - '{title,description,priority,due_date,tags,recursion_pattern,status,completed}'::text[] <> '{}'
		THEN todo.unknown_field_errors(body,
			'{title,description,priority,due_date,tags,recursion_pattern,status,completed}',
			'{id,user_id,created_at,updated_at,completed_at}')
		ELSE '[]' END;
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
COMMENT ON FUNCTION todo.task_fields(jsonb, boolean) IS 'todo: a request body''s task fields, validated and normalized (422 otherwise)';
