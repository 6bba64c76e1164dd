/* pgwait.h - waiting on a libpq socket until a deadline, abortable at shutdown. */
#ifndef GW_PGWAIT_H
#define GW_PGWAIT_H

#include <stdbool.h>
#include <stdint.h>

enum gw_wait {
	GW_WAIT_READY,       /* the socket is ready for one of the events */
	GW_WAIT_TIMEOUT,     /* the deadline passed, or pgwait_abort_all() was called */
	GW_WAIT_ERROR        /* bad socket or poll failure */
};

/* Waits for events (POLLIN / POLLOUT) on fd until deadline_us (clock_now_us() time). */
enum gw_wait pgwait_socket(int fd, short events, int64_t deadline_us);

/* From now on every wait gives up within 100 ms: used when shutdown stops waiting. */
void pgwait_abort_all(void);

#endif
