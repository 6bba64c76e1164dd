/* migrate.c - todoctl migrate status|up|down: the command line, and one migration as one transaction. */
#include "migrate.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "install.h"
#include "locks.h"
#include "migrate_kind.h"
#include "version.h"

#define MIGRATE_WHO "todoctl migrate"

/* one migration at a time per database, and no import during it (locks.h) */
#define MIGRATE_LOCK_SQL "SELECT pg_catalog.pg_advisory_xact_lock(" LOCKS_MIGRATE ")"

enum migrate_action { MIGRATE_STATUS, MIGRATE_UP, MIGRATE_DOWN };

struct migrate_options {
	enum migrate_action action;
	const char         *to;              /* --to, or NULL */
	bool                force;           /* --force: a downgrade may destroy data */
	bool                plain;           /* --plain: install the plain-SQL kind */
	const char         *plain_dir;       /* --plain-dir, TODO_PLAIN_DIR, or the built-in one */
	const char         *name;            /* the action as given */
	long                lock_timeout_ms; /* --lock-timeout: longest wait for a lock (0: none) */
	long                attempts;        /* --attempts: tries after a lock timeout or deadlock */
};

#define MIGRATE_LOCK_TIMEOUT_MS 2000
#define MIGRATE_ATTEMPTS        5
#define MIGRATE_DEADLOCK_TIMEOUT "100ms"   /* the migration, not a request, is a deadlock's victim */

static void
migrate_usage(FILE *out)
{
	fputs("usage: todoctl migrate status [--plain-dir DIR]\n"
	      "       todoctl migrate up [--to VERSION] [--plain] [--plain-dir DIR] [LOCKS]\n"
	      "       todoctl migrate down [--to VERSION] [--force] [--plain-dir DIR] [LOCKS]\n"
	      "\n"
	      "Shows, upgrades or downgrades the schema of the database at DATABASE_URL (an admin\n"
	      "connection: a superuser or the extension's owner). Prints the version before and after.\n"
	      "Each migration runs in one transaction: if a script fails, the version stays as it was.\n"
	      "\n"
	      "  status           the install kind, its version, the latest one available\n"
	      "  up               to the latest version (or --to); at it already: says so, exit 0.\n"
	      "                   With nothing installed: CREATE EXTENSION todo CASCADE, or with\n"
	      "                   --plain the plain-SQL install from its scripts\n"
	      "  down             to the previous version (or --to). A downgrade that would destroy\n"
	      "                   data is refused, and says which data, unless --force\n"
	      "\n"
	      "LOCKS: --lock-timeout MS (default 2000; 0 waits for ever) bounds each wait for a\n"
	      "lock, and so how long a waiting migration holds up the API queued behind it;\n"
	      "--attempts N (default 5): on a lock timeout or a deadlock the transaction is rolled\n"
	      "back and tried again, after 1, 2, ... seconds.\n"
	      "\n"
	      "Install kinds: the extension todo (its version is pg_extension's), else the plain-SQL\n"
	      "install (table todo.schema_version), whose scripts " PLAIN_PREFIX "A.sql and\n"
	      PLAIN_PREFIX "A--B.sql are read from --plain-dir, else TODO_PLAIN_DIR, else\n"
	      TODOCTL_PLAIN_DIR ".\n", out);
}

/* A whole decimal number in [min, max] into *out; 0, or -1. */
static int
migrate_number(const char *s, long min, long max, long *out)
{
	char *end;
	long  v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* 0 to go on, 1 when --help was printed, or -1 after printing a usage error */
static int
migrate_parse(int argc, char **argv, struct migrate_options *opt)
{
	static const struct option longopts[] = {
		{"to", required_argument, NULL, 't'},
		{"force", no_argument, NULL, 'f'},
		{"plain", no_argument, NULL, 'p'},
		{"plain-dir", required_argument, NULL, 'd'},
		{"lock-timeout", required_argument, NULL, 'l'},
		{"attempts", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *env = getenv("TODO_PLAIN_DIR");
	int         c;

	memset(opt, 0, sizeof *opt);
	opt->plain_dir = env != NULL && *env != '\0' ? env : TODOCTL_PLAIN_DIR;
	opt->lock_timeout_ms = MIGRATE_LOCK_TIMEOUT_MS;
	opt->attempts = MIGRATE_ATTEMPTS;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			opt->to = optarg;
			break;
		case 'f':
			opt->force = true;
			break;
		case 'p':
			opt->plain = true;
			break;
		case 'd':
			opt->plain_dir = optarg;
			break;
		case 'l':
			if (migrate_number(optarg, 0, 3600L * 1000, &opt->lock_timeout_ms) < 0) {
				fprintf(stderr, MIGRATE_WHO ": --lock-timeout takes milliseconds, 0 to 3600000\n");
				return -1;
			}
			break;
		case 'a':
			if (migrate_number(optarg, 1, 100, &opt->attempts) < 0) {
				fprintf(stderr, MIGRATE_WHO ": --attempts takes a number from 1 to 100\n");
				return -1;
			}
			break;
		case 'h':
			migrate_usage(stdout);
			return 1;
		default:
			fprintf(stderr, MIGRATE_WHO ": unknown option, or an option without its value: "
			        "%s (todoctl migrate --help)\n", argv[optind - 1]);
			return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, MIGRATE_WHO ": %s (todoctl migrate --help)\n",
		        optind == argc ? "status, up or down?" : "one action only: status, up or down");
		return -1;
	}
	opt->name = argv[optind];
	if (strcmp(argv[optind], "status") == 0)
		opt->action = MIGRATE_STATUS;
	else if (strcmp(argv[optind], "up") == 0)
		opt->action = MIGRATE_UP;
	else if (strcmp(argv[optind], "down") == 0)
		opt->action = MIGRATE_DOWN;
	else {
		fprintf(stderr, MIGRATE_WHO ": unknown action \"%s\": status, up or down\n", argv[optind]);
		return -1;
	}
	if (opt->to != NULL && !version_valid(opt->to)) {
		fprintf(stderr, MIGRATE_WHO ": --to %s: not a version (letters, digits, '.', '_', "
		        "'-'; at most %d characters)\n", opt->to, VERSION_MAX - 1);
		return -1;
	}
	if (opt->to != NULL && opt->action == MIGRATE_STATUS) {
		fprintf(stderr, MIGRATE_WHO ": --to is for up and down\n");
		return -1;
	}
	if (opt->force && opt->action != MIGRATE_DOWN) {
		fprintf(stderr, MIGRATE_WHO ": --force is for down only\n");
		return -1;
	}
	if (opt->plain && opt->action != MIGRATE_UP) {
		fprintf(stderr, MIGRATE_WHO ": --plain is for up only (the other actions find the "
		        "install kind in the database)\n");
		return -1;
	}
	return 0;
}

/* The kind of install to act on, or NULL after printing why. */
static const struct migrate_kind *
migrate_kind_for(const struct install_state *state, const struct migrate_options *opt)
{
	switch (state->kind) {
	case INSTALL_EXTENSION:
		if (opt->plain) {
			fprintf(stderr, MIGRATE_WHO ": --plain: this database has the extension todo, "
			        "not the plain-SQL install\n");
			return NULL;
		}
		return &migrate_extension;
	case INSTALL_PLAIN:
		return &migrate_plain;
	case INSTALL_NONE:
		break;
	}
	if (opt->action == MIGRATE_DOWN) {
		fprintf(stderr, MIGRATE_WHO ": nothing is installed: there is nothing to downgrade\n");
		return NULL;
	}
	return opt->plain ? &migrate_plain : &migrate_extension;
}

/* "before: 1.0 (extension todo)", read again in its own snapshot; 0 or -1. */
static int
migrate_print_state(struct migrate_ctx *ctx, const char *label, const char *latest)
{
	struct install_state state;

	if (install_detect(ctx->conn, ctx->who, &state) < 0)
		return -1;
	if (state.kind == INSTALL_NONE)
		printf("%s: nothing installed\n", label);
	else
		printf("%s: %s (%s%s)\n", label, state.version, install_kind_name(state.kind),
		       latest != NULL && strcmp(latest, state.version) == 0 ? ", the latest" : "");
	return 0;
}

static int
migrate_status(struct migrate_ctx *ctx)
{
	struct install_state       state;
	const struct migrate_kind *kind;
	char                       latest[VERSION_MAX];

	if (install_detect(ctx->conn, ctx->who, &state) < 0)
		return DB_EXIT_FAILED;
	printf("install: %s\n", install_kind_name(state.kind));
	if (state.kind == INSTALL_NONE) {
		/* what up would install; failures here only inform */
		if (migrate_extension.latest(ctx, latest, sizeof latest) == 0)
			printf("available: extension todo %s (todoctl migrate up)\n", latest);
		if (access(ctx->plain_path, F_OK) == 0 && migrate_plain.latest(ctx, latest, sizeof latest) == 0)
			printf("available: plain-SQL install %s in %s (todoctl migrate up --plain)\n",
			       latest, ctx->plain_path);
		return 0;
	}
	kind = state.kind == INSTALL_EXTENSION ? &migrate_extension : &migrate_plain;
	printf("version: %s\n", state.version);
	if (kind->latest(ctx, latest, sizeof latest) < 0) {
		printf("latest: unknown\n");
		return DB_EXIT_FAILED;
	}
	printf("latest: %s\n", latest);
	if (strcmp(latest, state.version) == 0)
		printf("state: up-to-date\n");
	else if (version_compare(state.version, latest) < 0)
		printf("state: out-of-date (todoctl migrate up goes %s -> %s)\n", state.version, latest);
	else
		printf("state: newer than the latest version this server has scripts for\n");
	return 0;
}

/* Bounds the transaction's lock waits, after the advisory lock (another todoctl migrate
 * is waited for); as a superuser also makes the migration check for deadlocks first, so
 * that it, not an API request, is rolled back when it closes a cycle. 0 or -1. */
static int
migrate_lock_settings(struct migrate_ctx *ctx, const struct migrate_options *opt)
{
	char        ms[32];
	const char *params[] = {ms};
	char        super[8];

	snprintf(ms, sizeof ms, "%ldms", opt->lock_timeout_ms);
	if (db_command(ctx->conn, ctx->who, "SELECT pg_catalog.set_config('lock_timeout', $1, true)",
	               1, params) < 0 ||
	    db_value(ctx->conn, ctx->who, "SELECT pg_catalog.current_setting('is_superuser')", 0, NULL,
	             super, sizeof super, NULL) < 0)
		return -1;
	if (strcmp(super, "on") != 0)
		return 0;
	return db_command(ctx->conn, ctx->who, "SELECT pg_catalog.set_config('deadlock_timeout', '"
	                  MIGRATE_DEADLOCK_TIMEOUT "', true)", 0, NULL);
}

enum migrate_outcome { MIGRATE_DONE, MIGRATE_FAILED, MIGRATE_RETRY };

/*
 * One attempt at up or down, in one transaction: the advisory lock, the version (read
 * inside the transaction, after the lock), the target, the scripts, commit. Prints the
 * plan on the first attempt only. Rolls back on failure; MIGRATE_RETRY when the failure
 * was a lock not granted in time or a deadlock.
 */
static enum migrate_outcome
migrate_once(struct migrate_ctx *ctx, const struct migrate_options *opt, bool first,
             char *latest, size_t latestlen)
{
	struct install_state       state;
	const struct migrate_kind *kind;
	char                       target[VERSION_MAX];
	const char                *verb = opt->action == MIGRATE_UP ? "up" : "down";
	const char                *sqlstate;
	int                        rc, cmp;

	latest[0] = '\0';
	if (db_begin(ctx->conn, ctx->who) < 0 ||
	    db_command(ctx->conn, ctx->who, MIGRATE_LOCK_SQL, 0, NULL) < 0 ||
	    migrate_lock_settings(ctx, opt) < 0 ||
	    install_detect(ctx->conn, ctx->who, &state) < 0 ||
	    (kind = migrate_kind_for(&state, opt)) == NULL)
		goto failed;
	if (kind->latest(ctx, latest, latestlen) < 0) {
		if (opt->action == MIGRATE_UP && opt->to == NULL)
			goto failed;
		latest[0] = '\0';   /* down, or an explicit target: the latest only informs */
	}
	if (first && state.kind == INSTALL_NONE)
		printf("before: nothing installed\n");
	else if (first)
		printf("before: %s (%s%s)\n", state.version, install_kind_name(state.kind),
		       strcmp(latest, state.version) == 0 ? ", the latest" : "");

	if (opt->to != NULL) {
		snprintf(target, sizeof target, "%s", opt->to);
	} else if (opt->action == MIGRATE_UP) {
		snprintf(target, sizeof target, "%s", latest);
	} else {
		rc = kind->previous(ctx, state.version, target, sizeof target);
		if (rc < 0)
			goto failed;
		if (rc == 0) {
			fprintf(stderr, MIGRATE_WHO ": there is no version below %s to go down to\n",
			        state.version);
			goto failed;
		}
	}

	if (state.kind != INSTALL_NONE) {
		cmp = version_compare(target, state.version);
		if (cmp == 0) {
			printf("nothing to do: already at %s%s\n", target,
			       strcmp(target, latest) == 0 ? ", the latest version" : "");
			db_rollback(ctx->conn);
			return MIGRATE_DONE;
		}
		if ((cmp < 0) != (opt->action == MIGRATE_DOWN)) {
			fprintf(stderr, MIGRATE_WHO ": %s is %s than %s: use todoctl migrate %s --to %s\n",
			        target, cmp < 0 ? "older" : "newer", state.version, cmp < 0 ? "down" : "up",
			        target);
			goto failed;
		}
		if (first)
			printf("migrating %s: %s -> %s\n", verb, state.version, target);
	} else if (first) {
		printf("installing %s\n", target);
	}
	fflush(stdout);

	/* the downgrade scripts refuse to destroy data unless this is on, in this transaction */
	if (opt->force &&
	    db_command(ctx->conn, ctx->who, "SELECT pg_catalog.set_config('todo_migrate.force', 'on', true)",
	               0, NULL) < 0)
		goto failed;
	if (kind->apply(ctx, state.kind == INSTALL_NONE ? "" : state.version, target) < 0 ||
	    db_commit(ctx->conn, ctx->who) < 0)
		goto failed;
	return MIGRATE_DONE;

failed:
	sqlstate = db_last_sqlstate();
	fflush(stdout);
	db_rollback(ctx->conn);
	return strcmp(sqlstate, "55P03") == 0 || strcmp(sqlstate, "40P01") == 0 ? MIGRATE_RETRY
	                                                                         : MIGRATE_FAILED;
}

/* up or down: attempts until one is done, fails for another reason than a lock, or the
 * attempts run out. Prints the version after, read from the database. */
static int
migrate_run(struct migrate_ctx *ctx, const struct migrate_options *opt)
{
	char                 latest[VERSION_MAX] = "";
	enum migrate_outcome outcome = MIGRATE_FAILED;

	for (long attempt = 1; attempt <= opt->attempts; attempt++) {
		outcome = migrate_once(ctx, opt, attempt == 1, latest, sizeof latest);
		if (outcome != MIGRATE_RETRY)
			break;
		if (attempt < opt->attempts) {
			fprintf(stderr, MIGRATE_WHO ": attempt %ld of %ld rolled back (a lock not granted "
			        "within %ld ms, or a deadlock): trying again in %ld s\n", attempt,
			        opt->attempts, opt->lock_timeout_ms, attempt);
			sleep((unsigned) attempt);
		} else if (strcmp(db_last_sqlstate(), "40P01") == 0) {
			fprintf(stderr, MIGRATE_WHO ": gave up after %ld attempts, the last one a deadlock: "
			        "the scripts lock tables in another order than the transactions running "
			        "beside them (docs/migrations.md: lock first); try again when the "
			        "database is quieter\n", opt->attempts);
		} else {
			fprintf(stderr, MIGRATE_WHO ": gave up after %ld attempts: a transaction holds "
			        "locks the migration needs (see pg_stat_activity and pg_locks); try again "
			        "later, or with a longer --lock-timeout\n", opt->attempts);
		}
	}
	if (outcome != MIGRATE_DONE)
		fprintf(stderr, MIGRATE_WHO ": rolled back: nothing changed\n");
	if (migrate_print_state(ctx, "after", latest[0] != '\0' ? latest : NULL) < 0)
		return DB_EXIT_FAILED;
	return outcome == MIGRATE_DONE ? 0 : DB_EXIT_FAILED;
}

int
migrate_main(int argc, char **argv)
{
	struct migrate_options opt;
	struct migrate_ctx     ctx;
	char                   where[512];
	int                    rc;

	rc = migrate_parse(argc, argv, &opt);
	if (rc != 0)
		return rc > 0 ? 0 : DB_EXIT_USAGE;
	memset(&ctx, 0, sizeof ctx);
	ctx.who = MIGRATE_WHO;
	ctx.plain_path = opt.plain_dir;
	ctx.conn = db_connect(ctx.who, &rc);
	if (ctx.conn == NULL)
		return rc;
	db_describe(ctx.conn, where, sizeof where);
	printf("todoctl migrate %s: %s\n", opt.name, where);
	rc = opt.action == MIGRATE_STATUS ? migrate_status(&ctx) : migrate_run(&ctx, &opt);
	if (ctx.plain_loaded)
		plain_dir_free(&ctx.plain);
	PQfinish(ctx.conn);
	fflush(stdout);
	return rc;
}
