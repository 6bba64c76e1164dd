/* freshness.c - when each user last wrote, for read-your-writes on replicas (replica.c). */
#include "freshness.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <sys/random.h>

struct gw_freshness {
	uint64_t             seed;      /* random per process: which keys share a slot is not
	                                   predictable from outside */
	_Atomic int_fast64_t slot[GW_FRESHNESS_SLOTS];
};

struct gw_freshness *
freshness_create(void)
{
	struct gw_freshness *f = calloc(1, sizeof *f);

	if (f == NULL)
		return NULL;
	if (getrandom(&f->seed, sizeof f->seed, 0) != (ssize_t) sizeof f->seed)
		f->seed = (uint64_t) (uintptr_t) f ^ 0x9e3779b97f4a7c15ULL;   /* still spreads keys */
	for (unsigned i = 0; i < GW_FRESHNESS_SLOTS; i++)
		atomic_init(&f->slot[i], 0);
	return f;
}

void
freshness_free(struct gw_freshness *f)
{
	free(f);
}

/* FNV-1a over the seed, the kind and the key, then a final mix (splitmix64's). */
static unsigned
freshness_index(const struct gw_freshness *f, char kind, const char *key)
{
	uint64_t h = 14695981039346656037ULL ^ f->seed;

	h = (h ^ (unsigned char) kind) * 1099511628211ULL;
	for (const unsigned char *p = (const unsigned char *) key; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (unsigned) (h & (GW_FRESHNESS_SLOTS - 1));
}

void
freshness_note(struct gw_freshness *f, char kind, const char *key, int64_t when_us)
{
	_Atomic int_fast64_t *slot;
	int_fast64_t          seen;

	if (f == NULL || key == NULL || *key == '\0')
		return;
	slot = &f->slot[freshness_index(f, kind, key)];
	seen = atomic_load_explicit(slot, memory_order_relaxed);
	while (seen < when_us &&
	       !atomic_compare_exchange_weak_explicit(slot, &seen, when_us, memory_order_release,
	                                              memory_order_relaxed))
		;
}

int64_t
freshness_last(struct gw_freshness *f, char kind, const char *key)
{
	if (f == NULL || key == NULL || *key == '\0')
		return 0;
	return atomic_load_explicit(&f->slot[freshness_index(f, kind, key)], memory_order_acquire);
}
