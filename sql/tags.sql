-- sql/tags.sql: todo.normalize_tags
\set VERBOSITY terse

-- the normalized tags, or the SQLSTATE and message of the error
CREATE FUNCTION regress_tags(tags text[]) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RETURN todo.normalize_tags(tags)::text;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- the DETAIL of the error (the SQL API's JSON for TD422)
CREATE FUNCTION regress_tags_detail(tags text[]) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	detail text;
BEGIN
	PERFORM todo.normalize_tags(tags);
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
	RETURN detail;
END
$$;

--
-- trimming and lowercasing
--
SELECT what, regress_tags(tags)
FROM (VALUES ('plain', '{work,home}'::text[]),
	('ASCII case', '{Work,HOME,urGent}'),
	('spaces', '{"  work  ", " home"}'),
	('tab, newline, CR, VT, FF', ARRAY[E'\twork\n', E'\r' || chr(11) || 'home' || E'\f']),
	('NBSP, ideographic space, em space', ARRAY[U&'\00A0work\3000', U&'\2003home\2003']),
	('NEL, line and paragraph separators', ARRAY[U&'\0085a\2028', U&'\2029b\205F']),
	('été', '{ÉTÉ}'),
	('dotted capital I', '{İ}'),
	('sigma', '{ΣΑΣ}'),
	('Cyrillic, Armenian', '{ДОМ,ԱՐԵՎ}'),
	('titlecase digraph', ARRAY[U&'\01C5x']),
	('fullwidth', '{ＷＯＲＫ}'),
	('no case', '{日本,🎉,42}')) AS x(what, tags);

-- zero width space is not White_Space (it is a format character): kept
SELECT length(t[1]), t[1] = U&'\200Bzw\200B' AS kept FROM todo.normalize_tags(ARRAY[U&'\200Bzw\200B']) AS t;

--
-- length: 1 to 10 characters, counted in characters
--
SELECT what, regress_tags(tags)
FROM (VALUES ('10 ASCII', '{abcdefghij}'::text[]),
	('11 ASCII', '{abcdefghijk}'),
	('10 é (20 bytes)', '{éééééééééé}'),
	('11 é', '{ééééééééééé}'),
	('10 É, lowercased', '{ÉÉÉÉÉÉÉÉÉÉ}'),
	('10 emoji (40 bytes)', '{🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉}'),
	('11 emoji', '{🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉}'),
	('10 after trimming', '{"   abcdefghij   "}'),
	('named as given', '{VeryLongTag1}'),
	('long names cut', ARRAY[repeat('x', 100)]),
	('empty', '{""}'),
	('blank', '{"   "}'),
	('NBSP only', ARRAY[U&'\00A0']),
	('empty among others', '{a,"",b}')) AS x(what, tags);

--
-- forbidden characters anywhere inside
--
SELECT what, regress_tags(tags)
FROM (VALUES ('space', '{"a b"}'::text[]),
	('NBSP', ARRAY[U&'a\00A0b']),
	('ideographic space', ARRAY[U&'a\3000b']),
	('narrow NBSP', ARRAY[U&'a\202Fb']),
	('comma', '{"a,b"}'),
	('leading comma', '{",a"}'),
	('tab', ARRAY[E'a\tb']),
	('U+0001', ARRAY[U&'a\0001b']),
	('DEL', ARRAY[U&'a\007Fb']),
	('U+0080', ARRAY[U&'a\0080b']),
	('NEL', ARRAY[U&'a\0085b']),
	('U+009F', ARRAY[U&'a\009Fb']),
	('escape sequence', ARRAY[U&'\001B[31mred']),
	('U+00A1 is fine', ARRAY[U&'a\00A1b'])) AS x(what, tags);

--
-- duplicates and the count
--
SELECT regress_tags('{b,a,B,c,A," b ",ÉTÉ,été}') AS first_occurrences_kept;
SELECT regress_tags(ARRAY(SELECT 't' || i FROM generate_series(1, 20) AS i)) AS twenty;
SELECT regress_tags(ARRAY(SELECT 't' || i FROM generate_series(1, 21) AS i)) AS twenty_one;
-- 20 distinct among 60, duplicates differing in case and spaces
SELECT regress_tags(ARRAY(SELECT CASE i % 3 WHEN 0 THEN 'T' || i % 20 WHEN 1 THEN ' t' || i % 20 || ' ' ELSE 't' || i % 20 END
	FROM generate_series(1, 60) AS i)) AS twenty_after_dedupe;
SELECT regress_tags(ARRAY(SELECT 'T' || i % 25 FROM generate_series(1, 1000) AS i)) AS twenty_five_after_dedupe;
-- every tag is checked before the count
SELECT regress_tags(ARRAY(SELECT 't' || i FROM generate_series(1, 30) AS i) || '{"a b"}') AS invalid_and_too_many;

--
-- arrays
--
SELECT regress_tags('{}') AS empty, array_ndims(todo.normalize_tags('{}')) AS empty_ndims;
SELECT regress_tags('{a,NULL,b}') AS null_element;
SELECT regress_tags('{{a,b},{c,d}}') AS two_dimensions;
SELECT todo.normalize_tags(NULL) IS NULL AS strict;
-- the result is 1-based: so normalize_tags(t) = t only for a normalized, 1-based array
SELECT todo.normalize_tags('[0:1]={A,b}') AS tags, array_lower(todo.normalize_tags('[0:1]={A,b}'), 1) AS lower_bound,
	todo.normalize_tags('[0:1]={a,b}') = '[0:1]={a,b}'::text[] AS equal_0_based,
	todo.normalize_tags('{a,b}') = '{a,b}'::text[] AS equal_1_based;
SELECT todo.normalize_tags(todo.normalize_tags(t)) = todo.normalize_tags(t) AS idempotent
FROM (VALUES ('{" B ",a,b,ÉTÉ}'::text[])) AS x(t);

--
-- the error's DETAIL is the SQL API's JSON for a 422
--
SELECT regress_tags_detail('{"a b"}') AS whitespace;
SELECT regress_tags_detail('{"x\"yz\"abcdefgh"}') AS quotes;
SELECT regress_tags_detail(ARRAY[U&'a\0001b']) AS control;
SELECT regress_tags_detail(ARRAY(SELECT 't' || i FROM generate_series(1, 21) AS i)) AS too_many;

--
-- as a CHECK constraint
--
CREATE TEMPORARY TABLE regress_tasks (
	tags text[] NOT NULL DEFAULT '{}' CHECK (todo.normalize_tags(tags) = tags)
);
INSERT INTO regress_tasks VALUES ('{}'), ('{work,été}'), (todo.normalize_tags('{" Home ",HOME}'));
INSERT INTO regress_tasks VALUES ('{Work}');
INSERT INTO regress_tasks VALUES ('{work,work}');
INSERT INTO regress_tasks VALUES ('{"a b"}');
SELECT tags FROM regress_tasks ORDER BY tags;
