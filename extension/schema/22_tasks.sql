/* extension/schema/22_tasks.sql: table todo.tasks; its constraints are the contract's rules */

CREATE TABLE todo.tasks (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES todo.users (id) ON DELETE CASCADE,
	title text NOT NULL
		CONSTRAINT tasks_title_length CHECK (char_length(title) BETWEEN 1 AND 200)
		CONSTRAINT tasks_title_trimmed CHECK (title = todo.trim_space(title)),
	description text
		CONSTRAINT tasks_description_length CHECK (char_length(description) <= 10000),
	status todo.task_status NOT NULL DEFAULT 'pending',
	priority todo.task_priority NOT NULL DEFAULT 'medium',
	due_date timestamptz
		CONSTRAINT tasks_due_date_finite CHECK (isfinite(due_date)),
	tags text[] NOT NULL DEFAULT '{}'
		CONSTRAINT tasks_tags_normalized CHECK (todo.normalize_tags(tags) = tags),
	recursion_pattern text
		CONSTRAINT tasks_recursion_pattern_valid CHECK (recursion_pattern IS NULL OR (
			recursion_pattern = todo.normalize_recurrence(recursion_pattern)
			AND todo.recurrence_interval(recursion_pattern) IS NOT NULL)),
	completed_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT tasks_completed_at_status CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
COMMENT ON TABLE todo.tasks IS 'todo: tasks, each of one user';

-- what the API filters and sorts by, user first; ties are broken by id
-- newest first is the default sort, so that order is the index's
CREATE INDEX tasks_user_created_idx ON todo.tasks (user_id, created_at DESC, id);
CREATE INDEX tasks_user_due_date_idx ON todo.tasks (user_id, due_date, id);
CREATE INDEX tasks_user_status_due_date_idx ON todo.tasks (user_id, status, due_date);
CREATE INDEX tasks_user_priority_idx ON todo.tasks (user_id, priority, id);
CREATE INDEX tasks_tags_idx ON todo.tasks USING gin (tags);

-- completed_at follows status: set when a task becomes completed, cleared when reopened,
-- never set by callers on UPDATE.
CREATE FUNCTION todo.stamp_completed_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NEW.status = 'pending' THEN
		NEW.completed_at := NULL;
	ELSIF TG_OP = 'INSERT' THEN
		NEW.completed_at := coalesce(NEW.completed_at, now());
	ELSIF OLD.status = 'completed' THEN
		NEW.completed_at := OLD.completed_at;
	ELSE
		NEW.completed_at := clock_timestamp();
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION todo.stamp_completed_at() IS 'todo: trigger keeping completed_at in step with status';

CREATE TRIGGER tasks_stamp_completed_at BEFORE INSERT OR UPDATE ON todo.tasks
	FOR EACH ROW EXECUTE FUNCTION todo.stamp_completed_at();
CREATE TRIGGER tasks_stamp_updated_at BEFORE UPDATE ON todo.tasks
	FOR EACH ROW EXECUTE FUNCTION todo.stamp_updated_at();
