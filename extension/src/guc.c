/* guc.c: the todo.* settings (postgresql.conf, ALTER SYSTEM or SET by a superuser) */
#include "postgres.h"

#include "utils/guc.h"

#include "guc.h"

char	   *TodoJwtSecret = NULL;
char	   *TodoJwtIssuer = NULL;
char	   *TodoJwtAudience = NULL;
int			TodoJwtLeeway = 30;
int			TodoJwtLifetime = 3600;
int			TodoBcryptCost = 10;
int			TodoMaxTasksPerUser = 100000;

/*
 * Define the settings.  All are PGC_SUSET: only a superuser may change them,
 * and the secret is hidden from everyone else.  The integers have no unit on
 * purpose, so that current_setting() returns a plain number ("3600", not
 * "1h") for the SQL that reads them.
 */
void
GucsInit(void)
{
	DefineCustomStringVariable("todo.jwt_secret",
							   "Key of the HS256 signature of access tokens.",
							   "At least 32 bytes; its bytes are the HMAC key as they are.",
							   &TodoJwtSecret,
							   "",
							   PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("todo.jwt_issuer",
							   "Issuer (\"iss\") that access tokens must carry.",
							   "Empty: the issuer is not checked.",
							   &TodoJwtIssuer,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("todo.jwt_audience",
							   "Audience (\"aud\") that access tokens must name.",
							   "Empty: the audience is not checked.",
							   &TodoJwtAudience,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("todo.jwt_leeway",
							"Clock skew tolerated on exp, nbf and iat, in seconds.",
							NULL,
							&TodoJwtLeeway,
							30, 0, 300,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("todo.jwt_lifetime",
							"Lifetime of a new access token, in seconds.",
							NULL,
							&TodoJwtLifetime,
							3600, 60, 2592000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("todo.bcrypt_cost",
							"bcrypt cost (log2 of rounds) of new password hashes.",
							NULL,
							&TodoBcryptCost,
							10, 10, 15,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("todo.max_tasks_per_user",
							"The most tasks one user may have.",
							"Creating one more is refused (SQLSTATE TDL09, HTTP 409 task_limit_reached).",
							&TodoMaxTasksPerUser,
							100000, 1, 1000000000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("todo");
}
