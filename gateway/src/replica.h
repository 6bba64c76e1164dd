/* replica.h - read replicas (DATABASE_READ_URL): a pool per replica, which are in rotation,
 * and a read-only request sent to one, or to the primary when a replica cannot answer it
 * as the primary would. gateway/README.md "Read replicas" has the rules and guarantees. */
#ifndef GW_REPLICA_H
#define GW_REPLICA_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"
#include "query.h"
#include "replica_config.h"
#include "strbuf.h"

struct gw_replicas;

/*
 * The replicas of rc (rc->n > 0; rc must outlive them) and their checker: one thread that,
 * every rc->check_ms, reads the primary's WAL position (pg_current_wal_lsn(), on a
 * connection of its own to primary_url) and each replica's replayed position
 * (pg_last_wal_replay_lsn()), and so knows, per replica, the latest time T at which
 * everything the primary had committed is replayed there ("fresh as of T"). NULL when out
 * of memory or the thread cannot start (logged): then every request goes to the primary.
 */
struct gw_replicas *replicas_start(const struct gw_replica_config *rc, const char *primary_url);

/* Stops the checker (joins its thread) and closes the pools: after the requests drained. */
void replicas_close(struct gw_replicas *rs);
/* Frees everything; every connection must be released. NULL is ignored. */
void replicas_free(struct gw_replicas *rs);

/* Whose reads a write concerns: the request's bearer token and its path's {user_id}
 * (either NULL). */
struct gw_read_keys {
	const char *token;
	const char *user_id;
};

/*
 * Runs call, a read-only route's, on a replica when one is in rotation (reachable, a
 * standby, lag within max_lag) and fresh as of the keys' last write; else on primary. A
 * replica's answer that the primary might answer otherwise is not kept, the call runs on
 * primary: the replica unreachable (marked down until the checker reaches it again), a
 * write attempted (25006: another issuer's token seen first, a changed claim), a recovery
 * conflict (40001, 40P01), a token refused (TD401: its session may be too new for the
 * replica). wait_us bounds each pool wait. As query_exec otherwise.
 */
enum gw_qstatus replicas_read(struct gw_replicas *rs, struct gw_pool *primary,
                              const struct gw_call *call, const struct gw_read_keys *keys,
                              int64_t wait_us, struct gw_qresult *out);

/* A request that may have written (any route but the read-only ones) ended with an answer
 * from the primary: the keys' reads avoid replicas not yet fresh as of now. */
void replicas_note_write(struct gw_replicas *rs, const struct gw_read_keys *keys);

/* /metrics: per replica in rotation, lag, reads served; fallbacks to the primary by reason. */
void replicas_write_metrics(struct gw_replicas *rs, struct strbuf *sb);

/* /ready: one line per replica ("replica 0: in rotation, lag 0.100 s\n"), appended to sb. */
void replicas_describe(struct gw_replicas *rs, struct strbuf *sb);

#endif
