/* main.c - todoctl's entry point: the table of subcommands, the help, the exit codes. */
#include <stdio.h>
#include <string.h>

#include "import/import.h"
#include "issuer.h"
#include "migrate/migrate.h"
#include "seed.h"

struct main_command {
	const char *name;
	const char *summary;
	int         (*fn)(int argc, char **argv);
};

/* each fn gets argv from the subcommand's name on (argv[0] is "migrate", ...) */
static const struct main_command main_commands[] = {
	{"migrate", "show, upgrade or downgrade the schema version (migrate status|up|down)", migrate_main},
	{"seed", "create the development user test@example.com and its five tasks", seed_main},
	{"import", "import a legacy SQLite todo_app.db into PostgreSQL", import_main},
	{"issuer", "add, list or remove the trusted token issuers (Better Auth...)", issuer_main},
};

static void
main_usage(FILE *out)
{
	fputs("usage: todoctl COMMAND [ARGS...]\n"
	      "       todoctl COMMAND --help\n"
	      "\n"
	      "The todo backend's admin tool. Every command connects to DATABASE_URL, and to\n"
	      "nothing else: an admin connection (a superuser or the extension's owner), not the\n"
	      "gateway's todo_gateway role.\n"
	      "\n"
	      "commands:\n", out);
	for (size_t i = 0; i < sizeof main_commands / sizeof main_commands[0]; i++)
		fprintf(out, "  %-9s %s\n", main_commands[i].name, main_commands[i].summary);
	fputs("\n"
	      "exit status: 0 done (or nothing to do), 1 failed or refused (the database is as it\n"
	      "was), 2 usage or configuration error (e.g. DATABASE_URL unset)\n", out);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		main_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		main_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof main_commands / sizeof main_commands[0]; i++)
		if (strcmp(argv[1], main_commands[i].name) == 0)
			return main_commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "todoctl: unknown command \"%s\" (todoctl --help lists them)\n", argv[1]);
	return 2;
}
