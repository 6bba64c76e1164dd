/* import_progress.h - what todoctl import is doing, on stderr: a live line on a terminal, a
 * line a phase otherwise. */
#ifndef TODOCTL_IMPORT_PROGRESS_H
#define TODOCTL_IMPORT_PROGRESS_H

#include <stdbool.h>

struct import_progress;

/*
 * Live progress when stderr is a terminal (isatty): the phase, rows done / total and the
 * rate, redrawn at most ten times a second. Otherwise one line when each phase ends, with
 * its rows, time and rate. quiet: nothing at all. NULL when out of memory.
 */
struct import_progress *import_progress_new(bool quiet);
void import_progress_free(struct import_progress *p);

/* Starts a phase: what it does ("copying tasks"), and its total of rows (0: not counted). */
void import_progress_start(struct import_progress *p, const char *what, long long total);

/* done rows of the phase's total so far. */
void import_progress_update(struct import_progress *p, long long done);

/* Redraws the live line with the time elapsed (a long statement is running). */
void import_progress_tick(struct import_progress *p);

/* Ends the phase with done rows. */
void import_progress_end(struct import_progress *p, long long done);

/* Prints a line of its own (a wait, a warning) without garbling the live line. */
void import_progress_note(struct import_progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
