/* clock.h - monotonic and wall-clock time helpers (header only). */
#ifndef GW_CLOCK_H
#define GW_CLOCK_H

#include <stdint.h>
#include <time.h>

#define GW_US_PER_MS  INT64_C(1000)
#define GW_US_PER_SEC INT64_C(1000000)

/* Microseconds on CLOCK_MONOTONIC: for durations and deadlines, never for display. */
static inline int64_t
clock_now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t) ts.tv_sec * GW_US_PER_SEC + ts.tv_nsec / 1000;
}

/* Milliseconds (with fractions) between two clock_now_us() readings. */
static inline double
clock_ms_between(int64_t start_us, int64_t end_us)
{
	return (double) (end_us - start_us) / 1000.0;
}

#endif
