/*
 * jwks.c - the trusted issuers' public keys (docs/better-auth.md, docs/security.md).
 *
 * The database verifies external tokens (Better Auth's EdDSA, ES256, RS256...) with the
 * keys it holds per issuer, and it cannot make HTTP requests: fetching the keys is this
 * file's job. One thread of its own fetches every issuer's JWKS at start, again when the
 * document's Cache-Control lifetime is over, and when a request's token names a key the
 * database does not know (TD401 with DETAIL {"jwks_refresh": name}; at most once per
 * GW_JWKS_MIN_INTERVAL_S per issuer, whatever clients send). The keys go to the database
 * with api.gateway_store_jwks(), which only the gateway's login role may call; the request
 * roles never can. A fetch that fails keeps the keys the database has (the last good ones).
 *
 * Limits that keep clients from using this against us: fetches happen on this thread
 * only, one at a time, each bounded (GW_JWKS_TIMEOUT_MS, GW_JWKS_MAX_BYTES, no redirect);
 * a request waits for a fetch at most until its deadline; URLs are https, or http to a
 * loopback address only (checked on the URL and again on the address connected to).
 */
#include "jwks.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "log.h"
#include "query.h"

#define JWKS_MAX_ISSUERS     64     /* issuers known at once (names come from the database) */
#define JWKS_NAME_MAX        128
#define JWKS_SOURCES_EVERY_S 60     /* the issuer list is read again this often */
#define JWKS_SOURCES_AGAIN_MS 1000  /* and on a request's demand, at most this often */
#define JWKS_CONNECT_MS      2000
#define JWKS_MAX_BACKOFF_S   900    /* failed fetches are retried 30, 60, ... up to this */
#define JWKS_DB_TIMEOUT_S    10

struct jwks_issuer {
	char     name[JWKS_NAME_MAX];
	char    *url;           /* from the last issuer list; NULL: not listed (now) */
	int64_t  next_due;      /* the next scheduled fetch (0: none) */
	int64_t  last_start;    /* when the last fetch began (0: never) */
	bool     wanted;        /* a request asked for a fetch */
	bool     fetching;
	uint64_t done;          /* fetches (or refusals to fetch) finished */
	bool     stored;        /* the last one stored keys */
	unsigned failures;      /* failed fetches in a row */
};

struct gw_jwks {
	struct gw_pool    *pool;
	pthread_t          thread;
	pthread_mutex_t    mu;
	pthread_cond_t     wake;        /* the thread: work, or stop */
	pthread_cond_t     finished;    /* waiters: a fetch ended */
	atomic_bool        stopping;
	bool               joined;
	bool               sources_missing_logged;
	bool               sources_wanted;  /* a request names an issuer not in the list */
	uint64_t           sources_reads;   /* issuer lists read so far */
	int64_t            sources_read_at; /* when the last one was read */
	int64_t            sources_due;
	size_t             n;
	struct jwks_issuer issuers[JWKS_MAX_ISSUERS];
};

/* --- pure helpers --------------------------------------------------------------------- */

bool
jwks_refresh_detail(const char *detail, char *out, size_t outlen)
{
	json_t     *root = detail != NULL ? json_loads(detail, 0, NULL) : NULL;
	const char *name = json_string_value(json_object_get(root, "jwks_refresh"));
	bool        ok = name != NULL && *name != '\0' && strlen(name) < outlen;

	if (ok)
		memcpy(out, name, strlen(name) + 1);
	json_decref(root);
	return ok;
}

/* The value of directive name (lower case) in a Cache-Control list: its position after
 * "name", or NULL. Directives are separated by commas, names compared without case. */
static const char *
jwks_directive(const char *cc, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = cc; p != NULL && *p != '\0';) {
		p += strspn(p, " \t,");
		if (strncasecmp(p, name, len) == 0 && strchr(" \t,=", p[len]) != NULL)
			return p + len;
		p = strchr(p, ',');
	}
	return NULL;
}

unsigned
jwks_cache_seconds(const char *cache_control)
{
	const char   *v;
	unsigned long secs = 0;

	if (cache_control == NULL)
		return GW_JWKS_DEFAULT_CACHE_S;
	if (jwks_directive(cache_control, "no-store") != NULL ||
	    jwks_directive(cache_control, "no-cache") != NULL)
		return GW_JWKS_MIN_INTERVAL_S;
	v = jwks_directive(cache_control, "max-age");
	if (v == NULL || *(v += strspn(v, " \t")) != '=')
		return GW_JWKS_DEFAULT_CACHE_S;
	v++;
	v += strspn(v, " \t");
	v += *v == '"';
	if (*v < '0' || *v > '9')
		return GW_JWKS_DEFAULT_CACHE_S;
	for (; *v >= '0' && *v <= '9'; v++)
		if ((secs = secs * 10 + (unsigned long) (*v - '0')) > GW_JWKS_MAX_CACHE_S)
			return GW_JWKS_MAX_CACHE_S;     /* also stops any overflow */
	return secs < GW_JWKS_MIN_INTERVAL_S ? GW_JWKS_MIN_INTERVAL_S : (unsigned) secs;
}

bool
jwks_ip_loopback(const char *ip)
{
	struct in_addr  a4;
	struct in6_addr a6;

	if (ip == NULL)
		return false;
	if (inet_pton(AF_INET, ip, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, ip, &a6) != 1)
		return false;
	if (IN6_IS_ADDR_LOOPBACK(&a6))
		return true;
	return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
}

bool
jwks_url_allowed(const char *url, char *why, size_t whylen)
{
	CURLU *u = curl_url();
	char  *scheme = NULL, *host = NULL;
	bool   ok = false;

	if (u == NULL) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		snprintf(why, whylen, "not a URL");
	else if (strcmp(scheme, "https") == 0)
		ok = true;
	else if (strcmp(scheme, "http") != 0)
		snprintf(why, whylen, "neither https nor http");
	else if (strcasecmp(host, "localhost") == 0 || jwks_ip_loopback(host) ||
	         (host[0] == '[' && strcmp(host, "[::1]") == 0))
		ok = true;
	else
		snprintf(why, whylen, "http is allowed on loopback addresses only");
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* --- one fetch ------------------------------------------------------------------------ */

struct jwks_fetch {
	struct gw_jwks *jwks;
	bool            loopback_only;
	char           *body;
	size_t          len;
	bool            too_big;
	bool            not_loopback;
	char            cache_control[512];
	bool            has_cache_control;
};

static size_t
jwks_on_body(char *data, size_t size, size_t n, void *arg)
{
	struct jwks_fetch *f = arg;
	size_t             bytes = size * n;
	char              *grown;

	if (bytes > GW_JWKS_MAX_BYTES - f->len) {
		f->too_big = true;
		return 0;       /* curl stops with CURLE_WRITE_ERROR */
	}
	grown = realloc(f->body, f->len + bytes + 1);
	if (grown == NULL)
		return 0;
	f->body = grown;
	memcpy(f->body + f->len, data, bytes);
	f->len += bytes;
	f->body[f->len] = '\0';
	return bytes;
}

/* Keeps the Cache-Control header lines' values, joined with commas. */
static size_t
jwks_on_header(char *line, size_t size, size_t n, void *arg)
{
	static const char  name[] = "cache-control:";
	struct jwks_fetch *f = arg;
	size_t             bytes = size * n, len, used;

	if (bytes <= sizeof name - 1 || strncasecmp(line, name, sizeof name - 1) != 0)
		return bytes;
	line += sizeof name - 1;
	len = bytes - (sizeof name - 1);
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
		len--;
	used = strlen(f->cache_control);
	snprintf(f->cache_control + used, sizeof f->cache_control - used, "%s%.*s",
	         f->has_cache_control ? "," : "", (int) len, line);
	f->has_cache_control = true;
	return bytes;
}

/* Before the request is sent: http may only have connected to a loopback address. */
static int
jwks_on_connected(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
	struct jwks_fetch *f = arg;

	(void) local_ip;
	(void) primary_port;
	(void) local_port;
	if (f->loopback_only && !jwks_ip_loopback(primary_ip)) {
		f->not_loopback = true;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

/* Shutdown abandons a fetch in progress. */
static int
jwks_on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                 curl_off_t ulnow)
{
	struct jwks_fetch *f = arg;

	(void) dltotal;
	(void) dlnow;
	(void) ultotal;
	(void) ulnow;
	return atomic_load(&f->jwks->stopping) ? 1 : 0;
}

/* GETs url into f (body, Cache-Control). 0, or -1 with why set. */
static int
jwks_get(const char *url, struct jwks_fetch *f, char *why, size_t whylen)
{
	CURL    *c;
	CURLcode rc;
	long     status = 0;
	char     err[CURL_ERROR_SIZE] = "";

	if (!jwks_url_allowed(url, why, whylen))
		return -1;
	f->loopback_only = strncasecmp(url, "http:", 5) == 0;
	c = curl_easy_init();
	if (c == NULL) {
		snprintf(why, whylen, "cannot create a curl handle");
		return -1;
	}
	if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long) GW_JWKS_TIMEOUT_MS) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long) JWKS_CONNECT_MS) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) GW_JWKS_MAX_BYTES) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "todo-gateway") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, jwks_on_body) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, f) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, jwks_on_header) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERDATA, f) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, jwks_on_connected) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PREREQDATA, f) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, jwks_on_progress) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_XFERINFODATA, f) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) != CURLE_OK ||
	    /* a proxy would be the address connected to: loopback http never goes through one */
	    (f->loopback_only && curl_easy_setopt(c, CURLOPT_NOPROXY, "*") != CURLE_OK)) {
		snprintf(why, whylen, "cannot set up curl");
		curl_easy_cleanup(c);
		return -1;
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK && curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
		status = 0;
	curl_easy_cleanup(c);
	if (f->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(why, whylen, "the document is larger than %d bytes", GW_JWKS_MAX_BYTES);
	else if (f->not_loopback)
		snprintf(why, whylen, "http resolved to an address that is not loopback");
	else if (rc != CURLE_OK)
		snprintf(why, whylen, "%s", err[0] != '\0' ? err : curl_easy_strerror(rc));
	else if (status != 200)
		snprintf(why, whylen, "HTTP status %ld", status);
	else if (f->body == NULL)
		snprintf(why, whylen, "an empty answer");
	else
		return 0;
	return -1;
}

/* --- the database --------------------------------------------------------------------- */

/* One call as the gateway's login role (the context statement resets the role), its one
 * text value into *out (malloc'd). 0; 1 when the function is not there or not ours to
 * call (a schema without trusted issuers); -1 otherwise; why says why. */
static int
jwks_db(struct gw_jwks *j, const char *function, const char *sql, int nargs, const char *a0,
        const char *a1, char **out, char *why, size_t whylen)
{
	struct gw_call      call = {
		.request_id = NULL, .function = function, .sql = sql, .role = "none",
		.token = "", .user_id = "", .nargs = nargs, .args = { a0, a1 },
	};
	int64_t             now = clock_now_us();
	struct gw_deadlines dl = { now + JWKS_DB_TIMEOUT_S * GW_US_PER_SEC, 0,
	                           now + JWKS_DB_TIMEOUT_S * GW_US_PER_SEC };
	struct gw_qresult   q;
	int                 rc = -1;

	*out = NULL;
	switch (query_exec(j->pool, &call, &dl, &q)) {
	case GW_Q_ROW:
		if (q.data == NULL || (*out = strdup(q.data)) == NULL)
			snprintf(why, whylen, "%s returned nothing", function);
		else
			rc = 0;
		break;
	case GW_Q_SQL_ERROR:
		snprintf(why, whylen, "%s: SQLSTATE %s: %s", function,
		         q.sqlstate != NULL ? q.sqlstate : "(none)", q.message != NULL ? q.message : "");
		/* no such function, schema, or right: a schema older than trusted issuers */
		if (q.sqlstate != NULL && (strcmp(q.sqlstate, "42883") == 0 ||
		                           strcmp(q.sqlstate, "3F000") == 0 ||
		                           strcmp(q.sqlstate, "42501") == 0))
			rc = 1;
		break;
	case GW_Q_UNAVAILABLE:
	case GW_Q_INTERNAL:
	case GW_Q_STREAM:           /* never: its calls are not streamed */
		snprintf(why, whylen, "%s: %s", function, q.why);
		break;
	}
	query_result_clear(&q);
	return rc;
}

static struct jwks_issuer *
jwks_find(struct gw_jwks *j, const char *name)
{
	for (size_t i = 0; i < j->n; i++)
		if (strcmp(j->issuers[i].name, name) == 0)
			return &j->issuers[i];
	return NULL;
}

/* Finds or adds name (locked). NULL when the table is full or the name too long. */
static struct jwks_issuer *
jwks_slot(struct gw_jwks *j, const char *name)
{
	struct jwks_issuer *e = jwks_find(j, name);

	if (e != NULL || j->n == JWKS_MAX_ISSUERS || strlen(name) >= JWKS_NAME_MAX)
		return e;
	e = &j->issuers[j->n++];
	memset(e, 0, sizeof *e);
	memcpy(e->name, name, strlen(name) + 1);
	return e;
}

/* Reads the issuers with a JWKS URL (called unlocked; locks to update the table). A newly
 * listed issuer is due at once; one no longer listed loses its URL and schedule. */
static void
jwks_read_sources(struct gw_jwks *j)
{
	char    why[512];
	char   *text;
	json_t *list;
	size_t  i;
	json_t *row;
	int     rc = jwks_db(j, "api.gateway_jwks_sources",
	                     "SELECT coalesce(json_agg(json_build_object('name', name, 'url', jwks_url)), "
	                     "'[]')::text, NULL, NULL FROM api.gateway_jwks_sources() "
	                     "WHERE jwks_url IS NOT NULL", 0, NULL, NULL, &text, why, sizeof why);

	if (rc != 0) {
		if (rc < 0 || !j->sources_missing_logged)
			log_msg(rc < 0 ? GW_LOG_WARN : GW_LOG_INFO, NULL, "jwks: cannot read the trusted "
			        "issuers: %s%s", why, rc > 0 ? " (a schema without them: none used)" : "");
		j->sources_missing_logged = rc > 0;
		return;
	}
	j->sources_missing_logged = false;
	list = json_loads(text, 0, NULL);
	free(text);
	pthread_mutex_lock(&j->mu);
	for (i = 0; i < j->n; i++) {
		free(j->issuers[i].url);
		j->issuers[i].url = NULL;
	}
	json_array_foreach(list, i, row) {
		const char         *name = json_string_value(json_object_get(row, "name"));
		const char         *url = json_string_value(json_object_get(row, "url"));
		struct jwks_issuer *e = name != NULL && url != NULL ? jwks_slot(j, name) : NULL;

		if (e == NULL) {
			log_msg(GW_LOG_WARN, NULL, "jwks: issuer %.128s ignored (more than %d issuers, "
			        "or its name is too long)", name != NULL ? name : "?", JWKS_MAX_ISSUERS);
			continue;
		}
		e->url = strdup(url);
		if (e->next_due == 0)
			e->next_due = clock_now_us();
	}
	for (i = 0; i < j->n; i++)
		if (j->issuers[i].url == NULL)
			j->issuers[i].next_due = 0;
	pthread_mutex_unlock(&j->mu);
	json_decref(list);
}

/* Fetches url and stores its keys as issuer name's. Returns how many were stored (-1 on
 * failure, logged); *cache_s is how long they may be used. */
static int
jwks_fetch_store(struct gw_jwks *j, const char *name, const char *url, unsigned *cache_s)
{
	struct jwks_fetch f;
	char              why[512];
	char             *count = NULL;
	json_t           *doc;
	json_error_t      jerr;
	int               stored = -1;

	memset(&f, 0, sizeof f);
	f.jwks = j;
	*cache_s = GW_JWKS_DEFAULT_CACHE_S;
	if (jwks_get(url, &f, why, sizeof why) == 0) {
		*cache_s = jwks_cache_seconds(f.has_cache_control ? f.cache_control : NULL);
		/* the database checks every key; this only spares it what is not a JWKS at all */
		doc = json_loadb(f.body, f.len, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_array(json_object_get(doc, "keys")))
			snprintf(why, sizeof why, "not a JWKS document (%s)",
			         doc == NULL ? jerr.text : "no \"keys\" array");
		else if (jwks_db(j, "api.gateway_store_jwks",
		                 "SELECT api.gateway_store_jwks($1, $2::jsonb)::text, NULL, NULL",
		                 2, name, f.body, &count, why, sizeof why) == 0)
			stored = atoi(count);
		json_decref(doc);
	}
	if (stored >= 0)
		log_msg(GW_LOG_INFO, NULL, "jwks: issuer %s: %d keys stored (%zu bytes, Cache-Control "
		        "%s), next fetch in %u s", name, stored, f.len,
		        f.has_cache_control ? f.cache_control : "none", *cache_s);
	else
		log_msg(GW_LOG_WARN, NULL, "jwks: issuer %s: keys not refreshed, the database keeps "
		        "its last good ones: %s", name, why);
	free(count);
	free(f.body);
	return stored;
}

/* --- the thread ----------------------------------------------------------------------- */

static struct timespec
jwks_abstime(int64_t deadline_us)
{
	struct timespec ts;

	ts.tv_sec = (time_t) (deadline_us / GW_US_PER_SEC);
	ts.tv_nsec = (long) (deadline_us % GW_US_PER_SEC) * 1000L;
	return ts;
}

/* The issuer to fetch now (locked): one a request wants, else one whose keys are due. */
static struct jwks_issuer *
jwks_next(struct gw_jwks *j, int64_t now, int64_t *wake_at)
{
	struct jwks_issuer *due = NULL;

	*wake_at = j->sources_due;
	if (j->sources_wanted && j->sources_read_at + JWKS_SOURCES_AGAIN_MS * GW_US_PER_MS < *wake_at)
		*wake_at = j->sources_read_at + JWKS_SOURCES_AGAIN_MS * GW_US_PER_MS;
	for (size_t i = 0; i < j->n; i++) {
		struct jwks_issuer *e = &j->issuers[i];

		if (e->wanted && e->url != NULL)
			return e;
		if (e->url != NULL && e->next_due != 0 && e->next_due <= now && due == NULL)
			due = e;
		else if (e->url != NULL && e->next_due != 0 && e->next_due < *wake_at)
			*wake_at = e->next_due;
	}
	return due;
}

/* Requests for issuers that are not (or no longer) listed end unanswered (locked). */
static void
jwks_drop_unlisted(struct gw_jwks *j)
{
	for (size_t i = 0; i < j->n; i++) {
		struct jwks_issuer *e = &j->issuers[i];

		if (e->wanted && e->url == NULL) {
			e->wanted = false;
			e->stored = false;
			e->done++;
			pthread_cond_broadcast(&j->finished);
		}
	}
}

static void *
jwks_thread(void *arg)
{
	struct gw_jwks *j = arg;

	pthread_mutex_lock(&j->mu);
	while (!atomic_load(&j->stopping)) {
		int64_t             now = clock_now_us(), wake_at;
		struct jwks_issuer *e;
		char               *url, name[JWKS_NAME_MAX];
		unsigned            cache_s;
		int                 stored;

		if (j->sources_due <= now ||
		    (j->sources_wanted && now - j->sources_read_at >= JWKS_SOURCES_AGAIN_MS * GW_US_PER_MS)) {
			j->sources_wanted = false;
			pthread_mutex_unlock(&j->mu);
			jwks_read_sources(j);
			pthread_mutex_lock(&j->mu);
			j->sources_read_at = clock_now_us();
			j->sources_due = j->sources_read_at + JWKS_SOURCES_EVERY_S * GW_US_PER_SEC;
			j->sources_reads++;
			jwks_drop_unlisted(j);
			pthread_cond_broadcast(&j->finished);
			continue;
		}
		e = jwks_next(j, now, &wake_at);
		if (e == NULL) {
			struct timespec ts = jwks_abstime(wake_at);

			pthread_cond_timedwait(&j->wake, &j->mu, &ts);
			continue;
		}
		url = strdup(e->url);
		memcpy(name, e->name, sizeof name);
		e->wanted = false;
		e->fetching = true;
		e->last_start = now;
		pthread_mutex_unlock(&j->mu);
		stored = url != NULL ? jwks_fetch_store(j, name, url, &cache_s) : -1;
		free(url);
		pthread_mutex_lock(&j->mu);
		now = clock_now_us();
		e->fetching = false;
		e->stored = stored >= 0;
		e->done++;
		if (stored >= 0) {
			e->failures = 0;
			e->next_due = now + (int64_t) cache_s * GW_US_PER_SEC;
		} else {
			int64_t backoff = (int64_t) GW_JWKS_MIN_INTERVAL_S << (e->failures < 5 ? e->failures : 5);

			e->failures++;
			e->next_due = now + (backoff < JWKS_MAX_BACKOFF_S ? backoff : JWKS_MAX_BACKOFF_S) *
			                    GW_US_PER_SEC;
		}
		if (e->url == NULL)
			e->next_due = 0;    /* removed while fetching */
		pthread_cond_broadcast(&j->finished);
	}
	jwks_drop_unlisted(j);
	pthread_cond_broadcast(&j->finished);
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* --- the interface -------------------------------------------------------------------- */

struct gw_jwks *
jwks_start(struct gw_pool *pool)
{
	struct gw_jwks    *j;
	pthread_condattr_t attr;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	j = calloc(1, sizeof *j);
	if (j == NULL) {
		curl_global_cleanup();
		return NULL;
	}
	j->pool = pool;
	atomic_init(&j->stopping, false);
	/* the condition variables wait on clock_now_us()'s clock */
	if (pthread_condattr_init(&attr) != 0) {
		free(j);
		curl_global_cleanup();
		return NULL;
	}
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
	    pthread_mutex_init(&j->mu, NULL) != 0) {
		pthread_condattr_destroy(&attr);
		free(j);
		curl_global_cleanup();
		return NULL;
	}
	if (pthread_cond_init(&j->wake, &attr) != 0 || pthread_cond_init(&j->finished, &attr) != 0 ||
	    pthread_create(&j->thread, NULL, jwks_thread, j) != 0) {
		/* cannot happen on Linux with these attributes; leak nothing anyway */
		pthread_condattr_destroy(&attr);
		pthread_mutex_destroy(&j->mu);
		free(j);
		curl_global_cleanup();
		return NULL;
	}
	pthread_condattr_destroy(&attr);
	return j;
}

bool
jwks_refresh(struct gw_jwks *j, const char *issuer, const char *request_id, int64_t deadline)
{
	struct jwks_issuer *e;
	uint64_t            seen;
	bool                stored;
	int64_t             now = clock_now_us();

	if (j == NULL)
		return false;
	pthread_mutex_lock(&j->mu);
	if (atomic_load(&j->stopping)) {
		pthread_mutex_unlock(&j->mu);
		return false;
	}
	/* Only the issuer list makes slots (jwks_read_sources). A name not in it may be an
	 * issuer added since it was read: have it read again (the thread does so at most once
	 * a second) and wait for that. */
	e = jwks_find(j, issuer);
	if (e == NULL || e->url == NULL) {
		uint64_t reads = j->sources_reads;

		j->sources_wanted = true;
		pthread_cond_signal(&j->wake);
		while (j->sources_reads == reads && !atomic_load(&j->stopping) &&
		       clock_now_us() < deadline) {
			struct timespec ts = jwks_abstime(deadline);

			pthread_cond_timedwait(&j->finished, &j->mu, &ts);
		}
		e = jwks_find(j, issuer);
	}
	if (e == NULL || e->url == NULL || atomic_load(&j->stopping)) {
		pthread_mutex_unlock(&j->mu);
		return false;
	}
	now = clock_now_us();
	if (!e->fetching && !e->wanted) {
		if (e->last_start != 0 && now - e->last_start < GW_JWKS_MIN_INTERVAL_S * GW_US_PER_SEC) {
			pthread_mutex_unlock(&j->mu);
			log_msg(GW_LOG_DEBUG, request_id, "jwks: issuer %s: unknown key, but its keys were "
			        "fetched less than %d s ago: not again", issuer, GW_JWKS_MIN_INTERVAL_S);
			return false;
		}
		e->wanted = true;
		pthread_cond_signal(&j->wake);
	}
	seen = e->done;
	while (e->done == seen && !atomic_load(&j->stopping) && clock_now_us() < deadline) {
		struct timespec ts = jwks_abstime(deadline);

		pthread_cond_timedwait(&j->finished, &j->mu, &ts);
	}
	stored = e->done != seen && e->stored;
	pthread_mutex_unlock(&j->mu);
	return stored;
}

bool
jwks_refresh_for(struct gw_jwks *j, const struct gw_qresult *q, const char *request_id)
{
	char        issuer[JWKS_NAME_MAX];
	const char *detail = NULL;
	char       *dumped = NULL;
	bool        wanted;

	if (j == NULL)
		return false;
	if (q->status == GW_Q_SQL_ERROR && q->sqlstate != NULL && strcmp(q->sqlstate, "TD401") == 0)
		detail = q->detail;
	else if (q->status == GW_Q_ROW && q->error != NULL) {
		json_t     *err = json_loads(q->error, 0, NULL);
		const char *sqlstate = json_string_value(json_object_get(err, "sqlstate"));

		if (sqlstate != NULL && strcmp(sqlstate, "TD401") == 0)
			detail = dumped = json_dumps(json_object_get(err, "detail"), JSON_COMPACT);
		json_decref(err);
	}
	wanted = jwks_refresh_detail(detail, issuer, sizeof issuer);
	free(dumped);
	return wanted && jwks_refresh(j, issuer, request_id,
	                              clock_now_us() + GW_JWKS_WAIT_S * GW_US_PER_SEC);
}

void
jwks_stop(struct gw_jwks *j)
{
	if (j == NULL || j->joined)
		return;
	pthread_mutex_lock(&j->mu);
	atomic_store(&j->stopping, true);
	pthread_cond_broadcast(&j->wake);
	pthread_cond_broadcast(&j->finished);
	pthread_mutex_unlock(&j->mu);
	pthread_join(j->thread, NULL);
	j->joined = true;
}

void
jwks_free(struct gw_jwks *j)
{
	if (j == NULL)
		return;
	jwks_stop(j);
	for (size_t i = 0; i < j->n; i++)
		free(j->issuers[i].url);
	pthread_cond_destroy(&j->wake);
	pthread_cond_destroy(&j->finished);
	pthread_mutex_destroy(&j->mu);
	free(j);
	curl_global_cleanup();
}
