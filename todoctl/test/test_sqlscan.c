/* test_sqlscan.c - transaction control and psql meta-commands found in plain SQL scripts. */
#include "migrate/sqlscan.h"
#include "tap.h"

static char why[256];

static int
check(const char *sql)
{
	why[0] = '\0';
	return sqlscan_check(sql, why, sizeof why);
}

int
main(void)
{
	is_int(check("CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN x int;\n"), 0, "plain DDL passes");
	is_int(check(""), 0, "an empty script passes");
	is_int(check("CREATE TABLE t (id int);\nCOMMIT;\n"), -1, "a COMMIT is refused");
	ok(strncmp(why, "line 2: COMMIT", 14) == 0, "the reason names the line and the statement (%s)", why);
	is_int(check("begin;\nCREATE TABLE t (id int);"), -1, "a BEGIN in lower case is refused");
	is_int(check("START TRANSACTION;"), -1, "START TRANSACTION is refused");
	is_int(check("SELECT 1; END;"), -1, "END is refused");
	is_int(check("ROLLBACK;"), -1, "ROLLBACK is refused");
	is_int(check("SAVEPOINT a; SELECT 1; ROLLBACK TO SAVEPOINT a;"), 0, "ROLLBACK TO a savepoint passes");
	is_int(check("PREPARE TRANSACTION 'x';"), -1, "PREPARE TRANSACTION is refused");
	is_int(check("PREPARE q AS SELECT 1;"), 0, "PREPARE of a statement passes");
	is_int(check("ABORT;"), -1, "ABORT is refused");
	is_int(check("DO $$ BEGIN PERFORM 1; END $$;\n"), 0, "BEGIN and END inside a DO block pass");
	is_int(check("CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\nBEGIN\n"
	             "  RETURN 1;\nEND\n$body$;\nCOMMENT ON FUNCTION f() IS 'f';"), 0,
	       "a tagged dollar-quoted body passes");
	is_int(check("SELECT 'x; COMMIT;';"), 0, "COMMIT inside a string passes");
	is_int(check("SELECT E'it\\'s; COMMIT;';"), 0, "COMMIT inside an E'' string with \\' passes");
	is_int(check("SELECT 'it''s'; COMMIT;"), -1, "'' inside a string, then a real COMMIT: refused");
	is_int(check("SELECT 1 AS \"x;commit\";"), 0, "a quoted identifier passes");
	is_int(check("-- COMMIT;\n/* BEGIN; /* nested */ COMMIT; */ SELECT 1;"), 0, "comments pass");
	is_int(check("SELECT $1::int;"), 0, "a parameter $1 is not a dollar quote");
	is_int(check("CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n"
	             "  SELECT CASE WHEN true THEN 1 END;\nEND;\nSELECT 2;"), 0,
	       "a BEGIN ATOMIC body (with CASE ... END inside) passes");
	is_int(check("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nCOMMIT;"),
	       -1, "a COMMIT after a BEGIN ATOMIC body is refused");
	is_int(check("\\echo Use \"CREATE EXTENSION todo\" to load this file. \\quit\nSELECT 1;"), -1,
	       "a psql meta-command is refused");
	is_int(check("SELECT 1\n\\gset\n"), -1, "a meta-command inside a statement is refused");
	is_int(check("SELECT '\n\\not a command';"), 0, "a backslash at a line's start inside a string passes");
	return done_testing();
}
