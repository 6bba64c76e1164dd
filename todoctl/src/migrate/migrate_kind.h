/* migrate_kind.h - what todoctl migrate needs of each kind of install (extension, plain SQL). */
#ifndef TODOCTL_MIGRATE_KIND_H
#define TODOCTL_MIGRATE_KIND_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "install.h"
#include "plain_dir.h"

/* One run of todoctl migrate. */
struct migrate_ctx {
	PGconn          *conn;
	const char      *who;          /* message prefix, "todoctl migrate" */
	const char      *plain_path;   /* the plain-SQL scripts' directory */
	struct plain_dir plain;        /* its listing, read on first use */
	bool             plain_loaded;
};

struct migrate_kind {
	enum install_kind kind;
	/* The version `up` goes to without --to, into out. 0, or -1 after printing why. */
	int (*latest)(struct migrate_ctx *ctx, char *out, size_t outlen);
	/* The version one step below from (what `down` goes to without --to). 1, 0 when
	 * there is none, -1 after printing why. */
	int (*previous)(struct migrate_ctx *ctx, const char *from, char *out, size_t outlen);
	/* Goes from from (an install when from is "") to to, inside the caller's transaction,
	 * printing each step on stdout. 0, or -1 after printing why (the caller rolls back). */
	int (*apply)(struct migrate_ctx *ctx, const char *from, const char *to);
};

extern const struct migrate_kind migrate_extension;
extern const struct migrate_kind migrate_plain;

#endif
