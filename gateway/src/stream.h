/* stream.h - the streamed list: the envelope around api.task_list_rows's rows, sent as the
 * database hands them over (a libmicrohttpd callback response, chunked). */
#ifndef GW_STREAM_H
#define GW_STREAM_H

#include <microhttpd.h>
#include <stdbool.h>

#include "query.h"
#include "replica.h"

#define GW_STREAM_BLOCK    (32 * 1024)  /* bytes asked of the callback at most, per call */
#define GW_STREAM_META_MAX 256          /* the meta row's JSON: {"total" : N, ...} */

struct gw_stream;

/*
 * A stream of q's rows (q->status GW_Q_STREAM: its first row in q->res, its connection
 * held). Takes q whatever the outcome: q is left empty. NULL when out of memory (the
 * connection is then closed). When q->write_at_end, keys (copied) are stamped in rs
 * (replicas_note_write) once the transaction committed, at the stream's end.
 */
struct gw_stream *stream_new(struct gw_qresult *q, const char *request_id,
                             struct gw_replicas *rs, const struct gw_read_keys *keys);

/*
 * The response that sends the stream (status 200, no Content-Length: chunked): what
 * stream_collect read ahead, then the rest: the envelope's head, each task, then the meta
 * and the closing once the transaction committed. The response owns st from then on (and the watchdog watches con's socket): whenever libmicrohttpd frees it (the body
 * sent, the client gone, a timeout), the connection goes back to the pool, or is closed
 * when the stream did not end. NULL when libmicrohttpd refuses (st then freed).
 */
struct MHD_Response *stream_response(struct gw_stream *st, struct MHD_Connection *con);

/*
 * The watchdog (stream.c): once a second, the socket of a stream past its deadline
 * (STREAM_TIMEOUT) is shut down, however slowly its client reads. Started before the
 * HTTP daemon, stopped after it. start: 0, or -1 when the thread cannot be made.
 */
int  stream_watchdog_start(void);
void stream_watchdog_stop(void);

enum gw_stream_collected {
	GW_STREAM_WHOLE,    /* the whole body read: the stream is done, its connection back */
	GW_STREAM_LONGER,   /* max bytes read ahead: stream_response sends them, then the rest */
	GW_STREAM_FAILED    /* out of memory, or the stream failed (logged): free it */
};

/*
 * Reads the body ahead, up to max bytes, before any header is sent. A list that fits is
 * answered in one piece with a Content-Length: one write, and the database connection goes
 * back to the pool before the client is written to. WHOLE: *body (malloc'd, the caller's)
 * and *body_len are the body. A stream that fails here fails before its status line, so
 * the client gets an error status instead of a cut 200 (stream_unavailable: 503, or 500).
 */
enum gw_stream_collected stream_collect(struct gw_stream *st, size_t max, char **body,
                                        size_t *body_len);

/* A failed stream's cause was the database: gone, or too slow for the call's deadline
 * (503), not a fault (500). */
bool stream_unavailable(const struct gw_stream *st);

/* Frees a stream never handed to stream_response (closes its connection). */
void stream_free(struct gw_stream *st);

#endif
