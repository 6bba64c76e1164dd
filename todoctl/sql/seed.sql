/* todoctl/sql/seed.sql: the development seed, compiled into todoctl (todoctl seed, make seed) */

-- The user test@example.com (username test, password Test123!@#) and its five tasks: two
-- pending, three completed, every priority, due dates in the future (UTC), normalized tags.
-- Idempotent: the user is found by email and each task by its title, so a rerun creates
-- only what is missing and changes nothing that exists. todoctl runs this file in one
-- transaction. It acts through the row-level security policies (app.login_identifier to
-- find the user, app.user_id to write as it), so it needs no BYPASSRLS; a superuser
-- bypasses them anyway.
--
-- Returns one row: user_created, tasks_created, tasks_present (of the five).

CREATE FUNCTION pg_temp.todoctl_seed(
	OUT user_created boolean, OUT tasks_created integer, OUT tasks_present integer)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	seed_email constant text := 'test@example.com';
	seed_username constant text := 'test';
	seed_password constant text := 'Test123!@#';
	today constant timestamptz := date_trunc('day', now(), 'UTC');
	uid uuid;
	other_email text;
BEGIN
	PERFORM set_config('app.login_identifier', seed_email, true);
	SELECT u.id INTO uid FROM todo.users u WHERE u.email = seed_email;
	user_created := uid IS NULL;
	IF user_created THEN
		PERFORM set_config('app.login_identifier', seed_username, true);
		SELECT u.email INTO other_email FROM todo.users u WHERE lower(u.username) = seed_username;
		IF FOUND THEN
			RAISE EXCEPTION 'username % already belongs to %, not to %', seed_username, other_email, seed_email
				USING ERRCODE = 'unique_violation',
					HINT = 'Rename or delete that user, or seed another database.';
		END IF;
		uid := gen_random_uuid();
		PERFORM set_config('app.user_id', uid::text, true);
		INSERT INTO todo.users (id, username, email, password_hash, name, email_verified)
		VALUES (uid, seed_username, seed_email, todo.hash_password(seed_password), 'Test User', true);
	END IF;
	PERFORM set_config('app.user_id', uid::text, true);
	PERFORM set_config('app.login_identifier', '', true);

	-- one statement: the existing tasks are those of its snapshot, before the insert
	WITH seed (title, description, status, priority, due_date, tags) AS (VALUES
		('Buy groceries', 'Milk, eggs, bread and coffee', 'pending', 'high',
			today + interval '1 day 18 hours', ARRAY['errands', 'home']),
		('Write the project report', 'The quarterly summary for the team', 'pending', 'medium',
			today + interval '3 days 9 hours', ARRAY['Work']),
		('Book a dentist appointment', NULL, 'completed', 'low',
			NULL, ARRAY['health']),
		('Renew the passport', 'Photos, form, fee', 'completed', 'high',
			today + interval '30 days 12 hours', ARRAY['travel', 'admin']),
		('Read the API documentation', NULL, 'completed', 'medium',
			NULL, ARRAY[]::text[])
	), existing AS (
		SELECT s.title FROM seed s
		WHERE EXISTS (SELECT FROM todo.tasks t WHERE t.user_id = uid AND t.title = s.title)
	), created AS (
		INSERT INTO todo.tasks (user_id, title, description, status, priority, due_date, tags)
		SELECT uid, s.title, s.description, s.status::todo.task_status,
			s.priority::todo.task_priority, s.due_date, todo.normalize_tags(s.tags)
		FROM seed s WHERE s.title NOT IN (SELECT title FROM existing)
		RETURNING 1
	)
	SELECT (SELECT count(*) FROM created), (SELECT count(*) FROM created) + (SELECT count(*) FROM existing)
	INTO tasks_created, tasks_present;
END
$$;

SELECT user_created, tasks_created, tasks_present FROM pg_temp.todoctl_seed();
