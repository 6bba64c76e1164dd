/* log.c - structured (JSON lines) logging: requests and debug to stdout, warnings to stderr. */
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "strbuf.h"

#define LOG_LINE_MAX  8192      /* longer lines are replaced by a short notice */
#define LOG_TEXT_MAX  1024      /* bound on one formatted message */
#define LOG_PATH_MAX  512       /* client paths are cut to this many bytes */

static atomic_int      log_level = GW_LOG_INFO;
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

bool
log_level_parse(const char *s, enum gw_log_level *out)
{
	for (int i = GW_LOG_DEBUG; i <= GW_LOG_ERROR; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum gw_log_level) i;
			return true;
		}
	}
	return false;
}

const char *
log_level_name(enum gw_log_level level)
{
	return level_names[level];
}

void
log_set_level(enum gw_log_level level)
{
	atomic_store(&log_level, (int) level);
}

bool
log_enabled(enum gw_log_level level)
{
	return (int) level >= atomic_load(&log_level);
}

/* Starts a line: {"ts":"...Z","level":"...". */
static void
log_begin(struct strbuf *sb, enum gw_log_level level)
{
	struct timeval tv;
	struct tm      tm;
	char           ts[32] = "1970-01-01T00:00:00";

	if (gettimeofday(&tv, NULL) == 0 && gmtime_r(&tv.tv_sec, &tm) != NULL)
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	else
		tv.tv_usec = 0;
	strbuf_printf(sb, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\"", ts,
	              (long) (tv.tv_usec / 1000), level_names[level]);
}

/* Ends the line and writes it whole, under the lock, to stdout or stderr. */
static void
log_end(struct strbuf *sb, enum gw_log_level level)
{
	FILE  *out = level >= GW_LOG_WARN ? stderr : stdout;
	size_t len = 0;
	char  *line;

	strbuf_append(sb, "}\n", 2);
	line = strbuf_steal(sb, &len);
	pthread_mutex_lock(&log_mutex);
	if (line != NULL)
		fwrite(line, 1, len, out);
	else
		fputs("{\"level\":\"error\",\"msg\":\"log line too long or out of memory\"}\n", out);
	fflush(out);
	pthread_mutex_unlock(&log_mutex);
	free(line);
}

static void
log_field_str(struct strbuf *sb, const char *name, const char *value)
{
	if (value == NULL)
		return;
	strbuf_printf(sb, ",\"%s\":", name);
	strbuf_json_string(sb, value, true);
}

void
log_vmsg(enum gw_log_level level, const char *request_id, const char *fmt, va_list ap)
{
	struct strbuf sb;
	char          text[LOG_TEXT_MAX];

	if (!log_enabled(level))
		return;
	if (vsnprintf(text, sizeof text, fmt, ap) < 0)
		strcpy(text, "(unformattable message)");
	/* drop a trailing newline (libpq and libmicrohttpd messages end with one) */
	for (size_t n = strlen(text); n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '); n--)
		text[n - 1] = '\0';
	strbuf_init(&sb, LOG_LINE_MAX);
	log_begin(&sb, level);
	log_field_str(&sb, "request_id", request_id);
	log_field_str(&sb, "msg", text);
	log_end(&sb, level);
}

void
log_msg(enum gw_log_level level, const char *request_id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, request_id, fmt, ap);
	va_end(ap);
}

void
log_access(const struct gw_access_log *e)
{
	struct strbuf sb;
	char          path[LOG_PATH_MAX + 4];

	if (!log_enabled(GW_LOG_INFO))
		return;
	snprintf(path, sizeof path, "%s", e->path != NULL ? e->path : "");
	if (e->path != NULL && strlen(e->path) > LOG_PATH_MAX)
		strcpy(path + LOG_PATH_MAX, "...");
	strbuf_init(&sb, LOG_LINE_MAX);
	log_begin(&sb, GW_LOG_INFO);
	log_field_str(&sb, "msg", "request");
	log_field_str(&sb, "request_id", e->request_id);
	log_field_str(&sb, "method", e->method);
	log_field_str(&sb, "path", path);
	strbuf_printf(&sb, ",\"status\":%u,\"duration_ms\":%.3f,\"db_round_trips\":%u",
	              e->status, e->duration_ms, e->round_trips);
	log_field_str(&sb, "aborted", e->aborted);
	log_end(&sb, GW_LOG_INFO);
}

void
log_db_call(const char *request_id, const char *function, double duration_ms,
            const char *outcome)
{
	struct strbuf sb;

	if (!log_enabled(GW_LOG_DEBUG))
		return;
	strbuf_init(&sb, LOG_LINE_MAX);
	log_begin(&sb, GW_LOG_DEBUG);
	log_field_str(&sb, "msg", "db call");
	log_field_str(&sb, "request_id", request_id);
	log_field_str(&sb, "function", function);
	strbuf_printf(&sb, ",\"duration_ms\":%.3f", duration_ms);
	log_field_str(&sb, "outcome", outcome);
	log_end(&sb, GW_LOG_DEBUG);
}
