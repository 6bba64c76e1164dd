/* plain_dir.h - the plain-SQL install's script directory: which scripts, and their chains. */
#ifndef TODOCTL_PLAIN_DIR_H
#define TODOCTL_PLAIN_DIR_H

#include <limits.h>
#include <stddef.h>

#include "version.h"

#define PLAIN_PREFIX "todo-plain--"

/* todo-plain--TO.sql installs TO (from is ""); todo-plain--FROM--TO.sql goes FROM -> TO */
struct plain_script {
	char from[VERSION_MAX];
	char to[VERSION_MAX];
};

struct plain_dir {
	char                 path[PATH_MAX];
	struct plain_script *scripts;    /* sorted by from, then to */
	size_t               count;
};

/*
 * Lists the scripts in directory path (other files are ignored). Returns 0, or -1 after
 * printing why (missing or unreadable directory, out of memory). The caller frees the
 * listing with plain_dir_free() either way.
 */
int plain_dir_load(struct plain_dir *dir, const char *path, const char *who);

void plain_dir_free(struct plain_dir *dir);

/* The highest version any script names into out. 1, or 0 when there is no script. */
int plain_dir_latest(const struct plain_dir *dir, char *out, size_t outlen);

/* The highest version below from that one script leads to from from. 1, or 0: none. */
int plain_dir_previous(const struct plain_dir *dir, const char *from, char *out, size_t outlen);

/*
 * The shortest chain of scripts from from (an install when from is "") to to, as indexes
 * into dir->scripts, into steps[0 .. *nsteps-1]. Returns 1, 0 when there is no chain (or
 * one longer than maxsteps), -1 when out of memory.
 */
int plain_dir_chain(const struct plain_dir *dir, const char *from, const char *to,
                    size_t *steps, size_t maxsteps, size_t *nsteps);

/* The file name of a script, without the directory. */
void plain_dir_name(const struct plain_script *script, char *out, size_t outlen);

/* Every script's file name, comma-separated, into out (truncated with "..." if needed). */
void plain_dir_list(const struct plain_dir *dir, char *out, size_t outlen);

#endif
