/* plain_dir.c - the plain-SQL install's script directory: which scripts, and their chains. */
#include "plain_dir.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies v into out (VERSION_MAX bytes) if it is a valid version. */
static bool
plain_dir_version(const char *v, char *out)
{
	if (!version_valid(v))
		return false;
	memcpy(out, v, strlen(v) + 1);
	return true;
}

/* Parses "todo-plain--TO.sql" or "todo-plain--FROM--TO.sql"; false for any other name. */
static bool
plain_dir_parse(const char *name, struct plain_script *out)
{
	size_t      len = strlen(name), plen = strlen(PLAIN_PREFIX);
	char        middle[2 * VERSION_MAX + 2];
	char       *sep;
	size_t      mlen;

	if (len <= plen + 4 || strncmp(name, PLAIN_PREFIX, plen) != 0 ||
	    strcmp(name + len - 4, ".sql") != 0)
		return false;
	mlen = len - plen - 4;
	if (mlen >= sizeof middle)
		return false;
	memcpy(middle, name + plen, mlen);
	middle[mlen] = '\0';
	sep = strstr(middle, "--");
	if (sep == NULL) {
		out->from[0] = '\0';
		return plain_dir_version(middle, out->to);
	}
	*sep = '\0';
	return plain_dir_version(middle, out->from) && plain_dir_version(sep + 2, out->to) &&
	       strcmp(out->from, out->to) != 0;
}

static int
plain_dir_order(const void *a, const void *b)
{
	const struct plain_script *x = a, *y = b;
	int                        c = version_compare(x->from, y->from);

	return c != 0 ? c : version_compare(x->to, y->to);
}

int
plain_dir_load(struct plain_dir *dir, const char *path, const char *who)
{
	DIR           *d;
	struct dirent *e;
	size_t         cap = 0;

	memset(dir, 0, sizeof *dir);
	if (strlen(path) >= sizeof dir->path) {
		fprintf(stderr, "%s: the plain-SQL scripts directory name is too long\n", who);
		return -1;
	}
	snprintf(dir->path, sizeof dir->path, "%s", path);
	d = opendir(path);
	if (d == NULL) {
		fprintf(stderr, "%s: cannot open the plain-SQL scripts directory %s: %s (set it with "
		        "--plain-dir or TODO_PLAIN_DIR)\n", who, path, strerror(errno));
		return -1;
	}
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		struct plain_script s;

		if (!plain_dir_parse(e->d_name, &s))
			continue;
		if (dir->count == cap) {
			size_t               ncap = cap == 0 ? 16 : cap * 2;
			struct plain_script *n = realloc(dir->scripts, ncap * sizeof *n);

			if (n == NULL) {
				fprintf(stderr, "%s: out of memory\n", who);
				closedir(d);
				return -1;
			}
			dir->scripts = n;
			cap = ncap;
		}
		dir->scripts[dir->count++] = s;
	}
	if (errno != 0) {
		fprintf(stderr, "%s: cannot read the plain-SQL scripts directory %s: %s\n", who, path,
		        strerror(errno));
		closedir(d);
		return -1;
	}
	closedir(d);
	if (dir->count > 1)
		qsort(dir->scripts, dir->count, sizeof *dir->scripts, plain_dir_order);
	return 0;
}

void
plain_dir_free(struct plain_dir *dir)
{
	free(dir->scripts);
	dir->scripts = NULL;
	dir->count = 0;
}

int
plain_dir_latest(const struct plain_dir *dir, char *out, size_t outlen)
{
	const char *best = NULL;

	for (size_t i = 0; i < dir->count; i++)
		if (best == NULL || version_compare(dir->scripts[i].to, best) > 0)
			best = dir->scripts[i].to;
	if (best == NULL)
		return 0;
	snprintf(out, outlen, "%s", best);
	return 1;
}

int
plain_dir_previous(const struct plain_dir *dir, const char *from, char *out, size_t outlen)
{
	const char *best = NULL;

	for (size_t i = 0; i < dir->count; i++) {
		const struct plain_script *s = &dir->scripts[i];

		if (strcmp(s->from, from) == 0 && version_compare(s->to, from) < 0 &&
		    (best == NULL || version_compare(s->to, best) > 0))
			best = s->to;
	}
	if (best == NULL)
		return 0;
	snprintf(out, outlen, "%s", best);
	return 1;
}

/* Whether version v is the target of one of the scripts marked in reached. */
static bool
plain_dir_reached(const struct plain_dir *dir, const bool *reached, const char *v)
{
	for (size_t i = 0; i < dir->count; i++)
		if (reached[i] && strcmp(dir->scripts[i].to, v) == 0)
			return true;
	return false;
}

/*
 * Breadth-first over scripts: queue holds script indexes, prev the script that led to
 * each; reached marks the scripts queued.
 */
int
plain_dir_chain(const struct plain_dir *dir, const char *from, const char *to,
                size_t *steps, size_t maxsteps, size_t *nsteps)
{
	size_t *queue, *prev;
	bool   *reached;
	size_t  head = 0, tail = 0, found = SIZE_MAX, n = 0;
	int     rc = -1;

	*nsteps = 0;
	if (dir->count == 0)
		return 0;
	queue = calloc(dir->count, sizeof *queue);
	prev = calloc(dir->count, sizeof *prev);
	reached = calloc(dir->count, sizeof *reached);
	if (queue == NULL || prev == NULL || reached == NULL)
		goto done;
	rc = 0;
	/*
	 * The first steps. Between chains of one length the first queued wins: for an install,
	 * upgrades from the highest version not above to (the scripts are sorted ascending:
	 * walk them backwards), then downgrades from above it.
	 */
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = dir->count; k-- > 0;) {
			if (strcmp(dir->scripts[k].from, from) != 0 ||
			    (version_compare(dir->scripts[k].to, to) > 0) != (pass == 1))
				continue;
			reached[k] = true;
			prev[k] = SIZE_MAX;
			queue[tail++] = k;
		}
	while (head < tail && found == SIZE_MAX) {
		size_t i = queue[head++];

		if (strcmp(dir->scripts[i].to, to) == 0) {
			found = i;
			break;
		}
		for (size_t j = 0; j < dir->count; j++) {
			const struct plain_script *s = &dir->scripts[j];

			if (reached[j] || s->from[0] == '\0' || strcmp(s->from, dir->scripts[i].to) != 0 ||
			    strcmp(s->to, from) == 0 || plain_dir_reached(dir, reached, s->to))
				continue;
			reached[j] = true;
			prev[j] = i;
			queue[tail++] = j;
		}
	}
	if (found == SIZE_MAX)
		goto done;
	for (size_t i = found; i != SIZE_MAX; i = prev[i])
		n++;
	if (n > maxsteps)
		goto done;
	for (size_t i = found, k = n; i != SIZE_MAX; i = prev[i])
		steps[--k] = i;
	*nsteps = n;
	rc = 1;
done:
	free(queue);
	free(prev);
	free(reached);
	return rc;
}

void
plain_dir_name(const struct plain_script *script, char *out, size_t outlen)
{
	if (script->from[0] == '\0')
		snprintf(out, outlen, PLAIN_PREFIX "%s.sql", script->to);
	else
		snprintf(out, outlen, PLAIN_PREFIX "%s--%s.sql", script->from, script->to);
}

void
plain_dir_list(const struct plain_dir *dir, char *out, size_t outlen)
{
	size_t used = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (dir->count == 0) {
		snprintf(out, outlen, "none");
		return;
	}
	for (size_t i = 0; i < dir->count; i++) {
		char name[2 * VERSION_MAX + 32];
		int  n;

		plain_dir_name(&dir->scripts[i], name, sizeof name);
		n = snprintf(out + used, outlen - used, "%s%s", i > 0 ? ", " : "", name);
		if (n < 0 || (size_t) n >= outlen - used) {
			if (outlen > 4)
				snprintf(out + outlen - 4, 4, "...");
			return;
		}
		used += (size_t) n;
	}
}
