/* test/tap.h - a minimal TAP producer for the C unit tests of gateway/ and todoctl/ (header only). */
#ifndef TODO_TAP_H
#define TODO_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

/* ok(cond, name): one test line. */
#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 4, 5)))
static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   Failed test at %s line %d\n", file, line);
	}
	return pass;
}

/* is_str(got, expected, name): strings equal (NULL equals NULL only). */
#define is_str(got, exp, ...) tap_is_str((got), (exp), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 5, 6)))
static inline int
tap_is_str(const char *got, const char *exp, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int     pass = (got == NULL || exp == NULL) ? got == exp : strcmp(got, exp) == 0;
	char    name[512];

	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	tap_ok(pass, file, line, "%s", name);
	if (!pass) {
		printf("#          got: %s\n", got != NULL ? got : "(null)");
		printf("#     expected: %s\n", exp != NULL ? exp : "(null)");
	}
	return pass;
}

/* is_int(got, expected, name) */
#define is_int(got, exp, ...) \
	tap_is_int((long) (got), (long) (exp), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 5, 6)))
static inline int
tap_is_int(long got, long exp, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char    name[512];

	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	tap_ok(got == exp, file, line, "%s", name);
	if (got != exp)
		printf("#          got: %ld\n#     expected: %ld\n", got, exp);
	return got == exp;
}

/* Prints the plan; the exit status is non-zero when a test failed. */
static inline int
done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed != 0;
}

#endif
