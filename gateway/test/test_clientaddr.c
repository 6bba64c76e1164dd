/* test_clientaddr.c - the client's address: TRUSTED_PROXIES parsing, peer or X-Forwarded-For. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "clientaddr.h"
#include "tap.h"

static struct sockaddr_storage peer_storage;

/* A socket address for text (IPv4 or IPv6), in static storage. */
static const struct sockaddr *
peer(const char *text)
{
	memset(&peer_storage, 0, sizeof peer_storage);
	if (strchr(text, ':') == NULL) {
		struct sockaddr_in *in = (struct sockaddr_in *) (void *) &peer_storage;

		in->sin_family = AF_INET;
		(void) inet_pton(AF_INET, text, &in->sin_addr);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) (void *) &peer_storage;

		in6->sin6_family = AF_INET6;
		(void) inet_pton(AF_INET6, text, &in6->sin6_addr);
	}
	return (const struct sockaddr *) (const void *) &peer_storage;
}

/* The address resolved for a peer with these X-Forwarded-For headers under proxy list. */
static const char *
resolve(const char *list, const char *from, const char *const *xff, size_t nxff)
{
	static char       out[GW_CLIENT_ADDR_MAX];
	struct gw_proxies proxies;
	char              err[128];

	if (proxies_parse(&proxies, list, err, sizeof err) != 0)
		return "(list refused)";
	clientaddr_resolve(&proxies, from != NULL ? peer(from) : NULL, xff, nxff, out);
	return out;
}

static void
refused(const char *list, const char *why)
{
	struct gw_proxies proxies;
	char              err[128] = "";

	is_int(proxies_parse(&proxies, list, err, sizeof err), -1, "TRUSTED_PROXIES refused: %s", why);
	ok(strstr(err, "TRUSTED_PROXIES") != NULL, "... the message names the variable: %s", err);
}

int
main(void)
{
	struct gw_proxies proxies;
	char              err[128];
	char              many[32 * 12 + 16] = "";

	/* parsing */
	is_int(proxies_parse(&proxies, "", err, sizeof err), 0, "an empty list parses");
	is_int((int) proxies.count, 0, "... and trusts nobody");
	is_int(proxies_parse(&proxies, " 10.0.0.0/8 , ::1, 192.0.2.7,2001:db8::/32 ", err, sizeof err), 0,
	       "addresses and blocks of both families, with blanks, parse");
	is_int((int) proxies.count, 4, "... four entries");
	is_int(proxies_parse(&proxies, "10.0.0.1,,", err, sizeof err), 0, "empty entries are skipped");
	refused("10.0.0.1/33", "an IPv4 prefix over 32");
	refused("::1/129", "an IPv6 prefix over 128");
	refused("10.0.0.1/", "a slash without a length");
	refused("10.0.0.1/8x", "a length with garbage");
	refused("localhost", "a host name");
	refused("10.0.0.256", "a bad IPv4 address");
	for (int i = 0; i < 33; i++)
		strcat(many, "10.0.0.1,");
	refused(many, "33 entries");

	/* no trusted proxy: the peer, whatever X-Forwarded-For says */
	{
		const char *xff[] = { "203.0.113.5" };

		is_str(resolve("", "198.51.100.1", xff, 1), "198.51.100.1", "untrusted peer: its own address");
		is_str(resolve("10.0.0.0/8", "198.51.100.1", xff, 1), "198.51.100.1",
		       "a peer outside the trusted blocks: its own address");
		is_str(resolve("", "2001:db8::7", NULL, 0), "2001:db8::7", "an IPv6 peer");
		is_str(resolve("", "::ffff:192.0.2.9", NULL, 0), "192.0.2.9", "an IPv4-mapped IPv6 peer counts as IPv4");
		is_str(resolve("", NULL, NULL, 0), "", "no peer: unknown");
	}
	/* a trusted proxy */
	{
		const char *one[] = { "203.0.113.5" };
		const char *spoofed[] = { "1.1.1.1, 203.0.113.5" };
		const char *chain[] = { "1.1.1.1, 203.0.113.5, 10.0.0.2" };
		const char *headers[] = { "1.1.1.1", "203.0.113.5, 10.1.2.3" };
		const char *garbage[] = { "203.0.113.5, not-an-ip, 10.0.0.9" };
		const char *blank[] = { "" };
		const char *v6[] = { " 2001:db8:1::42 " };
		const char *all_trusted[] = { "10.0.0.3, 10.0.0.2" };

		is_str(resolve("10.0.0.0/8", "10.0.0.1", one, 1), "203.0.113.5", "trusted peer: the client it names");
		is_str(resolve("10.0.0.0/8", "10.0.0.1", spoofed, 1), "203.0.113.5",
		       "what the client itself wrote in X-Forwarded-For (left) is ignored: the rightmost entry");
		is_str(resolve("10.0.0.0/8", "10.0.0.1", chain, 1), "203.0.113.5",
		       "a chain of trusted proxies: the first untrusted entry from the right");
		is_str(resolve("10.0.0.0/8", "10.0.0.1", headers, 2), "203.0.113.5",
		       "several X-Forwarded-For headers are read as one list, in order");
		is_str(resolve("10.0.0.0/8", "10.0.0.1", garbage, 1), "10.0.0.9",
		       "a malformed entry ends the walk: the last good (trusted) one");
		is_str(resolve("10.0.0.0/8", "10.0.0.1", blank, 1), "10.0.0.1", "an empty header: the proxy itself");
		is_str(resolve("10.0.0.0/8", "10.0.0.1", NULL, 0), "10.0.0.1", "no header: the proxy itself");
		is_str(resolve("10.0.0.0/8", "10.0.0.1", v6, 1), "2001:db8:1::42", "an IPv6 client, blanks trimmed");
		is_str(resolve("10.0.0.0/8", "10.0.0.1", all_trusted, 1), "10.0.0.3",
		       "only trusted entries: the leftmost");
		is_str(resolve("127.0.0.1", "127.0.0.1", one, 1), "203.0.113.5", "a single trusted address (no block)");
		is_str(resolve("::1", "::1", one, 1), "203.0.113.5", "a trusted IPv6 proxy");
		is_str(resolve("10.0.0.0/31", "10.0.0.2", one, 1), "10.0.0.2", "a block's bits are honoured (/31)");
		is_str(resolve("10.0.0.0/31", "10.0.0.1", one, 1), "203.0.113.5", "... both of its addresses");
	}
	return done_testing();
}
