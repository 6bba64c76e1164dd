/* strbuf.c - growable, bounded byte buffer with JSON string escaping. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
strbuf_init(struct strbuf *sb, size_t max)
{
	sb->data = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->max = max;
	sb->failed = false;
}

/* Makes room for `extra` more content bytes plus the NUL. */
static bool
strbuf_reserve(struct strbuf *sb, size_t extra)
{
	size_t need;
	size_t cap;
	char  *p;

	if (sb->failed)
		return false;
	if (extra > sb->max - sb->len) {
		sb->failed = true;
		return false;
	}
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return true;
	cap = sb->cap ? sb->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(sb->data, cap);
	if (p == NULL) {
		sb->failed = true;
		return false;
	}
	sb->data = p;
	sb->cap = cap;
	return true;
}

bool
strbuf_append(struct strbuf *sb, const char *s, size_t n)
{
	if (!strbuf_reserve(sb, n))
		return false;
	if (n > 0)
		memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
	return true;
}

bool
strbuf_puts(struct strbuf *sb, const char *s)
{
	return strbuf_append(sb, s, strlen(s));
}

bool
strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int     n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->failed = true;
		return false;
	}
	if (!strbuf_reserve(sb, (size_t) n))
		return false;
	va_start(ap, fmt);
	n = vsnprintf(sb->data + sb->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->failed = true;
		return false;
	}
	sb->len += (size_t) n;
	return true;
}

bool
strbuf_json_string(struct strbuf *sb, const char *s, bool ascii_only)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *run = p;    /* start of bytes that need no escaping */

	if (!strbuf_append(sb, "\"", 1))
		return false;
	for (; *p != '\0'; p++) {
		char esc[6];
		size_t n = 2;

		if (*p >= 0x20 && *p != '"' && *p != '\\' && !(ascii_only && *p >= 0x7f))
			continue;
		strbuf_append(sb, (const char *) run, (size_t) (p - run));
		run = p + 1;
		esc[0] = '\\';
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 0xf];
			n = 6;
			break;
		}
		strbuf_append(sb, esc, n);
	}
	strbuf_append(sb, (const char *) run, (size_t) (p - run));
	return strbuf_append(sb, "\"", 1);
}

char *
strbuf_steal(struct strbuf *sb, size_t *len)
{
	char *out = NULL;

	if (!sb->failed && strbuf_reserve(sb, 0)) {
		out = sb->data;
		if (len != NULL)
			*len = sb->len;
		sb->data = NULL;
	}
	strbuf_free(sb);
	return out;
}

void
strbuf_free(struct strbuf *sb)
{
	free(sb->data);
	strbuf_init(sb, sb->max);
}
