/* import_signal.h - SIGINT, SIGTERM and SIGHUP during an import: cancel the query, then roll back. */
#ifndef TODOCTL_IMPORT_SIGNAL_H
#define TODOCTL_IMPORT_SIGNAL_H

#include <libpq-fe.h>

/*
 * From here on, SIGINT, SIGTERM and SIGHUP cancel conn's running query (PQcancel, which
 * is safe in a signal handler) and are remembered; the import sees the error, or checks
 * import_signal_caught() between rows, rolls back and exits non-zero. 0, or -1 after
 * printing why.
 */
int import_signal_install(PGconn *conn);

/* The signal caught since install, or 0. */
int import_signal_caught(void);

/* Restores the default handlers and frees the cancel object. */
void import_signal_remove(void);

#endif
