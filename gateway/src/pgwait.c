/* pgwait.c - waiting on a libpq socket until a deadline, abortable at shutdown. */
#include "pgwait.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>

#include "clock.h"

#define WAIT_SLICE_MS 100       /* how often a wait looks at the abort flag */

static atomic_bool aborted;

enum gw_wait
pgwait_socket(int fd, short events, int64_t deadline_us)
{
	if (fd < 0)
		return GW_WAIT_ERROR;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events, .revents = 0 };
		int64_t       left_us = deadline_us - clock_now_us();
		int           slice_ms;
		int           rc;

		if (left_us <= 0 || atomic_load(&aborted))
			return GW_WAIT_TIMEOUT;
		slice_ms = left_us >= WAIT_SLICE_MS * GW_US_PER_MS ? WAIT_SLICE_MS
		                                                   : (int) ((left_us + 999) / 1000);
		rc = poll(&pfd, 1, slice_ms);
		if (rc > 0)
			return GW_WAIT_READY;   /* POLLERR / POLLHUP too: libpq reports the cause */
		if (rc < 0 && errno != EINTR)
			return GW_WAIT_ERROR;
	}
}

void
pgwait_abort_all(void)
{
	atomic_store(&aborted, true);
}
