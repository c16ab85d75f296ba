/* The one clock: every timestamp merchantd uses comes from here, so that
 * tests can freeze time (MERCHANTD_TEST_MODE) and jobs see the same "now". */
#ifndef MERCHANTD_CLOCK_H
#define MERCHANTD_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define CLOCK_US_PER_SEC   INT64_C(1000000)
#define CLOCK_RFC3339_SIZE 32
/* Times no stored time reaches, 0001-01-01 and 10000-01-01 UTC: bounds for
 * keyset windows, and clamps for keys read from client cursors. */
#define CLOCK_TIME_MIN INT64_C(-62135596800000000)
#define CLOCK_TIME_MAX INT64_C(253402300800000000)

/* Wall-clock time in microseconds since the Unix epoch (frozen time if set). */
int64_t clock_now_us(void);
/* Monotonic microseconds, for measuring durations only. */
int64_t clock_mono_us(void);

/* Sleeps ms milliseconds of real time (frozen time does not stop it). */
void clock_sleep_ms(unsigned ms);

void clock_freeze(int64_t us);
void clock_unfreeze(void);

/* "2026-11-26T08:00:00Z": whole seconds, UTC. */
void clock_format(int64_t us, char out[CLOCK_RFC3339_SIZE]);
/* "2026-11-26T08:00:00.123456Z": full precision, for logs. */
void clock_format_precise(int64_t us, char out[CLOCK_RFC3339_SIZE]);
/* Parses RFC 3339 (date, 'T', time, optional fraction, 'Z' or offset). */
bool clock_parse(const char *text, int64_t *us);

/* Calendar dates ("2026-11-26", no zone: the caller knows whose day it
 * is) as days since 1970-01-01. clock_parse_date takes exactly YYYY-MM-DD,
 * years 1970 to 9999, and refuses dates the calendar does not have. */
#define CLOCK_DATE_SIZE 11
bool clock_parse_date(const char *text, int64_t *days);
void clock_format_date(int64_t days, char out[CLOCK_DATE_SIZE]);

#endif
