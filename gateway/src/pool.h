/* pool.h - a fixed-size pool of libpq connections, made lazily, replaced when broken. */
#ifndef GW_POOL_H
#define GW_POOL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_CONNECT_TIMEOUT_S 5     /* default bound on making one connection */

struct gw_pool;

enum gw_pool_status {
	GW_POOL_OK,
	GW_POOL_TIMEOUT,          /* every connection busy until the wait deadline */
	GW_POOL_CONNECT_FAILED,   /* a new connection could not be made */
	GW_POOL_CLOSED            /* shutting down */
};

/* url is borrowed and must outlive the pool. NULL when out of memory. */
struct gw_pool *pool_create(const char *url, unsigned size);

/*
 * Takes a connection: an idle one that still looks alive, else a new one if fewer than
 * size exist, else waits until wait_by (clock_now_us() time). fresh asks for a new
 * connection whatever is idle (an idle one is closed to free its slot if need be): the
 * retry after a connection was found dead, when its idle siblings are likely dead too.
 * A new connection must be made by connect_by (0: GW_CONNECT_TIMEOUT_S from when it
 * starts). On GW_POOL_OK the caller holds *conn until pool_release(). On
 * GW_POOL_CONNECT_FAILED err holds libpq's message (never the password).
 */
enum gw_pool_status pool_acquire(struct gw_pool *pool, int64_t wait_by, int64_t connect_by,
                                 bool fresh, PGconn **conn, char *err, size_t errlen);

/* Gives a connection back. reusable false closes it (its slot is free for a new one). */
void pool_release(struct gw_pool *pool, PGconn *conn, bool reusable);

/* What GET /metrics reports of a pool (metrics.c): a copy taken under its lock. */
struct gw_pool_stats {
	unsigned      size;
	unsigned      open;               /* idle, in use, or being made */
	unsigned      idle;
	unsigned      waiting;            /* acquisitions waiting for a connection */
	unsigned long timeouts;           /* acquisitions that ended GW_POOL_TIMEOUT */
	unsigned long connect_failures;   /* acquisitions that ended GW_POOL_CONNECT_FAILED */
};
void pool_stats(struct gw_pool *pool, struct gw_pool_stats *out);

/* Wakes every waiter and refuses new acquisitions; connections in use may still be released. */
void pool_close(struct gw_pool *pool);

/* Closes the idle connections and frees the pool. Every connection must be released. */
void pool_destroy(struct gw_pool *pool);

#endif
