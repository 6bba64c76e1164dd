/* freshness.h - when each user last wrote, for read-your-writes on replicas (replica.c). */
#ifndef GW_FRESHNESS_H
#define GW_FRESHNESS_H

#include <stdint.h>

/*
 * A fixed table of last-write times (clock_now_us()), indexed by a keyed hash of a key: the
 * request's bearer token, or the user id of its path. No key is stored and nothing expires:
 * a slot holds the latest write of every key that hashes to it, so a collision only makes
 * a read wait for a write that was not its own (it goes to the primary, never to a replica
 * that has not replayed its own write), and an old time stops mattering by itself once
 * every replica in rotation has replayed past it. Memory: GW_FRESHNESS_SLOTS * 8 bytes.
 * Lock-free: a slot is one C11 atomic, raised with compare-and-swap.
 */
#define GW_FRESHNESS_SLOTS 16384u          /* a power of two */

struct gw_freshness;

/* NULL when out of memory. */
struct gw_freshness *freshness_create(void);
void freshness_free(struct gw_freshness *f);

/* Records that the holder of key (kind: 't' a token, 'u' a path user id) wrote at when_us.
 * A NULL or empty key is ignored. */
void freshness_note(struct gw_freshness *f, char kind, const char *key, int64_t when_us);

/* The latest write time recorded under key's slot, 0 when none (or key NULL / empty). */
int64_t freshness_last(struct gw_freshness *f, char kind, const char *key);

#endif
