/* import_run.c - the calls every step of an import runs its SQL with (import_run.h). */
#include "import_run.h"

#include <errno.h>
#include <poll.h>

#include "db.h"
#include "import_progress.h"
#include "import_signal.h"

PGresult *
import_query(struct import_run *run, const char *sql, int nparams, const char *const *params)
{
	PGresult *res, *last = NULL;
	int       sent = nparams > 0 ? PQsendQueryParams(run->conn, sql, nparams, NULL, params, NULL, NULL, 0)
	                             : PQsendQuery(run->conn, sql);

	if (!sent)
		return NULL;
	for (;;) {
		/* wait for the server, redrawing the progress line; a signal interrupts the wait
		 * (its handler has sent the cancel request) */
		while (PQisBusy(run->conn)) {
			struct pollfd pfd = {.fd = PQsocket(run->conn), .events = POLLIN};

			if (poll(&pfd, 1, 200) < 0 && errno != EINTR)
				break;
			import_progress_tick(run->progress);
			if (!PQconsumeInput(run->conn))
				break;
		}
		res = PQgetResult(run->conn);
		if (res == NULL)
			break;
		/* several statements: keep the last result, or the first error */
		if (last != NULL && PQresultStatus(last) == PGRES_FATAL_ERROR) {
			PQclear(res);
			continue;
		}
		PQclear(last);
		last = res;
	}
	return last;
}

int
import_exec(struct import_run *run, const char *sql, const char *what)
{
	PGresult *res;
	int       ok;

	if (import_signal_caught())
		return -1;
	res = import_query(run, sql, 0, NULL);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok && !import_signal_caught())
		db_report(run->conn, res, IMPORT_WHO, what);
	PQclear(res);
	return ok ? 0 : -1;
}
