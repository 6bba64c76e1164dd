/* memory.c - palloc and friends: every chunk is a malloc of its own (so AddressSanitizer
 * sees overflows and uses after pfree) on a list that shim_reset() frees, as a memory
 * context reset does after an error. */
#include "pgshim.h"

#include "utils/memutils.h"

typedef union chunk {
	struct {
		union chunk *prev;
		union chunk *next;
	}           link;
	max_align_t align;
} chunk;

static chunk *chunks;
static size_t live;

MemoryContext CurrentMemoryContext = NULL;

static void *
chunk_add(chunk *c)
{
	if (c == NULL) {
		fprintf(stderr, "pgshim: out of memory\n");
		abort();
	}
	c->link.prev = NULL;
	c->link.next = chunks;
	if (chunks != NULL)
		chunks->link.prev = c;
	chunks = c;
	live++;
	return c + 1;
}

static chunk *
chunk_unlink(void *p)
{
	chunk *c = (chunk *) p - 1;

	if (c->link.prev != NULL)
		c->link.prev->link.next = c->link.next;
	else
		chunks = c->link.next;
	if (c->link.next != NULL)
		c->link.next->link.prev = c->link.prev;
	live--;
	return c;
}

void *
palloc(Size size)
{
	if (size > MaxAllocSize)
		elog(ERROR, "invalid memory alloc request size %zu", size);
	return chunk_add(malloc(sizeof(chunk) + size));
}

void *
palloc0(Size size)
{
	void *p = palloc(size);

	memset(p, 0, size);
	return p;
}

void *
palloc_extended(Size size, int flags)
{
	return (flags & MCXT_ALLOC_ZERO) ? palloc0(size) : palloc(size);
}

void
pfree(void *p)
{
	free(chunk_unlink(p));
}

void *
repalloc(void *p, Size size)
{
	chunk *c;

	if (size > MaxAllocSize)
		elog(ERROR, "invalid memory alloc request size %zu", size);
	c = chunk_unlink(p);
	return chunk_add(realloc(c, sizeof(chunk) + size));
}

char *
pstrdup(const char *s)
{
	return pnstrdup(s, strlen(s));
}

char *
pnstrdup(const char *s, Size n)
{
	char *p;

	n = strnlen(s, n);
	p = palloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return palloc(size);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return palloc0(size);
}

char *
MemoryContextStrdup(MemoryContext context, const char *string)
{
	return pstrdup(string);
}

void
shim_reset(void)
{
	while (chunks != NULL) {
		chunk *c = chunks;

		chunks = c->link.next;
		free(c);
	}
	live = 0;
	memset(&shim_error, 0, sizeof shim_error);
}

size_t
shim_live_chunks(void)
{
	return live;
}
