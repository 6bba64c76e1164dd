/* import_progress.c - what todoctl import is doing, on stderr: a live line on a terminal, a
 * line a phase otherwise. */
#include "import_progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "import_who.h"

#define PROGRESS_REDRAW_S 0.1

struct import_progress {
	bool      quiet;
	bool      tty;
	char      what[64];
	long long total;
	double    started;      /* of the phase, on the monotonic clock */
	double    drawn;        /* when the live line was last drawn */
	long long done;         /* rows done so far in the phase */
	bool      live;         /* a live line is on screen */
};

static double
progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* n with thousands separators ("1,000,000") into buf. */
static const char *
progress_number(long long n, char *buf, size_t len)
{
	char   digits[32];
	int    nd = snprintf(digits, sizeof digits, "%lld", n < 0 ? -n : n);
	size_t o = 0;

	if (n < 0 && o + 1 < len)
		buf[o++] = '-';
	for (int i = 0; i < nd && o + 2 < len; i++) {
		buf[o++] = digits[i];
		if ((nd - i - 1) % 3 == 0 && i < nd - 1)
			buf[o++] = ',';
	}
	buf[o] = '\0';
	return buf;
}

struct import_progress *
import_progress_new(bool quiet)
{
	struct import_progress *p = calloc(1, sizeof *p);

	if (p == NULL)
		return NULL;
	p->quiet = quiet;
	p->tty = !quiet && isatty(STDERR_FILENO);
	return p;
}

void
import_progress_free(struct import_progress *p)
{
	free(p);
}

static void
progress_clear(struct import_progress *p)
{
	if (p->live) {
		fputs("\r\033[K", stderr);
		p->live = false;
	}
}

static void
progress_draw(struct import_progress *p, long long done, bool final)
{
	double elapsed = progress_now() - p->started;
	char   a[32], b[32], r[32];
	long long rate = elapsed > 0.001 ? (long long) ((double) done / elapsed) : 0;

	if (p->tty) {
		progress_clear(p);
		if (p->total > 0)
			fprintf(stderr, IMPORT_WHO ": %s: %s / %s rows (%d%%), %s rows/s, %.1f s", p->what,
			        progress_number(done, a, sizeof a), progress_number(p->total, b, sizeof b),
			        (int) (100.0 * (double) done / (double) p->total), progress_number(rate, r, sizeof r),
			        elapsed);
		else
			fprintf(stderr, IMPORT_WHO ": %s: %.1f s", p->what, elapsed);
		p->live = true;
		if (final) {
			fputc('\n', stderr);
			p->live = false;
		}
	} else if (final) {
		if ((p->total > 0 || done > 0) && elapsed >= 0.05)
			fprintf(stderr, IMPORT_WHO ": %s: %s rows in %.1f s (%s rows/s)\n", p->what,
			        progress_number(done, a, sizeof a), elapsed, progress_number(rate, r, sizeof r));
		else if (p->total > 0 || done > 0)
			fprintf(stderr, IMPORT_WHO ": %s: %s rows in %.1f s\n", p->what,
			        progress_number(done, a, sizeof a), elapsed);
		else
			fprintf(stderr, IMPORT_WHO ": %s: %.1f s\n", p->what, elapsed);
	}
	fflush(stderr);
	p->drawn = progress_now();
}

void
import_progress_start(struct import_progress *p, const char *what, long long total)
{
	if (p == NULL || p->quiet)
		return;
	snprintf(p->what, sizeof p->what, "%s", what);
	p->total = total;
	p->done = 0;
	p->started = progress_now();
	if (p->tty)
		progress_draw(p, 0, false);
}

void
import_progress_update(struct import_progress *p, long long done)
{
	if (p == NULL)
		return;
	p->done = done;
	if (!p->tty || progress_now() - p->drawn < PROGRESS_REDRAW_S)
		return;
	progress_draw(p, done, false);
}

void
import_progress_tick(struct import_progress *p)
{
	if (p == NULL || !p->tty || !p->live || progress_now() - p->drawn < PROGRESS_REDRAW_S)
		return;
	progress_draw(p, p->done, false);
}

void
import_progress_end(struct import_progress *p, long long done)
{
	if (p == NULL || p->quiet)
		return;
	progress_draw(p, done, true);
}

void
import_progress_note(struct import_progress *p, const char *fmt, ...)
{
	va_list ap;

	if (p != NULL && p->quiet)
		return;
	if (p != NULL)
		progress_clear(p);
	fputs(IMPORT_WHO ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}
