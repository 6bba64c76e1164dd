/*
 * test_query.c - the pool and the one-transaction pipeline against a scripted fake server:
 * which connection failures are retried (only when the call certainly did not run), never
 * twice; idle connections closed by the server replaced; pool waits bounded.
 *
 * The fake server speaks just enough of the PostgreSQL protocol (v3, no authentication):
 * it answers each pipeline (everything up to a Sync) as the next scripted action says.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "pool.h"
#include "query.h"
#include "tap.h"

enum act {
	ACT_OK,             /* both statements' results, then ReadyForQuery */
	ACT_FATAL_FIRST,    /* FATAL 57P01 before anything, then close (terminated while idle) */
	ACT_IDLE_TIMEOUT,   /* FATAL 57P05 before anything, then close (idle_session_timeout) */
	ACT_POOLER_FIRST,   /* FATAL 08P01 "server conn crashed?" before anything, then close */
	ACT_EOF_FIRST,      /* close without a word */
	ACT_EOF_AFTER_CTX,  /* the context statement's result, then close */
	ACT_FATAL_AT_SYNC,  /* both results, then FATAL 57P01 in place of ReadyForQuery */
	ACT_EOF_AT_SYNC,    /* both results, then close */
	ACT_ERROR_AT_SYNC   /* both results, then ERROR 40001 (the commit failed), ReadyForQuery */
};

#define MAX_CONNS  32
#define MAX_SCRIPT 8

static struct fake {
	int             listen_fd;
	int             port;
	pthread_t       thread;
	pthread_mutex_t mu;
	int             fds[MAX_CONNS];         /* -1: free */
	int             conns;                  /* connections accepted */
	int             pipelines;              /* Syncs received */
	int             named_parses;           /* Parse messages naming a statement */
	int             named_binds;            /* Bind messages of a named statement */
	enum act        script[MAX_SCRIPT];     /* actions for the next pipelines, then ACT_OK */
	int             nscript;
	atomic_bool     kill_idle;              /* request: terminate every idle connection */
	atomic_bool     stop;
} fake;

/* --- the fake server ------------------------------------------------------------------- */

struct msg {
	char   buf[1024];
	size_t len;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	if (m->len + n <= sizeof m->buf) {
		memcpy(m->buf + m->len, p, n);
		m->len += n;
	}
}

static void
put32(struct msg *m, int32_t v)
{
	uint32_t n = htonl((uint32_t) v);

	put(m, &n, 4);
}

static void
put16(struct msg *m, int16_t v)
{
	uint16_t n = htons((uint16_t) v);

	put(m, &n, 2);
}

/* Starts a message of type t; end_msg() fills in its length. */
static size_t
begin_msg(struct msg *m, char t)
{
	size_t at;

	put(m, &t, 1);
	at = m->len;
	put32(m, 0);
	return at;
}

static void
end_msg(struct msg *m, size_t at)
{
	uint32_t n = htonl((uint32_t) (m->len - at));

	memcpy(m->buf + at, &n, 4);
}

static void
put_error(struct msg *m, const char *severity, const char *sqlstate, const char *text)
{
	size_t at = begin_msg(m, 'E');

	put(m, "S", 1);
	put(m, severity, strlen(severity) + 1);
	put(m, "V", 1);
	put(m, severity, strlen(severity) + 1);
	put(m, "C", 1);
	put(m, sqlstate, 6);
	put(m, "M", 1);
	put(m, text, strlen(text) + 1);
	put(m, "", 1);
	end_msg(m, at);
}

/* One statement's results: ParseComplete, BindComplete, RowDescription, DataRow, Complete.
 * vals[i] NULL is SQL NULL. */
static void
put_statement(struct msg *m, const char *const *names, const char *const *vals)
{
	size_t at;

	at = begin_msg(m, '1');
	end_msg(m, at);
	at = begin_msg(m, '2');
	end_msg(m, at);
	at = begin_msg(m, 'T');
	put16(m, 3);
	for (int i = 0; i < 3; i++) {
		put(m, names[i], strlen(names[i]) + 1);
		put32(m, 0);
		put16(m, 0);
		put32(m, 25);       /* text */
		put16(m, -1);
		put32(m, -1);
		put16(m, 0);
	}
	end_msg(m, at);
	at = begin_msg(m, 'D');
	put16(m, 3);
	for (int i = 0; i < 3; i++) {
		put32(m, vals[i] != NULL ? (int32_t) strlen(vals[i]) : -1);
		if (vals[i] != NULL)
			put(m, vals[i], strlen(vals[i]));
	}
	end_msg(m, at);
	at = begin_msg(m, 'C');
	put(m, "SELECT 1", 9);
	end_msg(m, at);
}

static void
put_ready(struct msg *m)
{
	size_t at = begin_msg(m, 'Z');

	put(m, "I", 1);
	end_msg(m, at);
}

static void
put_context(struct msg *m)
{
	static const char *const names[] = { "set_config", "set_config", "set_config" };
	static const char *const vals[] = { "todo_anon", "", "" };

	put_statement(m, names, vals);
}

static void
put_call(struct msg *m)
{
	static const char *const names[] = { "data", "meta", "error" };
	static const char *const vals[] = { "{\"schema_version\":\"1.1\"}", NULL, NULL };

	put_statement(m, names, vals);
}

static bool
read_full(int fd, void *p, size_t n)
{
	char *c = p;

	while (n > 0) {
		ssize_t r = read(fd, c, n);

		if (r <= 0)
			return false;
		c += r;
		n -= (size_t) r;
	}
	return true;
}

static void
fake_close(int slot)
{
	close(fake.fds[slot]);
	fake.fds[slot] = -1;
}

/* The startup packet (after an SSL request, refused): answers as a trusting server. */
static bool
fake_startup(int fd)
{
	for (;;) {
		uint32_t len, code;
		char     body[1024];
		struct msg m = { .len = 0 };
		size_t   at;

		if (!read_full(fd, &len, 4))
			return false;
		len = ntohl(len);
		if (len < 8 || len > sizeof body || !read_full(fd, body, len - 4))
			return false;
		memcpy(&code, body, 4);
		code = ntohl(code);
		if (code == 80877103 || code == 80877104) {     /* SSL or GSS encryption request */
			if (write(fd, "N", 1) != 1)
				return false;
			continue;
		}
		at = begin_msg(&m, 'R');
		put32(&m, 0);                                   /* AuthenticationOk */
		end_msg(&m, at);
		at = begin_msg(&m, 'S');
		put(&m, "server_version", 15);
		put(&m, "15.0", 5);
		end_msg(&m, at);
		at = begin_msg(&m, 'S');
		put(&m, "client_encoding", 16);
		put(&m, "UTF8", 5);
		end_msg(&m, at);
		at = begin_msg(&m, 'K');
		put32(&m, 4242);
		put32(&m, 1);
		end_msg(&m, at);
		put_ready(&m);
		return write(fd, m.buf, m.len) == (ssize_t) m.len;
	}
}

/* Reads one message; answers when it is a Sync. Returns false when the connection ends. */
static bool
fake_message(int slot)
{
	int        fd = fake.fds[slot];
	char       type;
	uint32_t   len;
	char       body[4096];
	struct msg m = { .len = 0 };
	enum act   a = ACT_OK;
	bool       keep = true;

	if (!read_full(fd, &type, 1) || !read_full(fd, &len, 4))
		return false;
	len = ntohl(len);
	if (len < 4 || len - 4 > sizeof body || !read_full(fd, body, len - 4) || type == 'X')
		return false;
	if (type == 'P' || type == 'B') {
		/* the statement's name: Parse's first string, Bind's second (after the portal's) */
		size_t at = type == 'P' ? 0 : strnlen(body, len - 4) + 1;

		if (at < len - 4 && body[at] != '\0') {
			pthread_mutex_lock(&fake.mu);
			if (type == 'P')
				fake.named_parses++;
			else
				fake.named_binds++;
			pthread_mutex_unlock(&fake.mu);
		}
	}
	if (type != 'S')
		return true;
	pthread_mutex_lock(&fake.mu);
	fake.pipelines++;
	if (fake.nscript > 0) {
		a = fake.script[0];
		memmove(fake.script, fake.script + 1, (size_t) --fake.nscript * sizeof a);
	}
	pthread_mutex_unlock(&fake.mu);
	switch (a) {
	case ACT_OK:
		put_context(&m);
		put_call(&m);
		put_ready(&m);
		break;
	case ACT_FATAL_FIRST:
		put_error(&m, "FATAL", "57P01", "terminating connection due to administrator command");
		keep = false;
		break;
	case ACT_IDLE_TIMEOUT:
		put_error(&m, "FATAL", "57P05", "terminating connection due to idle-session timeout");
		keep = false;
		break;
	case ACT_POOLER_FIRST:
		put_error(&m, "FATAL", "08P01", "server conn crashed?");
		keep = false;
		break;
	case ACT_EOF_FIRST:
		keep = false;
		break;
	case ACT_EOF_AFTER_CTX:
		put_context(&m);
		keep = false;
		break;
	case ACT_FATAL_AT_SYNC:
		put_context(&m);
		put_call(&m);
		put_error(&m, "FATAL", "57P01", "terminating connection due to administrator command");
		keep = false;
		break;
	case ACT_EOF_AT_SYNC:
		put_context(&m);
		put_call(&m);
		keep = false;
		break;
	case ACT_ERROR_AT_SYNC:
		put_context(&m);
		put_call(&m);
		put_error(&m, "ERROR", "40001", "could not serialize access");
		put_ready(&m);
		break;
	}
	if (m.len > 0 && write(fd, m.buf, m.len) != (ssize_t) m.len)
		return false;
	return keep;
}

static void *
fake_main(void *arg)
{
	(void) arg;
	while (!atomic_load(&fake.stop)) {
		struct pollfd pfd[MAX_CONNS + 1];
		int           slot[MAX_CONNS + 1];
		int           n = 0;

		if (atomic_load(&fake.kill_idle)) {
			for (int i = 0; i < MAX_CONNS; i++) {
				struct msg m = { .len = 0 };

				if (fake.fds[i] < 0)
					continue;
				put_error(&m, "FATAL", "57P01",
				          "terminating connection due to administrator command");
				if (write(fake.fds[i], m.buf, m.len) < 0)
					perror("fake server write");
				fake_close(i);
			}
			atomic_store(&fake.kill_idle, false);
		}
		pfd[n].fd = fake.listen_fd;
		pfd[n].events = POLLIN;
		slot[n++] = -1;
		for (int i = 0; i < MAX_CONNS; i++) {
			if (fake.fds[i] >= 0) {
				pfd[n].fd = fake.fds[i];
				pfd[n].events = POLLIN;
				slot[n++] = i;
			}
		}
		if (poll(pfd, (nfds_t) n, 10) <= 0)
			continue;
		for (int k = 0; k < n; k++) {
			if (pfd[k].revents == 0)
				continue;
			if (slot[k] < 0) {
				int fd = accept(fake.listen_fd, NULL, NULL);
				int i = 0;

				while (i < MAX_CONNS && fake.fds[i] >= 0)
					i++;
				if (fd < 0 || i == MAX_CONNS || !fake_startup(fd)) {
					if (fd >= 0)
						close(fd);
					continue;
				}
				fake.fds[i] = fd;
				pthread_mutex_lock(&fake.mu);
				fake.conns++;
				pthread_mutex_unlock(&fake.mu);
			} else if (!fake_message(slot[k]))
				fake_close(slot[k]);
		}
	}
	for (int i = 0; i < MAX_CONNS; i++) {
		if (fake.fds[i] >= 0)
			fake_close(i);
	}
	return NULL;
}

/* A listening socket on a free loopback port (*port). */
static int
listen_any(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0 };
	socklen_t          sl = sizeof sa;
	int                fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) != 0 || listen(fd, 16) != 0 ||
	    getsockname(fd, (struct sockaddr *) &sa, &sl) != 0) {
		perror("listen");
		exit(2);
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

static void
fake_start(void)
{
	memset(&fake, 0, sizeof fake);
	for (int i = 0; i < MAX_CONNS; i++)
		fake.fds[i] = -1;
	pthread_mutex_init(&fake.mu, NULL);
	fake.listen_fd = listen_any(&fake.port);
	if (pthread_create(&fake.thread, NULL, fake_main, NULL) != 0)
		exit(2);
}

static void
fake_stop(void)
{
	atomic_store(&fake.stop, true);
	pthread_join(fake.thread, NULL);
	close(fake.listen_fd);
	pthread_mutex_destroy(&fake.mu);
}

static void
fake_script(int n, const enum act *acts)
{
	pthread_mutex_lock(&fake.mu);
	for (int i = 0; i < n && fake.nscript < MAX_SCRIPT; i++)
		fake.script[fake.nscript++] = acts[i];
	pthread_mutex_unlock(&fake.mu);
}

static void
fake_counts(int *conns, int *pipelines)
{
	pthread_mutex_lock(&fake.mu);
	*conns = fake.conns;
	*pipelines = fake.pipelines;
	pthread_mutex_unlock(&fake.mu);
}

static void
fake_named(int *parses, int *binds)
{
	pthread_mutex_lock(&fake.mu);
	*parses = fake.named_parses;
	*binds = fake.named_binds;
	pthread_mutex_unlock(&fake.mu);
}

/* Terminates every open connection with 57P01, as pg_terminate_backend() on idle ones. */
static void
fake_kill_idle(void)
{
	atomic_store(&fake.kill_idle, true);
	while (atomic_load(&fake.kill_idle))
		usleep(1000);
	usleep(20 * 1000);      /* the parting words reach the client's socket */
}

/* --- the tests -------------------------------------------------------------------------- */

static const struct gw_call health_call = {
	.request_id = "test", .function = "api.health",
	.sql = "SELECT data, meta, error FROM api.health()",
	.role = GW_ROLE_ANON, .token = "", .user_id = "", .nargs = 0,
};

static struct gw_deadlines
deadlines_ms(int acquire_ms)
{
	int64_t             now = clock_now_us();
	struct gw_deadlines dl = { now + acquire_ms * GW_US_PER_MS, now + 2 * GW_US_PER_SEC,
		                   now + 2 * GW_US_PER_SEC };

	return dl;
}

/*
 * Runs the call with the next pipelines answered as acts say; checks its status, how many
 * pipelines the server saw and how many connections it opened for it.
 */
static void
scenario(struct gw_pool *pool, const char *name, int nacts, const enum act *acts,
         enum gw_qstatus want, int want_pipelines, int want_new_conns)
{
	struct gw_deadlines dl = deadlines_ms(1000);
	struct gw_qresult   q;
	int                 c0, p0, c1, p1;

	fake_script(nacts, acts);
	fake_counts(&c0, &p0);
	query_exec(pool, &health_call, &dl, &q);
	fake_counts(&c1, &p1);
	is_int(q.status, want, "%s: status %d", name, (int) want);
	is_int(p1 - p0, want_pipelines, "%s: %d pipeline(s) reached the server", name, want_pipelines);
	is_int(q.round_trips, want_pipelines, "%s: round trips counted", name);
	is_int(c1 - c0, want_new_conns, "%s: %d new connection(s)", name, want_new_conns);
	if (want == GW_Q_ROW)
		is_str(q.data, "{\"schema_version\":\"1.1\"}", "%s: the row", name);
	else
		ok(q.data == NULL, "%s: no row handed out", name);
	if (q.status != want)
		printf("# why: %s\n", q.why);
	query_result_clear(&q);
}

struct waiter {
	struct gw_pool     *pool;
	enum gw_pool_status status;
	PGconn             *conn;
};

static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;
	char           err[256];

	w->status = pool_acquire(w->pool, clock_now_us() + 5 * GW_US_PER_SEC, 0, false, &w->conn,
	                         err, sizeof err);
	return NULL;
}

/* A waiter that notes its turn (served_next) and gives the connection straight back. */
struct queued {
	struct gw_pool     *pool;
	enum gw_pool_status status;
	int                 turn;
	int                 hold_ms;    /* how long it keeps the connection */
};
static int             served_next;
static pthread_mutex_t served_mutex = PTHREAD_MUTEX_INITIALIZER;

static void *
queued_main(void *arg)
{
	struct queued *w = arg;
	PGconn        *conn;
	char           err[256];

	w->status = pool_acquire(w->pool, clock_now_us() + 5 * GW_US_PER_SEC, 0, false, &conn,
	                         err, sizeof err);
	if (w->status != GW_POOL_OK)
		return NULL;
	pthread_mutex_lock(&served_mutex);
	w->turn = served_next++;
	pthread_mutex_unlock(&served_mutex);
	usleep((useconds_t) w->hold_ms * 1000);
	pool_release(w->pool, conn, true);
	return NULL;
}

/* How many acquisitions wait in pool (pool_stats). */
static unsigned
waiting(struct gw_pool *pool)
{
	struct gw_pool_stats st;

	pool_stats(pool, &st);
	return st.waiting;
}

static void
test_retries(const char *url)
{
	struct gw_pool *pool = pool_create(url, 4);
	static const enum act fatal1[] = { ACT_FATAL_FIRST };
	static const enum act fatal2[] = { ACT_FATAL_FIRST, ACT_FATAL_FIRST };
	static const enum act idle1[] = { ACT_IDLE_TIMEOUT };
	static const enum act pooler[] = { ACT_POOLER_FIRST };
	static const enum act eof1[] = { ACT_EOF_FIRST };
	static const enum act eof_ctx[] = { ACT_EOF_AFTER_CTX };
	static const enum act fatal_sync[] = { ACT_FATAL_AT_SYNC };
	static const enum act eof_sync[] = { ACT_EOF_AT_SYNC };
	static const enum act err_sync[] = { ACT_ERROR_AT_SYNC };
	struct gw_deadlines dl;
	struct gw_qresult   q;

	scenario(pool, "first call", 0, NULL, GW_Q_ROW, 1, 1);
	scenario(pool, "pooled connection reused", 0, NULL, GW_Q_ROW, 1, 0);

	/* the server ended the idle connection and its words are in the socket: replaced at
	 * acquisition, the request never notices */
	fake_kill_idle();
	scenario(pool, "idle connection terminated (57P01 waiting)", 0, NULL, GW_Q_ROW, 1, 1);

	/* ... or they arrive only after the pipeline left: the call never ran, run it again */
	scenario(pool, "57P01 before any result: retried on a new connection", 1, fatal1,
	         GW_Q_ROW, 2, 1);
	scenario(pool, "57P05 (idle_session_timeout) before any result: retried", 1, idle1,
	         GW_Q_ROW, 2, 1);
	scenario(pool, "57P01 twice: retried once, never twice", 2, fatal2, GW_Q_UNAVAILABLE, 2, 1);

	dl = deadlines_ms(1000);
	fake_script(2, fatal2);
	query_exec(pool, &health_call, &dl, &q);
	ok(strstr(q.why, "57P01: terminating connection due to administrator command") != NULL,
	   "57P01 twice: the server's words are the reason logged (%s)", q.why);
	ok(q.retried, "57P01 twice: marked as retried");
	ok(!q.may_have_run, "57P01 twice: the call certainly did not run");
	query_result_clear(&q);

	/* the call may have run and committed: never run again */
	scenario(pool, "end-of-file before any result: not retried", 1, eof1, GW_Q_UNAVAILABLE, 1, 1);
	dl = deadlines_ms(1000);
	fake_script(1, eof1);
	query_exec(pool, &health_call, &dl, &q);
	ok(q.may_have_run, "end-of-file before any result: the call may have run (a write is noted)");
	query_result_clear(&q);
	scenario(pool, "a pooler's error before any result: not retried", 1, pooler,
	         GW_Q_UNAVAILABLE, 1, 1);
	scenario(pool, "lost after the context statement: not retried", 1, eof_ctx,
	         GW_Q_UNAVAILABLE, 1, 1);
	scenario(pool, "57P01 in place of the Sync: unavailable, not retried, no row", 1,
	         fatal_sync, GW_Q_UNAVAILABLE, 1, 1);
	scenario(pool, "lost before the Sync: unavailable, not retried, no row", 1, eof_sync,
	         GW_Q_UNAVAILABLE, 1, 1);

	/* the commit failed: the error, not the row; the connection stays usable */
	scenario(pool, "error at the Sync (commit failed)", 1, err_sync, GW_Q_SQL_ERROR, 1, 1);
	dl = deadlines_ms(1000);
	fake_script(1, err_sync);
	query_exec(pool, &health_call, &dl, &q);
	is_str(q.sqlstate, "40001", "error at the Sync: its SQLSTATE is the outcome");
	query_result_clear(&q);
	scenario(pool, "after a failed commit the connection is reused", 0, NULL, GW_Q_ROW, 1, 0);
	dl = deadlines_ms(1000);
	query_exec(pool, &health_call, &dl, &q);
	ok(q.may_have_run, "an answered call: it ran");
	query_result_clear(&q);

	pool_destroy(pool);
}

static void
test_waits(const char *url)
{
	struct gw_pool     *pool = pool_create(url, 1);
	PGconn             *held;
	char                err[256];
	struct gw_deadlines dl;
	struct gw_qresult   q;
	int64_t             t0;
	struct waiter       w = { .pool = pool };
	pthread_t           th;

	is_int(pool_acquire(pool, clock_now_us() + GW_US_PER_SEC, 0, false, &held, err, sizeof err),
	       GW_POOL_OK, "pool of one: the connection taken");

	/* exhausted: a request waits its acquisition deadline, then is unavailable */
	t0 = clock_now_us();
	dl = deadlines_ms(150);
	is_int(query_exec(pool, &health_call, &dl, &q), GW_Q_UNAVAILABLE,
	       "pool exhausted: unavailable once the wait is over");
	ok(clock_now_us() - t0 >= 150 * GW_US_PER_MS, "pool exhausted: it waited the full 150 ms");
	ok(strstr(q.why, "no database connection free") != NULL, "pool exhausted: the reason logged");
	is_int(q.round_trips, 0, "pool exhausted: nothing sent");
	ok(!q.may_have_run, "pool exhausted: the call did not run");
	query_result_clear(&q);

	/* a waiter gets the connection as soon as it is given back */
	pthread_create(&th, NULL, waiter_main, &w);
	usleep(50 * 1000);
	pool_release(pool, held, true);
	pthread_join(th, NULL);
	is_int(w.status, GW_POOL_OK, "a waiting request gets the released connection");
	pool_release(pool, w.conn, true);

	dl = deadlines_ms(150);
	is_int(query_exec(pool, &health_call, &dl, &q), GW_Q_ROW, "after the wait the pool serves");
	query_result_clear(&q);

	/* waiters are served in the order they came: each starts once the one before it waits */
	{
		enum { NQ = 6 };
		struct queued qs[NQ];
		pthread_t     ths[NQ];
		bool          in_order = true;

		is_int(pool_acquire(pool, clock_now_us() + GW_US_PER_SEC, 0, false, &held, err,
		                    sizeof err), GW_POOL_OK, "pool of one: taken again");
		served_next = 0;
		for (int i = 0; i < NQ; i++) {
			qs[i] = (struct queued) { .pool = pool, .status = GW_POOL_CLOSED, .turn = -1 };
			pthread_create(&ths[i], NULL, queued_main, &qs[i]);
			for (int spin = 0; waiting(pool) < (unsigned) i + 1 && spin < 5000; spin++)
				usleep(1000);
		}
		is_int((int) waiting(pool), NQ, "six requests wait, one after the other");
		pool_release(pool, held, true);
		for (int i = 0; i < NQ; i++) {
			pthread_join(ths[i], NULL);
			if (qs[i].status != GW_POOL_OK || qs[i].turn != i)
				in_order = false;
		}
		ok(in_order, "the connection goes to the waiters in the order they came (FIFO)");

		/* ... and one that comes as it is given back does not take it past them */
		is_int(pool_acquire(pool, clock_now_us() + GW_US_PER_SEC, 0, false, &held, err,
		                    sizeof err), GW_POOL_OK, "pool of one: taken once more");
		served_next = 0;
		qs[0] = (struct queued) { .pool = pool, .status = GW_POOL_CLOSED, .turn = -1,
		                          .hold_ms = 200 };
		pthread_create(&ths[0], NULL, queued_main, &qs[0]);
		for (int spin = 0; waiting(pool) < 1 && spin < 5000; spin++)
			usleep(1000);
		pool_release(pool, held, true);
		{
			enum gw_pool_status st = pool_acquire(pool, clock_now_us() + 20 * GW_US_PER_MS, 0,
			                                      false, &held, err, sizeof err);

			is_int(st, GW_POOL_TIMEOUT,
			       "a request arriving as the connection is released waits behind the waiter");
			if (st == GW_POOL_OK)
				pool_release(pool, held, true);
		}
		pthread_join(ths[0], NULL);
		is_int(qs[0].turn, 0, "... which got it");
	}

	/* a closed pool wakes and refuses */
	pool_close(pool);
	is_int(pool_acquire(pool, clock_now_us() + GW_US_PER_SEC, 0, false, &held, err, sizeof err),
	       GW_POOL_CLOSED, "a closed pool refuses");
	pool_destroy(pool);
}

static void
test_unreachable(void)
{
	char                url[256];
	int                 port;
	int                 fd = listen_any(&port);   /* bound, listening, never answering */
	struct gw_pool     *pool;
	struct gw_deadlines dl;
	struct gw_qresult   q;
	int64_t             t0;

	/* nobody listens: refused at once */
	close(fd);
	snprintf(url, sizeof url, "postgresql://u:sekret-pw@127.0.0.1:%d/db?sslmode=disable", port);
	pool = pool_create(url, 2);
	dl = deadlines_ms(1000);
	is_int(query_exec(pool, &health_call, &dl, &q), GW_Q_UNAVAILABLE, "refused: unavailable");
	ok(strstr(q.why, "refused") != NULL, "refused: libpq's reason kept (%s)", q.why);
	ok(strstr(q.why, "sekret-pw") == NULL, "refused: no password in the reason");
	query_result_clear(&q);
	pool_destroy(pool);

	/* a server that accepts and never answers (a compute waking up, a black hole): the
	 * connect deadline bounds the wait */
	fd = listen_any(&port);
	snprintf(url, sizeof url, "postgresql://u:sekret-pw@127.0.0.1:%d/db?sslmode=disable", port);
	pool = pool_create(url, 2);
	t0 = clock_now_us();
	dl = deadlines_ms(1000);
	dl.connect_by = t0 + 200 * GW_US_PER_MS;
	is_int(query_exec(pool, &health_call, &dl, &q), GW_Q_UNAVAILABLE, "silent server: unavailable");
	ok(strstr(q.why, "timed out") != NULL, "silent server: timed out (%s)", q.why);
	printf("# silent server: gave up after %.0f ms (connect deadline 200 ms)\n",
	       clock_ms_between(t0, clock_now_us()));
	query_result_clear(&q);
	pool_destroy(pool);
	close(fd);
}

/* Runs the health call once; checks it answers a row. */
static void
call_once(struct gw_pool *pool, const char *name)
{
	struct gw_deadlines dl = deadlines_ms(1000);
	struct gw_qresult   q;

	is_int(query_exec(pool, &health_call, &dl, &q), GW_Q_ROW, "%s: a row", name);
	query_result_clear(&q);
}

/*
 * Prepared statements (query.c): a connection parses the context statement and the call
 * once, by name, and afterwards only binds them; a new connection parses them again; off,
 * nothing is named.
 */
static void
test_prepared(const char *url)
{
	struct gw_pool *pool = pool_create(url, 1);
	static const enum act fatal1[] = { ACT_FATAL_FIRST };
	int             p0, b0, p1, b1;

	fake_kill_idle();
	fake_named(&p0, &b0);
	for (int i = 0; i < 3; i++)
		call_once(pool, "prepared");
	fake_named(&p1, &b1);
	is_int(p1 - p0, 2, "prepared: three calls on one connection parse both statements once");
	is_int(b1 - b0, 6, "prepared: and bind them by name each time");

	fake_script(1, fatal1);
	fake_named(&p0, &b0);
	call_once(pool, "prepared, session ended");
	fake_named(&p1, &b1);
	is_int(p1 - p0, 2, "prepared: the retry's new connection parses both statements again");
	is_int(b1 - b0, 4, "prepared: both pipelines bound them by name");

	query_use_prepared(false);
	fake_named(&p0, &b0);
	call_once(pool, "unnamed");
	fake_named(&p1, &b1);
	is_int(p1 - p0, 0, "PREPARED_STATEMENTS=off: nothing parsed by name");
	is_int(b1 - b0, 0, "PREPARED_STATEMENTS=off: nothing bound by name");
	query_use_prepared(true);
	pool_destroy(pool);
}

int
main(void)
{
	char url[256];

	log_set_level(GW_LOG_ERROR);
	fake_start();
	snprintf(url, sizeof url,
	         "postgresql://u:pw@127.0.0.1:%d/db?sslmode=disable&gssencmode=disable", fake.port);
	test_retries(url);
	test_waits(url);
	test_prepared(url);
	fake_stop();
	test_unreachable();
	return done_testing();
}
