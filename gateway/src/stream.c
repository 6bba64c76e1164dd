/* stream.c - the streamed list: the envelope around api.task_list_rows's rows, sent as the
 * database hands them over (a libmicrohttpd callback response, chunked). */
#include "stream.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "request.h"

/*
 * The body is what response_envelope() writes for the same data and meta, byte for byte:
 * {"status":200,"data":[T1, T2, ...],"meta":M,"error":null}, the tasks separated by ", "
 * as json_agg separates them (api.task_list's data), so that a streamed list and the same
 * list as one value are the same bytes (test/suites/biglist.sh).
 */
static const char stream_head[] = "{\"status\":200,\"data\":[";
static const char stream_sep[] = ", ";
static const char stream_meta[] = "],\"meta\":";
static const char stream_tail[] = ",\"error\":null}";

enum stream_state {
	STREAM_HEAD,        /* nothing sent yet */
	STREAM_ROWS,        /* tasks, until the meta row */
	STREAM_END,         /* the meta row read: the end of the rows and the commit next */
	STREAM_CLOSING,     /* committed: the meta and the closing */
	STREAM_DONE         /* all sent */
};

/* A piece of the body not yet (wholly) copied out: borrowed, from a literal or st->row. */
struct stream_piece {
	const char *p;
	size_t      n;
};

struct gw_stream {
	struct gw_qresult   q;          /* the held connection, the call's deadline */
	PGresult           *row;        /* the row at hand (its task may be in pending) */
	bool                row_sent;   /* row's task is in pending: clear it before the next */
	enum stream_state   state;
	bool                first;      /* no task sent yet: no separator */
	struct stream_piece pending[3]; /* sent in order */
	unsigned            npending;
	unsigned            next;       /* index in pending */
	char                meta[GW_STREAM_META_MAX + 1];
	size_t              meta_len;
	unsigned long       rows;
	char                request_id[GW_REQUEST_ID_MAX + 1];
	/* a call that may write: stamped in rs at the commit (NULL: nothing to stamp) */
	struct gw_replicas *rs;
	char               *token;      /* owned copies of the read keys */
	char               *user_id;
	/* the watchdog's (under stream_lock): the client's socket, while the body is sent */
	int                 fd;
	bool                watched;
	bool                shut;
	struct gw_stream   *prev;
	struct gw_stream   *next_watched;
	/* read ahead by stream_collect, sent before the rest (owned) */
	char               *ahead;
	size_t              ahead_len;
	size_t              ahead_sent;
	bool                collect_failed; /* stream_collect failed: the cause is logged */
};

/*
 * The watchdog: a client that reads slowly, or not at all, must not hold a database
 * connection past the stream's deadline. libmicrohttpd calls the content reader only when
 * the client took what it had, and resets its idle timeout whenever a byte goes out, so a
 * client that reads a byte now and then would hold the stream forever. A thread looks at
 * the streams being sent once a second and shuts down the socket of one past its
 * deadline: libmicrohttpd's next send fails, it closes the connection and frees the
 * response, which closes the database connection (stream_free). A stream leaves the list
 * in stream_free, before libmicrohttpd closes the socket, so the fd is never another's.
 */
static pthread_mutex_t   stream_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t    stream_wake = PTHREAD_COND_INITIALIZER;
static struct gw_stream *stream_watched;
static bool              stream_watchdog_running;
static bool              stream_watchdog_stopping;
static pthread_t         stream_watchdog_thread;

static void
stream_unwatch(struct gw_stream *st)
{
	pthread_mutex_lock(&stream_lock);
	if (st->watched) {
		if (st->prev != NULL)
			st->prev->next_watched = st->next_watched;
		else
			stream_watched = st->next_watched;
		if (st->next_watched != NULL)
			st->next_watched->prev = st->prev;
		st->watched = false;
	}
	pthread_mutex_unlock(&stream_lock);
}

static void
stream_watch(struct gw_stream *st, int fd)
{
	pthread_mutex_lock(&stream_lock);
	st->fd = fd;
	st->prev = NULL;
	st->next_watched = stream_watched;
	if (stream_watched != NULL)
		stream_watched->prev = st;
	stream_watched = st;
	st->watched = true;
	pthread_mutex_unlock(&stream_lock);
}

static void *
stream_watchdog(void *arg)
{
	(void) arg;
	pthread_mutex_lock(&stream_lock);
	while (!stream_watchdog_stopping) {
		int64_t         now = clock_now_us();
		struct timespec tick;

		for (struct gw_stream *st = stream_watched; st != NULL; st = st->next_watched)
			if (!st->shut && now > st->q.query_by) {
				st->shut = true;
				log_msg(GW_LOG_WARN, st->request_id, "api.task_list: the client read too "
				        "slowly: its connection is closed (STREAM_TIMEOUT)");
				(void) shutdown(st->fd, SHUT_RDWR);
			}
		clock_gettime(CLOCK_REALTIME, &tick);
		tick.tv_sec += 1;
		(void) pthread_cond_timedwait(&stream_wake, &stream_lock, &tick);
	}
	pthread_mutex_unlock(&stream_lock);
	return NULL;
}

int
stream_watchdog_start(void)
{
	pthread_mutex_lock(&stream_lock);
	stream_watchdog_stopping = false;
	stream_watchdog_running = pthread_create(&stream_watchdog_thread, NULL, stream_watchdog,
	                                         NULL) == 0;
	pthread_mutex_unlock(&stream_lock);
	return stream_watchdog_running ? 0 : -1;
}

void
stream_watchdog_stop(void)
{
	pthread_mutex_lock(&stream_lock);
	if (!stream_watchdog_running) {
		pthread_mutex_unlock(&stream_lock);
		return;
	}
	stream_watchdog_stopping = true;
	pthread_cond_signal(&stream_wake);
	pthread_mutex_unlock(&stream_lock);
	pthread_join(stream_watchdog_thread, NULL);
	stream_watchdog_running = false;
}

struct gw_stream *
stream_new(struct gw_qresult *q, const char *request_id, struct gw_replicas *rs,
           const struct gw_read_keys *keys)
{
	struct gw_stream *st = calloc(1, sizeof *st);

	if (st != NULL && rs != NULL && q->write_at_end) {
		st->rs = rs;
		st->token = keys->token != NULL ? strdup(keys->token) : NULL;
		st->user_id = keys->user_id != NULL ? strdup(keys->user_id) : NULL;
		if ((keys->token != NULL && st->token == NULL) ||
		    (keys->user_id != NULL && st->user_id == NULL)) {
			free(st->token);
			free(st->user_id);
			free(st);
			st = NULL;
		}
	}
	if (st == NULL) {
		query_result_clear(q);
		return NULL;
	}
	st->q = *q;                  /* the connection and the first row move here */
	memset(q, 0, sizeof *q);
	st->row = st->q.res;         /* the first row, read before the headers were sent */
	st->q.res = NULL;
	st->state = STREAM_HEAD;
	st->first = true;
	st->fd = -1;
	snprintf(st->request_id, sizeof st->request_id, "%s", request_id != NULL ? request_id : "");
	return st;
}

/* A call that may write: its token and user are stamped (replica.h), once. */
static void
stream_note_write(struct gw_stream *st)
{
	struct gw_read_keys keys = { st->token, st->user_id };

	if (st->rs == NULL)
		return;
	replicas_note_write(st->rs, &keys);
	st->rs = NULL;
}

void
stream_free(struct gw_stream *st)
{
	if (st == NULL)
		return;
	/* cut short: the commit may have happened with its answer unread */
	stream_note_write(st);
	stream_unwatch(st);
	/* nothing sent: a HEAD request, or a client gone before the body */
	if (st->collect_failed)
		;                       /* answered with an error status, its cause logged */
	else if (st->state == STREAM_HEAD || (st->ahead != NULL && st->ahead_sent == 0))
		log_msg(GW_LOG_INFO, st->request_id, "api.task_list: the body was not asked for: "
		        "the database connection is closed");
	else if (st->state != STREAM_DONE)
		log_msg(GW_LOG_WARN, st->request_id, "api.task_list: stream ended after %lu tasks, "
		        "before its end: the database connection is closed", st->rows);
	PQclear(st->row);
	query_result_clear(&st->q);  /* gives the connection back, or closes it mid-stream */
	free(st->ahead);
	free(st->token);
	free(st->user_id);
	free(st);
}

static void
stream_push(struct gw_stream *st, const char *p, size_t n)
{
	st->pending[st->npending].p = p;
	st->pending[st->npending].n = n;
	st->npending++;
}

/* Fails the stream: logged; the caller ends the response with an error. */
static ssize_t
stream_fail(struct gw_stream *st, const char *why)
{
	log_msg(GW_LOG_ERROR, st->request_id, "api.task_list: stream failed after %lu tasks: %s",
	        st->rows, why);
	return MHD_CONTENT_READER_END_WITH_ERROR;
}

/*
 * The next pieces of the body into st->pending: 1 when there are some, 0 at the end of the
 * body, -1 when the stream failed (logged). May wait for the database, until the call's
 * deadline.
 */
static int
stream_advance(struct gw_stream *st)
{
	st->npending = st->next = 0;
	switch (st->state) {
	case STREAM_HEAD:
		stream_push(st, stream_head, sizeof stream_head - 1);
		st->state = STREAM_ROWS;
		return 1;
	case STREAM_ROWS:
		if (st->row != NULL && st->row_sent) {
			PQclear(st->row);        /* its task is copied out */
			st->row = NULL;
			st->row_sent = false;
		}
		if (st->row == NULL && query_stream_next(&st->q, &st->row) != GW_Q_STREAM) {
			stream_fail(st, st->q.why);
			return -1;
		}
		if (st->row == NULL || PQnfields(st->row) != 2) {
			stream_fail(st, st->row == NULL ? "the rows ended before the meta row"
			                                : "a row is not (task, meta)");
			return -1;
		}
		if (!PQgetisnull(st->row, 0, 0) && PQgetisnull(st->row, 0, 1)) {
			if (!st->first)
				stream_push(st, stream_sep, sizeof stream_sep - 1);
			st->first = false;
			stream_push(st, PQgetvalue(st->row, 0, 0), (size_t) PQgetlength(st->row, 0, 0));
			st->rows++;
			st->row_sent = true;
			return 1;
		}
		if (PQgetisnull(st->row, 0, 0) && !PQgetisnull(st->row, 0, 1) &&
		    PQgetlength(st->row, 0, 1) <= GW_STREAM_META_MAX) {
			st->meta_len = (size_t) PQgetlength(st->row, 0, 1);
			memcpy(st->meta, PQgetvalue(st->row, 0, 1), st->meta_len);
			st->meta[st->meta_len] = '\0';
			PQclear(st->row);
			st->row = NULL;
			st->state = STREAM_END;
			return stream_advance(st);
		}
		stream_fail(st, "a row is neither a task nor the meta");
		return -1;
	case STREAM_END:
		/* no row after the meta; then the Sync: committed */
		if (query_stream_next(&st->q, &st->row) != GW_Q_STREAM) {
			stream_fail(st, st->q.why);
			return -1;
		}
		if (st->row != NULL || !st->q.stream_ended) {
			stream_fail(st, "a row after the meta row");
			return -1;
		}
		/* committed now: its token and user read their own write from here on */
		stream_note_write(st);
		st->state = STREAM_CLOSING;
		stream_push(st, stream_meta, sizeof stream_meta - 1);
		stream_push(st, st->meta, st->meta_len);
		stream_push(st, stream_tail, sizeof stream_tail - 1);
		return 1;
	case STREAM_CLOSING:
		st->state = STREAM_DONE;
		return 0;
	case STREAM_DONE:
		break;
	}
	return 0;
}

/*
 * Fills buf with as much of the body as fits, waiting for the database when it must (never
 * returning 0, which would have the connection's thread call again at once): the bytes
 * written, MHD_CONTENT_READER_END_OF_STREAM after the last, or
 * MHD_CONTENT_READER_END_WITH_ERROR (logged). The call's deadline bounds the whole stream
 * (docs/decisions.md).
 */
static ssize_t
stream_fill(struct gw_stream *st, char *buf, size_t max)
{
	size_t n = 0;

	if (clock_now_us() > st->q.query_by && st->state != STREAM_DONE)
		return stream_fail(st, "the stream's deadline passed (a slow client)");
	while (n < max) {
		struct stream_piece *piece;
		size_t               k;

		if (st->next == st->npending) {
			int rc = stream_advance(st);

			if (rc < 0)
				return MHD_CONTENT_READER_END_WITH_ERROR;
			if (rc == 0)
				return n > 0 ? (ssize_t) n : MHD_CONTENT_READER_END_OF_STREAM;
			continue;
		}
		piece = &st->pending[st->next];
		k = piece->n < max - n ? piece->n : max - n;
		memcpy(buf + n, piece->p, k);
		n += k;
		piece->p += k;
		piece->n -= k;
		if (piece->n == 0)
			st->next++;
	}
	/* the closing copied out to the last byte: done now, not at the next call (a body of
	 * exactly max bytes is then whole, and no deadline applies to what is all sent) */
	if (st->state == STREAM_CLOSING && st->next == st->npending)
		st->state = STREAM_DONE;
	return (ssize_t) n;
}

/* libmicrohttpd's content reader: what stream_collect read ahead, then the rest. */
static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct gw_stream *st = cls;
	size_t            k;

	(void) pos;
	if (st->ahead_sent == st->ahead_len)
		return stream_fill(st, buf, max);
	k = st->ahead_len - st->ahead_sent < max ? st->ahead_len - st->ahead_sent : max;
	memcpy(buf, st->ahead + st->ahead_sent, k);
	st->ahead_sent += k;
	return (ssize_t) k;
}

enum gw_stream_collected
stream_collect(struct gw_stream *st, size_t max, char **body, size_t *body_len)
{
	char   *buf = malloc(max);
	ssize_t n;

	*body = NULL;
	*body_len = 0;
	if (buf == NULL) {
		stream_fail(st, "out of memory for the read-ahead");
		st->collect_failed = true;
		return GW_STREAM_FAILED;
	}
	n = stream_fill(st, buf, max);
	if (n == MHD_CONTENT_READER_END_WITH_ERROR || n == MHD_CONTENT_READER_END_OF_STREAM) {
		free(buf);              /* (the end of the stream before its head cannot be) */
		st->collect_failed = true;
		return GW_STREAM_FAILED;
	}
	if (st->state == STREAM_DONE) {
		/* the whole body: the connection went back at the commit */
		char *fit = realloc(buf, (size_t) n);

		*body = fit != NULL ? fit : buf;
		*body_len = (size_t) n;
		return GW_STREAM_WHOLE;
	}
	st->ahead = buf;
	st->ahead_len = (size_t) n;
	return GW_STREAM_LONGER;
}

bool
stream_unavailable(const struct gw_stream *st)
{
	/* the database went away, or did not hand the rows over before the call's deadline */
	return st->q.status == GW_Q_UNAVAILABLE || clock_now_us() > st->q.query_by;
}

static void
stream_release(void *cls)
{
	stream_free(cls);
}

struct MHD_Response *
stream_response(struct gw_stream *st, struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
	                                                              GW_STREAM_BLOCK, stream_read,
	                                                              st, stream_release);

	if (resp == NULL) {
		stream_free(st);
		return NULL;
	}
	if (info != NULL)
		stream_watch(st, info->connect_fd);
	return resp;
}
