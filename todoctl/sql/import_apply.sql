/* todoctl/sql/import_apply.sql: todoctl import: the inserts, and the check of what they wrote */

-- Compiled into todoctl (sql_import_apply) and run by import_apply.c once the plan has
-- no refused row and the run is not a dry run.

-- Inserts the rows of staged to insert (outcome insert or altered) with ord in (lo, hi]
-- into target: the columns both have (pg_temp.import_columns), so the target's defaults
-- fill the rest, its constraints and triggers run as for any insert, and the legacy
-- timestamps given are kept. Returns the number of rows inserted.
CREATE FUNCTION pg_temp.import_insert(target regclass, staged regclass, lo bigint, hi bigint)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	columns constant text := (SELECT string_agg(quote_ident(c), ', ') FROM unnest(pg_temp.import_columns(target, staged)) c);
	n bigint;
BEGIN
	EXECUTE format($q$
		INSERT INTO %s (%s)
		SELECT %s FROM %s s
		WHERE s.outcome IN ('insert', 'altered') AND s.ord > $1 AND s.ord <= $2
		ORDER BY s.ord$q$, target, columns, columns, staged) USING lo, hi;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

-- The count and a content checksum of the rows to insert, as staged (source, after
-- normalization) and as the target holds them now (found by their legacy ids), over the
-- columns inserted: the sum of a 64-bit hash of each row (hash_record_extended: each
-- column's value hashed by its type, so equal values hash alike), so the order of the rows
-- does not matter. They must be equal before the import may commit.
CREATE FUNCTION pg_temp.import_verify(target regclass, staged regclass,
	OUT source_rows bigint, OUT source_sum numeric, OUT target_rows bigint, OUT target_sum numeric)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	columns constant text := (SELECT string_agg('x.' || quote_ident(c), ', ') FROM unnest(pg_temp.import_columns(target, staged)) c);
BEGIN
	EXECUTE format($q$
		SELECT count(*), coalesce(sum(hash_record_extended(ROW(%s), 0)), 0)
		FROM %s x WHERE x.outcome IN ('insert', 'altered')$q$, columns, staged)
	INTO source_rows, source_sum;
	EXECUTE format($q$
		SELECT count(*), coalesce(sum(hash_record_extended(ROW(%s), 0)), 0)
		FROM %s x
		WHERE x.legacy_id IN (SELECT s.legacy_id FROM %s s WHERE s.outcome IN ('insert', 'altered'))$q$,
		columns, target, staged)
	INTO target_rows, target_sum;
END
$$;
