/* guc.c: the todo.* settings (postgresql.conf, ALTER SYSTEM or SET by a superuser) */
#include "postgres.h"

#include "utils/guc.h"

#include "guc.h"

char	   *TodoJwtSecret = NULL;
static char *TodoJwtSecretSetting = NULL;	/* todo.jwt_secret */
static char *TodoJwtSecretFile = NULL;	/* todo.jwt_secret_file */
static char *SecretFromFile = NULL; /* its contents (the GUC's extra) */
char	   *TodoJwtIssuer = NULL;
char	   *TodoJwtAudience = NULL;
int			TodoJwtLeeway = 30;
int			TodoJwtLifetime = 3600;
int			TodoBcryptCost = 10;
int			TodoMaxTasksPerUser = 100000;

#define SECRET_FILE_MAX 1024

/* The key in effect: the setting when set (tests), else the file's contents. */
static void
SecretRecompute(const char *setting)
{
	if (setting != NULL && setting[0] != '\0')
		TodoJwtSecret = (char *) setting;
	else
		TodoJwtSecret = SecretFromFile != NULL ? SecretFromFile : "";
}

static void
AssignSecret(const char *newval, void *extra)
{
	SecretRecompute(newval);
}

/*
 * todo.jwt_secret_file: read the file when the setting is read (server start, reload),
 * relative to the data directory; a file that cannot be read refuses the setting, so the
 * server does not start with it.  The contents (up to 1 KiB, one trailing newline
 * dropped, no NUL) go to the assign hook as the GUC's extra.
 */
static bool
CheckSecretFile(char **newval, void **extra, GucSource source)
{
	FILE	   *f;
	char	   *buf;
	size_t		n;

	*extra = NULL;
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	f = fopen(*newval, "r");
	if (f == NULL)
	{
		GUC_check_errdetail("could not open \"%s\": %m", *newval);
		return false;
	}
	buf = malloc(SECRET_FILE_MAX + 2);
	if (buf == NULL)
	{
		fclose(f);
		GUC_check_errdetail("out of memory");
		return false;
	}
	n = fread(buf, 1, SECRET_FILE_MAX + 1, f);
	if (ferror(f) || n > SECRET_FILE_MAX || memchr(buf, '\0', n) != NULL)
	{
		fclose(f);
		free(buf);
		GUC_check_errdetail("\"%s\" must hold the secret alone: at most %d bytes, no NUL", *newval, SECRET_FILE_MAX);
		return false;
	}
	fclose(f);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*extra = buf;
	return true;
}

static void
AssignSecretFile(const char *newval, void *extra)
{
	SecretFromFile = extra;
	SecretRecompute(TodoJwtSecretSetting);
}

/*
 * Define the settings.  All are PGC_SUSET: only a superuser may change them,
 * and the secret is hidden from everyone else.  The integers have no unit on
 * purpose, so that current_setting() returns a plain number ("3600", not
 * "1h") for the SQL that reads them.
 */
void
GucsInit(void)
{
	/*
	 * A setting is readable by pg_read_all_settings (pg_monitor) whatever its flags, so
	 * the key belongs in the file of todo.jwt_secret_file; todo.jwt_secret, when set,
	 * takes precedence (a superuser's SET in tests).
	 */
	DefineCustomStringVariable("todo.jwt_secret",
							   "Key of the HS256 signature of access tokens (tests: use todo.jwt_secret_file).",
							   "At least 32 bytes; its bytes are the HMAC key as they are. Readable by pg_read_all_settings.",
							   &TodoJwtSecretSetting,
							   "",
							   PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   NULL, AssignSecret, NULL);

	DefineCustomStringVariable("todo.jwt_secret_file",
							   "File holding the key of the HS256 signature of access tokens.",
							   "Relative to the data directory; read at start and on reload when this setting changes. Only the server's user should read it.",
							   &TodoJwtSecretFile,
							   "",
							   PGC_SIGHUP,
							   GUC_NOT_IN_SAMPLE,
							   CheckSecretFile, AssignSecretFile, NULL);

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
