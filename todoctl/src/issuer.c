/*
 * issuer.c - todoctl issuer add|list|remove: the trusted token issuers, kept in the
 * database (todo.issuers, owner-only) through its admin functions todo.issuer_add,
 * todo.issuer_list and todo.issuer_remove (docs/sql-api.md, docs/better-auth.md). The
 * database checks everything (https or loopback http, the secret's length...); this file
 * only reads arguments. An HS256 secret is read from an environment variable, never from
 * the command line (which ps and shell histories show), and is never printed.
 */
#include "issuer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define ISSUER_WHO "todoctl issuer"

static void
issuer_usage(FILE *out)
{
	fputs("usage: todoctl issuer add NAME --issuer ISS (--jwks-url URL | --hs256-secret-env VAR)\n"
	      "                          [--audience AUD] [--subject-claim CLAIM]\n"
	      "       todoctl issuer list\n"
	      "       todoctl issuer remove NAME\n"
	      "\n"
	      "The issuers whose tokens the API accepts besides its own, in the database at\n"
	      "DATABASE_URL (an admin connection). A token is theirs when its iss claim is ISS.\n"
	      "  --jwks-url URL          its public keys (EdDSA, ES256, ES512, RS256, PS256), which the\n"
	      "                          gateway fetches; https, or http on a loopback address only\n"
	      "  --hs256-secret-env VAR  or an HS256 secret shared with it (at least 32 bytes), read\n"
	      "                          from the environment variable VAR, never printed\n"
	      "  --audience AUD          the aud its tokens must carry (default: any)\n"
	      "  --subject-claim CLAIM   the claim naming the user (default: sub)\n"
	      "A running gateway takes an issuer added or removed into account without a restart.\n"
	      "Removing an issuer makes its tokens invalid at once. Better Auth: docs/better-auth.md.\n",
	      out);
}

/* One admin call, as the connection's role (the owner or a superuser). */
static int
issuer_call(const char *what, const char *sql, int n, const char *const *params,
            PGresult **out)
{
	int     rc;
	PGconn *conn = db_connect(ISSUER_WHO, &rc);

	*out = NULL;
	if (conn == NULL)
		return rc;
	*out = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	if (*out == NULL || PQresultStatus(*out) != PGRES_TUPLES_OK) {
		db_report(conn, *out, ISSUER_WHO, what);
		if (strcmp(db_last_sqlstate(), "42883") == 0 || strcmp(db_last_sqlstate(), "3F000") == 0)
			fprintf(stderr, ISSUER_WHO ": this database's schema has no trusted issuers: "
			        "todoctl migrate up first\n");
		PQclear(*out);
		*out = NULL;
		PQfinish(conn);
		return DB_EXIT_FAILED;
	}
	PQfinish(conn);
	return 0;
}

/* The value of option argv[*i] ("--name VALUE" or "--name=VALUE"), or NULL if it is not
 * that option; *i moves past it. A missing value is reported and sets *bad. */
static const char *
issuer_option(int argc, char **argv, int *i, const char *name, bool *bad)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) != 0)
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		fprintf(stderr, ISSUER_WHO ": %s needs a value\n", name);
		*bad = true;
		return NULL;
	}
	return argv[++*i];
}

static int
issuer_add(int argc, char **argv)
{
	const char *name = NULL, *iss = NULL, *url = NULL, *secret_env = NULL;
	const char *aud = NULL, *claim = NULL, *secret = NULL;
	const struct { const char *name; const char **slot; } opts[] = {
		{ "--issuer", &iss }, { "--jwks-url", &url }, { "--hs256-secret-env", &secret_env },
		{ "--audience", &aud }, { "--subject-claim", &claim },
	};
	bool        bad = false;
	PGresult   *res;
	int         rc;

	for (int i = 1; i < argc && !bad; i++) {
		size_t o;

		for (o = 0; o < sizeof opts / sizeof opts[0]; o++) {
			const char *v = issuer_option(argc, argv, &i, opts[o].name, &bad);

			if (v == NULL)
				continue;
			if (*opts[o].slot != NULL) {
				fprintf(stderr, ISSUER_WHO ": %s given twice\n", opts[o].name);
				bad = true;
			}
			*opts[o].slot = v;
			break;
		}
		if (bad || o < sizeof opts / sizeof opts[0])
			continue;
		if (argv[i][0] != '-' && name == NULL)
			name = argv[i];
		else {
			fprintf(stderr, ISSUER_WHO ": unexpected argument \"%s\"\n", argv[i]);
			bad = true;
		}
	}
	if (!bad && (name == NULL || iss == NULL)) {
		fprintf(stderr, ISSUER_WHO ": add needs NAME and --issuer ISS\n");
		bad = true;
	}
	if (!bad && (url == NULL) == (secret_env == NULL)) {
		fprintf(stderr, ISSUER_WHO ": add needs exactly one of --jwks-url and "
		        "--hs256-secret-env\n");
		bad = true;
	}
	if (!bad && secret_env != NULL) {
		secret = getenv(secret_env);
		if (secret == NULL || *secret == '\0') {
			fprintf(stderr, ISSUER_WHO ": the environment variable %s (--hs256-secret-env) "
			        "is not set or empty\n", secret_env);
			bad = true;
		}
	}
	if (bad) {
		fprintf(stderr, ISSUER_WHO ": todoctl issuer --help shows the usage\n");
		return DB_EXIT_USAGE;
	}
	{
		const char *params[6] = { name, iss, url, secret, aud, claim != NULL ? claim : "sub" };

		rc = issuer_call("cannot add the issuer",
		                 "SELECT todo.issuer_add($1, $2, $3, $4, $5, $6)", 6, params, &res);
	}
	if (rc != 0)
		return rc;
	PQclear(res);
	printf("issuer %s added: tokens with iss %s are verified with %s%s%s\n", name, iss,
	       url != NULL ? "the keys at " : "the HS256 secret in $", url != NULL ? url : secret_env,
	       aud != NULL ? " (audience required)" : "");
	return 0;
}

static int
issuer_list(void)
{
	static const char *const heads[] = { "name", "issuer", "kind", "jwks_url", "audience",
	                                     "subject_claim", "keys", "keys_fetched_at" };
	enum { NCOL = sizeof heads / sizeof heads[0] };
	PGresult *res;
	int       width[NCOL];
	int       rc = issuer_call("cannot list the issuers",
	                           "SELECT name, issuer, kind, jwks_url, audience, subject_claim, "
	                           "keys, to_char(keys_fetched_at AT TIME ZONE 'UTC', "
	                           "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
	                           "FROM todo.issuer_list() ORDER BY name", 0, NULL, &res);

	if (rc != 0)
		return rc;
	if (PQntuples(res) == 0 || PQnfields(res) != NCOL) {
		printf("no trusted issuers (todoctl issuer add)\n");
		PQclear(res);
		return 0;
	}
	for (int c = 0; c < NCOL; c++) {
		width[c] = (int) strlen(heads[c]);
		for (int r = 0; r < PQntuples(res); r++)
			if (PQgetlength(res, r, c) > width[c])
				width[c] = PQgetlength(res, r, c);
	}
	for (int r = -1; r < PQntuples(res); r++)
		for (int c = 0; c < NCOL; c++) {
			const char *v = r < 0 ? heads[c] : PQgetisnull(res, r, c) ? "-" : PQgetvalue(res, r, c);

			printf("%-*s%s", c + 1 < NCOL ? width[c] : 0, v, c + 1 < NCOL ? "  " : "\n");
		}
	PQclear(res);
	return 0;
}

static int
issuer_remove(const char *name)
{
	const char *params[1] = { name };
	PGresult   *res;
	int         rc = issuer_call("cannot remove the issuer", "SELECT todo.issuer_remove($1)",
	                             1, params, &res);

	if (rc != 0)
		return rc;
	rc = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0 ? 0 : DB_EXIT_FAILED;
	PQclear(res);
	if (rc != 0) {
		fprintf(stderr, ISSUER_WHO ": no issuer named %s (todoctl issuer list)\n", name);
		return rc;
	}
	printf("issuer %s removed: its tokens are refused from now on\n", name);
	return 0;
}

int
issuer_main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		issuer_usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return issuer_add(argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return issuer_list();
	if (argc == 3 && strcmp(argv[1], "remove") == 0)
		return issuer_remove(argv[2]);
	issuer_usage(stderr);
	return DB_EXIT_USAGE;
}
