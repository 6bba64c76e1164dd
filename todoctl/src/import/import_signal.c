/* import_signal.c - SIGINT, SIGTERM and SIGHUP during an import: cancel the query, then roll back. */
#include "import_signal.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "import_who.h"

static const int             import_signals[] = {SIGINT, SIGTERM, SIGHUP};
static PGcancel *volatile    import_cancel;
static volatile sig_atomic_t import_caught;

static void
import_signal_handler(int signo)
{
	char      errbuf[256];
	PGcancel *cancel = import_cancel;

	if (import_caught == 0)
		import_caught = signo;
	if (cancel != NULL)
		(void) PQcancel(cancel, errbuf, sizeof errbuf);
}

int
import_signal_install(PGconn *conn)
{
	struct sigaction sa;

	import_cancel = PQgetCancel(conn);
	if (import_cancel == NULL) {
		fprintf(stderr, IMPORT_WHO ": cannot make a cancel request for the connection\n");
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = import_signal_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;   /* no SA_RESTART: a blocking read returns at once */
	for (size_t i = 0; i < sizeof import_signals / sizeof import_signals[0]; i++)
		sigaction(import_signals[i], &sa, NULL);
	return 0;
}

int
import_signal_caught(void)
{
	return import_caught;
}

void
import_signal_remove(void)
{
	struct sigaction sa;
	sigset_t         block, old;
	PGcancel        *cancel;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	/* no handler may use the cancel object while it is freed */
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof import_signals / sizeof import_signals[0]; i++)
		sigaddset(&block, import_signals[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (size_t i = 0; i < sizeof import_signals / sizeof import_signals[0]; i++)
		sigaction(import_signals[i], &sa, NULL);
	cancel = import_cancel;
	import_cancel = NULL;
	PQfreeCancel(cancel);
	sigprocmask(SIG_SETMASK, &old, NULL);
}
