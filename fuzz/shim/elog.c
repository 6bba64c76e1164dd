/* elog.c - ereport: the error is recorded in shim_error; ERROR and above longjmp to the
 * innermost PG_TRY, as in the backend (shim_try is the outermost). */
#include "pgshim.h"

#include <stdarg.h>

struct shim_error    shim_error;
sigjmp_buf          *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;

bool
errstart(int elevel, const char *domain)
{
	shim_error.elevel = elevel;
	shim_error.sqlerrcode = elevel >= ERROR ? ERRCODE_INTERNAL_ERROR : 0;
	shim_error.message = NULL;
	shim_error.detail = NULL;
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	int code = shim_error.sqlerrcode;

	for (int i = 0; i < 5; i++) {
		shim_error.sqlstate[i] = PGUNSIXBIT(code);
		code >>= 6;
	}
	shim_error.sqlstate[5] = '\0';
	if (shim_error.elevel < ERROR)
		return;
	if (PG_exception_stack == NULL) {
		fprintf(stderr, "pgshim: ERROR outside PG_TRY at %s:%d: %s\n", filename, lineno,
		        shim_error.message != NULL ? shim_error.message : "");
		abort();
	}
	siglongjmp(*PG_exception_stack, 1);
}

void
pg_re_throw(void)
{
	if (PG_exception_stack == NULL)
		abort();
	siglongjmp(*PG_exception_stack, 1);
}

int
errcode(int sqlerrcode)
{
	shim_error.sqlerrcode = sqlerrcode;
	return 0;
}

static char *
format(const char *fmt, va_list args)
{
	va_list copy;
	int     n;
	char   *s;

	va_copy(copy, args);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		abort();
	s = palloc((size_t) n + 1);
	vsnprintf(s, (size_t) n + 1, fmt, args);
	return s;
}

#define SHIM_FORMAT(target)                                                                \
	do {                                                                                   \
		va_list args;                                                                      \
		va_start(args, fmt);                                                               \
		target = format(fmt, args);                                                        \
		va_end(args);                                                                      \
	} while (0)

int
errmsg(const char *fmt, ...)
{
	SHIM_FORMAT(shim_error.message);
	return 0;
}

int
errmsg_internal(const char *fmt, ...)
{
	SHIM_FORMAT(shim_error.message);
	return 0;
}

int
errdetail(const char *fmt, ...)
{
	SHIM_FORMAT(shim_error.detail);
	return 0;
}

int
errdetail_internal(const char *fmt, ...)
{
	SHIM_FORMAT(shim_error.detail);
	return 0;
}

int
errhint(const char *fmt, ...)
{
	char *hint;

	SHIM_FORMAT(hint);
	pfree(hint);
	return 0;
}

bool
shim_try(void (*f)(void *), void *arg)
{
	volatile bool returned = true;

	PG_TRY();
	{
		f(arg);
	}
	PG_CATCH();
	{
		returned = false;
	}
	PG_END_TRY();
	return returned;
}
