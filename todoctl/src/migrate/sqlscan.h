/* sqlscan.h - what todoctl must know of a plain SQL script before it runs it. */
#ifndef TODOCTL_SQLSCAN_H
#define TODOCTL_SQLSCAN_H

#include <stddef.h>

/*
 * Checks that sql can run inside todoctl's transaction: no top-level statement that ends
 * or starts a transaction (BEGIN, START, COMMIT, END, ROLLBACK other than ROLLBACK TO, ABORT,
 * PREPARE TRANSACTION) and no psql meta-command (a line beginning with a backslash).
 * Skips comments, quoted strings and identifiers, and dollar-quoted bodies. Returns 0, or
 * -1 with the reason ("line 12: COMMIT ...") in why.
 */
int sqlscan_check(const char *sql, char *why, size_t whylen);

#endif
