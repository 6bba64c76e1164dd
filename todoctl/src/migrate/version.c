/* version.c - schema version strings: which are valid, and their order. */
#include "version.h"

#include <ctype.h>
#include <string.h>

bool
version_valid(const char *v)
{
	size_t len = strlen(v);

	if (len == 0 || len >= VERSION_MAX || v[0] == '-' || v[len - 1] == '-' ||
	    strstr(v, "--") != NULL)
		return false;
	for (const char *p = v; *p != '\0'; p++)
		if (!isalnum((unsigned char) *p) && *p != '.' && *p != '_' && *p != '-')
			return false;
	return true;
}

/* Whether the n bytes at s are all digits (and there is at least one). */
static bool
version_numeric(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char) s[i]))
			return false;
	return true;
}

int
version_compare(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		size_t na = strcspn(a, ".");
		size_t nb = strcspn(b, ".");
		int    c;

		if (version_numeric(a, na) && version_numeric(b, nb)) {
			/* compare by value: skip leading zeros, then the longer number is larger */
			while (na > 1 && *a == '0')
				a++, na--;
			while (nb > 1 && *b == '0')
				b++, nb--;
			c = na != nb ? (na < nb ? -1 : 1) : memcmp(a, b, na);
		} else {
			c = memcmp(a, b, na < nb ? na : nb);
			if (c == 0 && na != nb)
				c = na < nb ? -1 : 1;
		}
		if (c != 0)
			return c < 0 ? -1 : 1;
		a += na;
		b += nb;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return *a == '\0' ? (*b == '\0' ? 0 : -1) : 1;
}
