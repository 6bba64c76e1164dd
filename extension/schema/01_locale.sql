/* extension/schema/01_locale.sql: the database must be UTF-8 and lowercase non-ASCII letters */

-- Tags are lowercased with the database's own case mapping; a database whose LC_CTYPE
-- leaves non-ASCII letters alone would store 'ÉTÉ' and 'été' as two tags.
DO $$
BEGIN
	IF pg_catalog.current_setting('server_encoding') OPERATOR(pg_catalog.<>) 'UTF8' THEN
		RAISE EXCEPTION 'todo needs a UTF8 database, not %', pg_catalog.current_setting('server_encoding')
			USING ERRCODE = 'feature_not_supported';
	END IF;
	IF pg_catalog.lower('ÉTÉ') OPERATOR(pg_catalog.<>) 'été' THEN
		RAISE EXCEPTION 'the database''s LC_CTYPE does not lowercase non-ASCII letters'
			USING ERRCODE = 'feature_not_supported',
				HINT = 'Create the database with a UTF-8 locale, for example LC_CTYPE C.UTF-8.';
	END IF;
END
$$;
