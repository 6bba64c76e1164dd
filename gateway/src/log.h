/* log.h - structured (JSON lines) logging: requests and debug to stdout, warnings to stderr. */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum gw_log_level {
	GW_LOG_DEBUG,
	GW_LOG_INFO,
	GW_LOG_WARN,
	GW_LOG_ERROR
};

/* One line per HTTP request. Never carries a token, password or query string. */
struct gw_access_log {
	const char *request_id;
	const char *method;
	const char *path;          /* raw path, without the query string */
	unsigned    status;        /* 0 when no response was sent */
	double      duration_ms;
	unsigned    round_trips;   /* database round trips made for the request */
	const char *aborted;       /* NULL, or why the request ended without completing */
};

/* Parses debug|info|warn|error; returns false for anything else. */
bool log_level_parse(const char *s, enum gw_log_level *out);
const char *log_level_name(enum gw_log_level level);
void log_set_level(enum gw_log_level level);
bool log_enabled(enum gw_log_level level);

/* A free-form message; request_id may be NULL. The text must hold no secret. */
void log_msg(enum gw_log_level level, const char *request_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(enum gw_log_level level, const char *request_id, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
void log_access(const struct gw_access_log *entry);
/* Debug level: one database call (function name and duration, never its parameters). */
void log_db_call(const char *request_id, const char *function, double duration_ms,
                 const char *outcome);

#endif
