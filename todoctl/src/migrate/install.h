/* install.h - which kind of todo install a database has, and at which version. */
#ifndef TODOCTL_INSTALL_H
#define TODOCTL_INSTALL_H

#include <libpq-fe.h>

#include "version.h"

enum install_kind {
	INSTALL_NONE,        /* neither of the two below */
	INSTALL_EXTENSION,   /* CREATE EXTENSION todo: the version is pg_extension.extversion */
	INSTALL_PLAIN        /* the plain-SQL install: the one row of todo.schema_version */
};

struct install_state {
	enum install_kind kind;
	char              version[VERSION_MAX];   /* "" when INSTALL_NONE */
};

/*
 * Reads the install kind and version: the extension's row in pg_extension if any, else
 * table todo.schema_version (exactly one row), else nothing. Returns 0, or -1 after
 * printing why (a database error, a version table without exactly one valid version).
 */
int install_detect(PGconn *conn, const char *who, struct install_state *out);

/* "extension todo", "plain-SQL install", "nothing installed" */
const char *install_kind_name(enum install_kind kind);

#endif
