/* clientaddr.h - the client's address for the database (app.client_addr): the socket's peer,
 * or the X-Forwarded-For entry a trusted proxy vouches for (TRUSTED_PROXIES). */
#ifndef GW_CLIENTADDR_H
#define GW_CLIENTADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define GW_PROXIES_MAX     32
#define GW_CLIENT_ADDR_MAX 46      /* INET6_ADDRSTRLEN: the longest textual address, NUL included */
#define GW_XFF_HEADERS_MAX 16      /* X-Forwarded-For headers looked at (the last ones) */

/* An address block: family AF_INET or AF_INET6, the address's bytes, the prefix length. */
struct gw_cidr {
	int           family;
	unsigned char addr[16];
	unsigned      bits;
};

struct gw_proxies {
	size_t         count;
	struct gw_cidr blocks[GW_PROXIES_MAX];
};

/* Parses a comma-separated list of addresses or blocks ("10.0.0.0/8, ::1"; "" trusts
 * nobody). Returns 0, or -1 with err set (the message names no value). */
int  proxies_parse(struct gw_proxies *proxies, const char *list, char *err, size_t errlen);

/*
 * The client's address as text into out (GW_CLIENT_ADDR_MAX bytes): peer's address, unless
 * peer is a trusted proxy; then the X-Forwarded-For entries (xff[0..nxff), the headers in
 * the order received, each a comma-separated list) are walked from the right: trusted
 * proxies are skipped, the first other entry is the client. A malformed entry ends the
 * walk (what a client wrote left of it is not vouched for), keeping the last good one.
 * An IPv4-mapped IPv6 peer counts as its IPv4 address. out is "" when peer is NULL or not
 * an internet address.
 */
void clientaddr_resolve(const struct gw_proxies *proxies, const struct sockaddr *peer,
                        const char *const *xff, size_t nxff, char *out);

#endif
