/* test/suites/lib/schema_catalog.sql: the todo and api schemas as the catalogs describe them,
 * one sorted block per object, for diffing two databases (test/suites/migrations.sh).
 * Generic: it lists whatever the catalogs hold, not a hand-written list of objects.
 * Column positions are ranks among live columns (a dropped column leaves a hole in
 * attnum); user objects are those with an OID of at least 16384 (FirstNormalObjectId). */
\pset format unaligned
\pset tuples_only on
\pset fieldsep ' '
WITH ns AS (
	SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE nspname IN ('todo', 'api')
),
ext AS (
	SELECT oid, extversion, extconfig, extcondition FROM pg_catalog.pg_extension WHERE extname = 'todo'
),
blocks (key, body) AS (
	SELECT 'schema ' || nspname,
		pg_catalog.format('owner=%s acl=%s', pg_catalog.pg_get_userbyid(nspowner), nspacl)
	FROM pg_catalog.pg_namespace WHERE oid IN (SELECT oid FROM ns)
UNION ALL
	SELECT 'relation ' || c.oid::regclass,
		pg_catalog.format('kind=%s owner=%s acl=%s options=%s rls=%s force_rls=%s persistence=%s replident=%s',
			c.relkind, pg_catalog.pg_get_userbyid(c.relowner), c.relacl, c.reloptions,
			c.relrowsecurity, c.relforcerowsecurity, c.relpersistence, c.relreplident)
	FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace
UNION ALL
	SELECT pg_catalog.format('column %s.%I', c.oid::regclass, a.attname),
		pg_catalog.format('position=%s type=%s notnull=%s default=%s identity=%s generated=%s collation=%s acl=%s options=%s',
			pg_catalog.row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
			pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
			pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
			co.collname, a.attacl,
			-- this server's build stamps every column with an option pg_attver=<number>
			(SELECT pg_catalog.array_agg(o ORDER BY o) FROM pg_catalog.unnest(a.attoptions) o
				WHERE o NOT LIKE 'pg\_attver=%'))
	FROM pg_catalog.pg_attribute a
	JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
	JOIN ns ON ns.oid = c.relnamespace
	LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
	WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
	SELECT pg_catalog.format('constraint %I on %s', con.conname,
			coalesce(con.conrelid::regclass::text, con.contypid::regtype::text)),
		pg_catalog.format('%s deferrable=%s deferred=%s validated=%s', pg_catalog.pg_get_constraintdef(con.oid),
			con.condeferrable, con.condeferred, con.convalidated)
	FROM pg_catalog.pg_constraint con WHERE con.connamespace IN (SELECT oid FROM ns)
UNION ALL
	SELECT 'index ' || i.indexrelid::regclass,
		pg_catalog.format('%s primary=%s clustered=%s valid=%s', pg_catalog.pg_get_indexdef(i.indexrelid),
			i.indisprimary, i.indisclustered, i.indisvalid)
	FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
	JOIN ns ON ns.oid = c.relnamespace
UNION ALL
	SELECT 'view ' || c.oid::regclass, pg_catalog.pg_get_viewdef(c.oid)
	FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.relkind IN ('v', 'm')
UNION ALL
	SELECT 'sequence ' || s.seqrelid::regclass,
		pg_catalog.format('type=%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s',
			s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
	FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
	JOIN ns ON ns.oid = c.relnamespace
UNION ALL
	SELECT pg_catalog.format('function %s', p.oid::regprocedure),
		pg_catalog.format('owner=%s acl=%s kind=%s', pg_catalog.pg_get_userbyid(p.proowner), p.proacl, p.prokind)
			|| CASE WHEN p.prokind IN ('f', 'p') THEN E'\n' || pg_catalog.pg_get_functiondef(p.oid) ELSE '' END
	FROM pg_catalog.pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns)
UNION ALL
	SELECT pg_catalog.format('type %s', t.oid::regtype),
		pg_catalog.format('kind=%s owner=%s acl=%s base=%s notnull=%s default=%s labels=%s',
			t.typtype, pg_catalog.pg_get_userbyid(t.typowner), t.typacl,
			nullif(t.typbasetype, 0)::regtype, t.typnotnull, t.typdefault,
			(SELECT pg_catalog.array_agg(e.enumlabel ORDER BY e.enumsortorder)
				FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid))
	FROM pg_catalog.pg_type t WHERE t.typnamespace IN (SELECT oid FROM ns)
UNION ALL
	SELECT pg_catalog.format('operator %s', o.oid::regoperator), pg_catalog.format('function=%s', o.oprcode)
	FROM pg_catalog.pg_operator o WHERE o.oprnamespace IN (SELECT oid FROM ns)
UNION ALL
	SELECT pg_catalog.format('policy %I on %s', pol.polname, pol.polrelid::regclass),
		pg_catalog.format('command=%s permissive=%s roles=%s using=%s with_check=%s',
			pol.polcmd, pol.polpermissive,
			(SELECT pg_catalog.array_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r)::text END ORDER BY 1)
				FROM pg_catalog.unnest(pol.polroles) r),
			pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid))
	FROM pg_catalog.pg_policy pol JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
	JOIN ns ON ns.oid = c.relnamespace
UNION ALL
	SELECT pg_catalog.format('trigger %I on %s', tg.tgname, tg.tgrelid::regclass),
		pg_catalog.format('%s enabled=%s', pg_catalog.pg_get_triggerdef(tg.oid), tg.tgenabled)
	FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
	JOIN ns ON ns.oid = c.relnamespace WHERE NOT tg.tgisinternal
UNION ALL
	SELECT 'default privileges ' || pg_catalog.pg_get_userbyid(da.defaclrole) || ' ' || da.defaclobjtype::text,
		pg_catalog.format('schema=%s acl=%s', da.defaclnamespace::regnamespace, da.defaclacl)
	FROM pg_catalog.pg_default_acl da
UNION ALL
	SELECT 'comment on ' || pg_catalog.pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
	FROM pg_catalog.pg_description d WHERE d.objoid >= 16384
UNION ALL
	SELECT 'member of extension todo: ' || pg_catalog.pg_describe_object(dep.classid, dep.objid, dep.objsubid), ''
	FROM pg_catalog.pg_depend dep JOIN ext ON dep.refobjid = ext.oid
	WHERE dep.refclassid = 'pg_catalog.pg_extension'::regclass AND dep.deptype = 'e'
UNION ALL
	SELECT 'extension todo',
		pg_catalog.format('version=%s config=%s conditions=%s', ext.extversion,
			(SELECT pg_catalog.array_agg(x::regclass::text ORDER BY 1) FROM pg_catalog.unnest(ext.extconfig) x),
			ext.extcondition)
	FROM ext
UNION ALL
	SELECT 'extension ' || e.extname, pg_catalog.format('schema=%s', e.extnamespace::regnamespace)
	FROM pg_catalog.pg_extension e WHERE e.extname <> 'todo'
)
SELECT key || ': ' || coalesce(body, '') FROM blocks ORDER BY key COLLATE "C", body COLLATE "C";
