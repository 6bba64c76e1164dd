/* strbuf.h - growable, bounded byte buffer with JSON string escaping. */
#ifndef GW_STRBUF_H
#define GW_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A strbuf owns its data. Appends never write past `max` bytes of content: an append that
 * would (or that runs out of memory) marks the buffer failed and later appends do nothing,
 * so callers check once, at strbuf_steal().
 */
struct strbuf {
	char   *data;     /* owned; NUL-terminated whenever non-NULL */
	size_t  len;      /* content bytes, excluding the NUL */
	size_t  cap;      /* allocated bytes, including room for the NUL */
	size_t  max;      /* bound on len */
	bool    failed;   /* an append did not fit or malloc failed */
};

void  strbuf_init(struct strbuf *sb, size_t max);
bool  strbuf_append(struct strbuf *sb, const char *s, size_t n);
bool  strbuf_puts(struct strbuf *sb, const char *s);
bool  strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends s as a quoted JSON string. ascii_only escapes every byte >= 0x80 as \u00XX
 * (for text of unknown encoding, e.g. client paths in logs); otherwise bytes pass through. */
bool  strbuf_json_string(struct strbuf *sb, const char *s, bool ascii_only);
/* Hands the content to the caller (free() it) and resets sb; NULL if the buffer failed. */
char *strbuf_steal(struct strbuf *sb, size_t *len);
void  strbuf_free(struct strbuf *sb);

#endif
