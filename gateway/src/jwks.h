/* jwks.h - the trusted issuers' public keys: fetched over HTTP(S), handed to the database. */
#ifndef GW_JWKS_H
#define GW_JWKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pool.h"
#include "query.h"

#define GW_JWKS_MIN_INTERVAL_S  30      /* at most one fetch per issuer this often */
#define GW_JWKS_DEFAULT_CACHE_S 300     /* when the JWKS says nothing (Better Auth) */
#define GW_JWKS_MAX_CACHE_S     86400   /* a max-age above this is cut down to it */
#define GW_JWKS_TIMEOUT_MS      5000    /* one whole fetch */
#define GW_JWKS_MAX_BYTES       (1024 * 1024)   /* a JWKS document larger than this is refused */
#define GW_JWKS_WAIT_S          7       /* a request waits this long at most for a fetch */

struct gw_jwks;

/*
 * Starts the fetcher: a thread of its own that reads the issuers with a JWKS URL from the
 * database (api.gateway_jwks_sources()), fetches each one's keys at once and again when
 * its cache lifetime is over, and stores them with api.gateway_store_jwks() as the login
 * role on a connection of pool. Every call to the curl library happens on that thread.
 * NULL when it cannot start (out of memory, curl's global set-up failed).
 */
struct gw_jwks *jwks_start(struct gw_pool *pool);

/*
 * The database refused a token with TD401 and DETAIL {"jwks_refresh": name}: the token's
 * key is not among the stored ones. Asks for that issuer's keys now, unless its last fetch
 * began less than GW_JWKS_MIN_INTERVAL_S ago (clients cannot make the gateway fetch more
 * often than that), and waits for the fetch until deadline (clock_now_us() time). An
 * issuer not in the list read last (added since) makes the list be read again first, at
 * most once a second; names the list does not have are never kept. True
 * when a fetch that ended during the call stored keys: the request is worth running once
 * more. False at once when too early; the caller answers the 401 it has.
 */
bool jwks_refresh(struct gw_jwks *jwks, const char *issuer, const char *request_id,
                  int64_t deadline);

/*
 * Whether q, a request's outcome, is a 401 for a token whose key the database does not
 * have (SQLSTATE TD401 with DETAIL {"jwks_refresh": issuer}, raised or as the api.result
 * error) and a refresh of that issuer's keys (jwks_refresh, waiting GW_JWKS_WAIT_S at most)
 * stored some: then the request is worth running once more. jwks NULL: false.
 */
bool jwks_refresh_for(struct gw_jwks *jwks, const struct gw_qresult *q, const char *request_id);

/* Stops the thread (a fetch in progress is abandoned) and wakes every waiter; jwks_refresh
 * answers false from then on. */
void jwks_stop(struct gw_jwks *jwks);

/* Frees the fetcher once stopped and no request can call it any more. NULL is fine. */
void jwks_free(struct gw_jwks *jwks);

/* --- pure helpers (unit tests) -------------------------------------------------------- */

/* The issuer name of a TD401 DETAIL {"jwks_refresh": "name"} into out: false when detail
 * is no such object (NULL, not JSON, no string, empty, longer than outlen - 1). */
bool jwks_refresh_detail(const char *detail, char *out, size_t outlen);

/* How long keys fetched with this Cache-Control header (NULL: none) may be used before
 * the next fetch, in seconds: max-age within [GW_JWKS_MIN_INTERVAL_S, GW_JWKS_MAX_CACHE_S],
 * the minimum for no-cache / no-store / max-age=0, GW_JWKS_DEFAULT_CACHE_S otherwise. */
unsigned jwks_cache_seconds(const char *cache_control);

/* Whether url may be fetched: https://, or http:// to a loopback host (127.0.0.0/8, [::1],
 * localhost), nothing else; why says why not. The address http:// connects to is checked
 * again once resolved. */
bool jwks_url_allowed(const char *url, char *why, size_t whylen);

/* Whether a numeric address (as curl reports it) is a loopback one. */
bool jwks_ip_loopback(const char *ip);

#endif
