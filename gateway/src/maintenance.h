/* gateway/src/maintenance.h: the database's periodic upkeep that no request pays for */
#ifndef GW_MAINTENANCE_H
#define GW_MAINTENANCE_H

#include "pool.h"

struct gw_maintenance;

/* Starts the thread that, every interval_s seconds, purges expired Idempotency-Key answers
 * through api.gateway_forget_idempotency_keys() on a connection of pool. NULL when the
 * thread cannot start (logged by the caller). */
struct gw_maintenance *maintenance_start(struct gw_pool *pool, unsigned interval_s);

/* Wakes the thread, waits for it (a purge in progress ends first: it never waits on a lock)
 * and frees it. NULL is a no-op. */
void maintenance_stop(struct gw_maintenance *m);

#endif
