/* clientaddr.c - the client's address for the database: socket peer or trusted X-Forwarded-For. */
#include "clientaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses one address (no block) of either family into c (bits: the full length). */
static bool
clientaddr_parse_addr(const char *s, struct gw_cidr *c)
{
	memset(c, 0, sizeof *c);
	if (inet_pton(AF_INET, s, c->addr) == 1) {
		c->family = AF_INET;
		c->bits = 32;
		return true;
	}
	if (inet_pton(AF_INET6, s, c->addr) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

		if (memcmp(c->addr, mapped, sizeof mapped) == 0) {   /* ::ffff:a.b.c.d is IPv4 */
			memmove(c->addr, c->addr + 12, 4);
			memset(c->addr + 4, 0, 12);
			c->family = AF_INET;
			c->bits = 32;
			return true;
		}
		c->family = AF_INET6;
		c->bits = 128;
		return true;
	}
	return false;
}

/* Copies [s, s+n) without surrounding blanks into buf (size GW_CLIENT_ADDR_MAX); false
 * when empty or too long for an address. */
static bool
clientaddr_trimmed(const char *s, size_t n, char *buf)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= GW_CLIENT_ADDR_MAX)
		return false;
	memmove(buf, s, n);             /* s may point into buf */
	buf[n] = '\0';
	return true;
}

/* Parses one TRUSTED_PROXIES entry, "address" or "address/bits", into c. */
static bool
clientaddr_parse_block(const char *s, size_t n, struct gw_cidr *c)
{
	char          buf[GW_CLIENT_ADDR_MAX + 4];
	char         *slash, *end;
	unsigned long bits;

	if (n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (!clientaddr_trimmed(buf, strlen(buf), buf) || !clientaddr_parse_addr(buf, c))
		return false;
	if (slash == NULL)
		return true;
	if (slash[1] < '0' || slash[1] > '9')
		return false;
	bits = strtoul(slash + 1, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0' || bits > c->bits)
		return false;
	c->bits = (unsigned) bits;
	return true;
}

int
proxies_parse(struct gw_proxies *proxies, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	memset(proxies, 0, sizeof *proxies);
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		if (strspn(p, " \t") < n) {            /* not a blank entry */
			if (proxies->count == GW_PROXIES_MAX) {
				snprintf(err, errlen, "TRUSTED_PROXIES: more than %d entries", GW_PROXIES_MAX);
				return -1;
			}
			if (!clientaddr_parse_block(p, n, &proxies->blocks[proxies->count])) {
				snprintf(err, errlen, "TRUSTED_PROXIES: entry %zu is not an address or address/bits",
				         proxies->count + 1);
				return -1;
			}
			proxies->count++;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Whether a is inside block b. */
static bool
clientaddr_in_block(const struct gw_cidr *a, const struct gw_cidr *b)
{
	unsigned full = b->bits / 8, rest = b->bits % 8;

	if (a->family != b->family || memcmp(a->addr, b->addr, full) != 0)
		return false;
	return rest == 0 || ((a->addr[full] ^ b->addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static bool
clientaddr_trusted(const struct gw_proxies *proxies, const struct gw_cidr *a)
{
	for (size_t i = 0; i < proxies->count; i++) {
		if (clientaddr_in_block(a, &proxies->blocks[i]))
			return true;
	}
	return false;
}

static void
clientaddr_format(const struct gw_cidr *a, char *out)
{
	if (inet_ntop(a->family, a->addr, out, GW_CLIENT_ADDR_MAX) == NULL)
		out[0] = '\0';
}

void
clientaddr_resolve(const struct gw_proxies *proxies, const struct sockaddr *peer,
                   const char *const *xff, size_t nxff, char *out)
{
	struct gw_cidr client;
	char           buf[GW_CLIENT_ADDR_MAX];

	out[0] = '\0';
	if (peer == NULL)
		return;
	if (peer->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *) (const void *) peer;

		if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf) == NULL)
			return;
	} else if (peer->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) (const void *) peer;

		if (inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf) == NULL)
			return;
	} else {
		return;
	}
	if (!clientaddr_parse_addr(buf, &client))
		return;
	/* right to left: each entry was appended by the hop to its right */
	for (size_t h = nxff; h > 0 && clientaddr_trusted(proxies, &client); h--) {
		const char *v = xff[h - 1] != NULL ? xff[h - 1] : "";
		size_t      end = strlen(v);

		while (end > 0 && clientaddr_trusted(proxies, &client)) {
			size_t         start = end;
			struct gw_cidr entry;

			while (start > 0 && v[start - 1] != ',')
				start--;
			if (!clientaddr_trimmed(v + start, end - start, buf) || !clientaddr_parse_addr(buf, &entry))
				goto done;
			client = entry;
			end = start > 0 ? start - 1 : 0;
		}
	}
done:
	clientaddr_format(&client, out);
}
