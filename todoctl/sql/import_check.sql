/* todoctl/sql/import_check.sql: todoctl import: today's rules, read from the catalog, on the staged rows */

-- Compiled into todoctl (sql_import_check) and run by import_plan.c after
-- sql/import_normalize.sql. The importer knows no rule of today's schema: it asks the
-- catalog for the constraints of the target table (NOT NULL, CHECK, and the unique
-- indexes that are neither the primary key nor partial) and evaluates each on every row
-- of the staged table that is to be inserted, whose columns have the target's names and
-- types. A violation is a problem of the given kind, naming the constraint; the database
-- would refuse the INSERT for it, but with one error for the first row instead of a
-- report of them all.

-- The staged table's columns that the target table has too: what is inserted.
CREATE FUNCTION pg_temp.import_columns(target regclass, staged regclass)
RETURNS text[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT array_agg(t.attname::text ORDER BY t.attnum)
	FROM pg_attribute t
	JOIN pg_attribute s ON s.attrelid = staged AND s.attname = t.attname AND NOT s.attisdropped
	WHERE t.attrelid = target AND t.attnum > 0 AND NOT t.attisdropped
$$;

-- Whether every column a constraint or an index reads (attnums, or named in its
-- expressions) is one the importer fills.
CREATE FUNCTION pg_temp.import_covers(target regclass, attnums smallint[], exprs text, columns text[])
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT NOT EXISTS (
		SELECT FROM pg_attribute a
		WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped
			AND NOT a.attname::text = ANY (columns)
			AND (a.attnum = ANY (attnums) OR exprs ~ ('\m' || a.attname || '\M')))
$$;

-- Records a problem of kind for every row of staged to insert (outcome insert, altered or
-- blocked) that breaks a rule of target: NOT NULL (unless the row has a problem on that
-- column already, which is why it is NULL), CHECK, and UNIQUE both among the rows of the
-- file (the first, by legacy id, keeps the value) and against the rows already in the
-- target. For users, a duplicate of a unique email among legacy users is its own kind,
-- duplicate-email (a way out merges them); against an account created here it is not.
CREATE FUNCTION pg_temp.import_check_rules(entity text, target regclass, staged regclass, kind text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	columns constant text[] := pg_temp.import_columns(target, staged);
	to_check constant text := format('s.outcome IN (''insert'', ''altered'', ''blocked'')');
	oks text;
	fields text;
	details text;
	nulls text;
	c record;
	keys text;
	field text;
	dup_kind text;
BEGIN
	-- NOT NULL and CHECK, in one scan: each rule a (field, detail) pair, the detail NULL
	-- unless the row breaks it. A CHECK is shown with the first column it reads and its
	-- value; NOT NULL is not reported on a column that already has a problem (why it is NULL).
	SELECT string_agg(r.ok, ' AND '), string_agg(quote_literal(r.field), ', '),
		string_agg(r.detail, ', '), string_agg(r.is_null::text, ', ')
	INTO oks, fields, details, nulls
	FROM (
		SELECT format('s.%I IS NOT NULL', a.attname) AS ok, a.attname::text AS field,
			format('CASE WHEN s.%I IS NULL THEN %L END', a.attname,
				format('%s is missing (NOT NULL in %s)', a.attname, target)) AS detail,
			true AS is_null, 0 AS n, a.attname::text AS name
		FROM pg_attribute a
		WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
			AND a.attname::text = ANY (columns)
		UNION ALL
		SELECT format('coalesce((%s), true)', k.expr), k.field,
			format('CASE WHEN NOT coalesce((%s), true) THEN format(%L, pg_temp.import_quote(s.%I::text)) END',
				k.expr, k.field || ' %s violates ' || k.conname || ': ' || replace(k.def, '%', '%%'), k.field),
			false, 1, k.conname::text
		FROM (
			SELECT con.conname, pg_get_expr(con.conbin, con.conrelid) AS expr, pg_get_constraintdef(con.oid) AS def,
				(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = con.conrelid AND a.attnum = con.conkey[1]) AS field
			FROM pg_constraint con
			WHERE con.conrelid = target AND con.contype = 'c'
				AND pg_temp.import_covers(target, con.conkey, pg_get_expr(con.conbin, con.conrelid), columns)
		) k
		ORDER BY n, name
	) r;
	IF oks IS NOT NULL THEN
		-- the CHECK expressions read the columns unqualified: they are s's (v's are named apart)
		EXECUTE format($q$
			INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
			SELECT %1$L, s.legacy_id, true, %2$L, v.import_field, v.import_detail
			FROM %3$s s
			CROSS JOIN LATERAL unnest(ARRAY[%4$s]::text[], ARRAY[%5$s]::text[], ARRAY[%6$s]::boolean[])
				AS v (import_field, import_detail, import_is_null)
			WHERE %7$s AND NOT (%8$s) AND v.import_detail IS NOT NULL
				AND NOT (v.import_is_null AND EXISTS (SELECT FROM import_event e
					WHERE e.entity = %1$L AND e.legacy_id = s.legacy_id AND e.field = v.import_field))$q$,
			entity, kind, staged, fields, details, nulls, to_check, oks);
	END IF;

	-- UNIQUE
	FOR c IN
		SELECT x.index_name, x.exprs
		FROM (
			SELECT i.indexrelid::regclass AS index_name, i.indkey::smallint[] AS attnums,
				ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k) AS exprs
			FROM pg_index i
			WHERE i.indrelid = target AND i.indisunique AND NOT i.indisprimary AND i.indpred IS NULL
		) x
		WHERE pg_temp.import_covers(target, x.attnums, array_to_string(x.exprs, ' '), columns)
		ORDER BY x.index_name::text
	LOOP
		keys := array_to_string(c.exprs, ', ');
		-- the column of the first key, lower(username) -> username, for the report's field
		field := coalesce((regexp_match(c.exprs[1], '([A-Za-z_][A-Za-z0-9_]*)\)*$'))[1], c.exprs[1]);
		dup_kind := CASE WHEN entity = 'user' AND c.exprs = ARRAY['email'] THEN 'duplicate-email' ELSE kind END;
		-- among the rows of the file
		EXECUTE format($q$
			INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
			SELECT %1$L, d.legacy_id, true, %2$L, %3$L,
				format('%%s = %%s, as for %%s %%s of the file (unique index %%s)', %4$L, d.k, %1$L, d.first_id, %5$L)
			FROM (
				SELECT s.legacy_id, ROW(%4$s)::text AS k,
					first_value(s.legacy_id) OVER (PARTITION BY ROW(%4$s) ORDER BY s.legacy_id) AS first_id
				FROM %6$s s
				WHERE %7$s AND ROW(%4$s) IS NOT NULL
			) d
			WHERE d.legacy_id <> d.first_id$q$,
			entity, dup_kind, field, keys, c.index_name, staged, to_check);
		-- against the target's rows (those imported from this very row apart)
		EXECUTE format($q$
			INSERT INTO import_event (entity, legacy_id, problem, kind, field, detail)
			SELECT %1$L, s.legacy_id, true,
				CASE WHEN t.legacy_id IS NULL THEN %2$L ELSE %3$L END, %4$L,
				format('%%s = %%s, as for %%s (unique index %%s)', %5$L, s.k::text,
					CASE WHEN t.legacy_id IS NULL THEN 'an account created in the new system'
						ELSE format('%%s %%s, imported before', %1$L, t.legacy_id) END, %6$L)
			FROM (SELECT s.legacy_id, ROW(%5$s) AS k FROM %7$s s WHERE %8$s) s
			JOIN (SELECT legacy_id, ROW(%5$s) AS k FROM %9$s) t ON t.k = s.k
			WHERE t.legacy_id IS DISTINCT FROM s.legacy_id$q$,
			entity, kind, dup_kind, field, keys, c.index_name, staged, to_check, target);
	END LOOP;
END
$$;
