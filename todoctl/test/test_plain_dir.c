/* test_plain_dir.c - listing the plain-SQL scripts, and the chains between versions. */
#include <stdlib.h>
#include <unistd.h>

#include "migrate/plain_dir.h"
#include "tap.h"

static char dir[] = "/tmp/todoctl-plain-XXXXXX";

static void
touch(const char *name)
{
	char  path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f != NULL)
		fclose(f);
}

static void
cleanup(const char *const *names, size_t n)
{
	char path[256];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* The chain from -> to as "a.sql b.sql", or "none". */
static const char *
chain(const struct plain_dir *d, const char *from, const char *to)
{
	static char out[512];
	size_t      steps[16], n;
	int         rc = plain_dir_chain(d, from, to, steps, 16, &n);

	if (rc <= 0)
		return rc < 0 ? "out of memory" : "none";
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char name[160];

		plain_dir_name(&d->scripts[steps[i]], name, sizeof name);
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i > 0 ? " " : "", name);
	}
	return out;
}

int
main(void)
{
	static const char *const names[] = {
		"todo-plain--1.0.sql", "todo-plain--1.0--1.1.sql", "todo-plain--1.1--1.0.sql",
		"todo-plain--1.1--1.2.sql", "todo-plain--1.2--1.1.sql", "todo-plain--1.2.sql",
		"todo-plain--1.0--1.2.sql", "README", "todo-plain--bad--.sql", "todo-plain--1.0.sql~",
	};
	struct plain_dir d;
	char             v[VERSION_MAX], list[1024];

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	is_int(plain_dir_load(&d, "/nonexistent/todo-plain", "test"), -1, "a missing directory is an error");
	plain_dir_free(&d);
	is_int(plain_dir_load(&d, dir, "test"), 0, "an empty directory loads");
	is_int(plain_dir_latest(&d, v, sizeof v), 0, "an empty directory has no latest version");
	is_str(chain(&d, "", "1.0"), "none", "an empty directory has no install chain");
	plain_dir_free(&d);

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		touch(names[i]);
	is_int(plain_dir_load(&d, dir, "test"), 0, "the directory loads");
	is_int((long) d.count, 7, "7 scripts; README, a bad name and a backup file are ignored");
	plain_dir_list(&d, list, sizeof list);
	is_str(list, "todo-plain--1.0.sql, todo-plain--1.2.sql, todo-plain--1.0--1.1.sql, "
	       "todo-plain--1.0--1.2.sql, todo-plain--1.1--1.0.sql, todo-plain--1.1--1.2.sql, "
	       "todo-plain--1.2--1.1.sql", "the listing, sorted");
	ok(plain_dir_latest(&d, v, sizeof v) == 1 && strcmp(v, "1.2") == 0, "the latest version is 1.2");
	ok(plain_dir_previous(&d, "1.2", v, sizeof v) == 1 && strcmp(v, "1.1") == 0, "below 1.2: 1.1");
	ok(plain_dir_previous(&d, "1.1", v, sizeof v) == 1 && strcmp(v, "1.0") == 0, "below 1.1: 1.0");
	is_int(plain_dir_previous(&d, "1.0", v, sizeof v), 0, "nothing below 1.0");
	is_str(chain(&d, "", "1.2"), "todo-plain--1.2.sql", "install 1.2: its own install script");
	is_str(chain(&d, "", "1.1"), "todo-plain--1.0.sql todo-plain--1.0--1.1.sql",
	       "install 1.1 (no install script): 1.0's, then the upgrade");
	is_str(chain(&d, "1.0", "1.2"), "todo-plain--1.0--1.2.sql", "1.0 -> 1.2: the direct script");
	is_str(chain(&d, "1.2", "1.0"), "todo-plain--1.2--1.1.sql todo-plain--1.1--1.0.sql",
	       "1.2 -> 1.0: down through 1.1");
	is_str(chain(&d, "1.0", "1.3"), "none", "1.0 -> 1.3: no chain");
	is_str(chain(&d, "0.9", "1.0"), "none", "from an unknown version: no chain");
	plain_dir_free(&d);
	cleanup(names, sizeof names / sizeof names[0]);
	return done_testing();
}
