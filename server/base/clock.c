#include "clock.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* INT64_MIN means "not frozen". */
static _Atomic int64_t frozen_us = INT64_MIN;

int64_t clock_now_us(void)
{
  int64_t f = atomic_load_explicit(&frozen_us, memory_order_relaxed);
  if (f != INT64_MIN)
    return f;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * CLOCK_US_PER_SEC + ts.tv_nsec / 1000;
}

int64_t clock_mono_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * CLOCK_US_PER_SEC + ts.tv_nsec / 1000;
}

void clock_sleep_ms(unsigned ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

void clock_freeze(int64_t us)
{
  atomic_store(&frozen_us, us);
}

void clock_unfreeze(void)
{
  atomic_store(&frozen_us, INT64_MIN);
}

/* The UTC calendar fields of a time. Written out rather than with gmtime_r
 * and strftime: replies format several times each, and those two take the
 * time-zone lock and parse a format on every call. */
struct civil {
  int64_t year;
  int month, day, hour, minute, second, micros;
};

/* Days since 1970-01-01 to a proleptic Gregorian date, by 400-year eras
 * (146,097 days each) counted from 0000-03-01, so that the leap day ends a
 * year (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"). */
static struct civil split(int64_t us)
{
  struct civil c;
  int64_t secs = us / CLOCK_US_PER_SEC, rem = us % CLOCK_US_PER_SEC;
  if (rem < 0) {
    rem += CLOCK_US_PER_SEC;
    secs -= 1;
  }
  int64_t days = secs / 86400, sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    days -= 1;
  }
  c.micros = (int)rem;
  c.hour = (int)(sod / 3600);
  c.minute = (int)(sod / 60 % 60);
  c.second = (int)(sod % 60);
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;                                      /* [0, 146096] */
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
  int64_t mp = (5 * doy + 2) / 153;                                    /* March = 0 */
  c.day = (int)(doy - (153 * mp + 2) / 5 + 1);
  c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2);
  return c;
}

static char *put_digits(char *p, int64_t v, int width)
{
  for (int i = width - 1; i >= 0; i--, v /= 10)
    p[i] = (char)('0' + v % 10);
  return p + width;
}

/* "YYYY-MM-DDTHH:MM:SS", unterminated; returns the end. Years beyond RFC
 * 3339's four digits are clamped: no stored time comes near them. */
static char *put_civil(char *p, const struct civil *c)
{
  int64_t year = c->year < 0 ? 0 : c->year > 9999 ? 9999 : c->year;
  p = put_digits(p, year, 4);
  *p++ = '-';
  p = put_digits(p, c->month, 2);
  *p++ = '-';
  p = put_digits(p, c->day, 2);
  *p++ = 'T';
  p = put_digits(p, c->hour, 2);
  *p++ = ':';
  p = put_digits(p, c->minute, 2);
  *p++ = ':';
  return put_digits(p, c->second, 2);
}

void clock_format(int64_t us, char out[CLOCK_RFC3339_SIZE])
{
  struct civil c = split(us);
  char *p = put_civil(out, &c);
  memcpy(p, "Z", 2);
}

void clock_format_precise(int64_t us, char out[CLOCK_RFC3339_SIZE])
{
  struct civil c = split(us);
  char *p = put_civil(out, &c);
  *p++ = '.';
  p = put_digits(p, c.micros, 6);
  memcpy(p, "Z", 2);
}

/* Reads exactly n digits. */
static bool digits(const char **p, int n, int *out)
{
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i]))
      return false;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return true;
}

static bool expect(const char **p, char c)
{
  if (**p != c)
    return false;
  (*p)++;
  return true;
}

bool clock_parse(const char *text, int64_t *us)
{
  const char *p = text;
  int year, mon, day, hour, min, sec, micros = 0;
  if (!digits(&p, 4, &year) || !expect(&p, '-') || !digits(&p, 2, &mon) || !expect(&p, '-') ||
      !digits(&p, 2, &day))
    return false;
  if (*p != 'T' && *p != 't')
    return false;
  p++;
  if (!digits(&p, 2, &hour) || !expect(&p, ':') || !digits(&p, 2, &min) || !expect(&p, ':') ||
      !digits(&p, 2, &sec))
    return false;
  if (*p == '.') {
    p++;
    int n = 0;
    while (isdigit((unsigned char)*p)) {
      if (n < 6)
        micros = micros * 10 + (*p - '0');
      n++;
      p++;
    }
    if (n == 0 || n > 9)
      return false;
    for (; n < 6; n++)
      micros *= 10;
  }
  int offset_min = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1, oh, om;
    p++;
    if (!digits(&p, 2, &oh) || !expect(&p, ':') || !digits(&p, 2, &om) || oh > 23 || om > 59)
      return false;
    offset_min = sign * (oh * 60 + om);
  } else {
    return false;
  }
  if (*p != '\0')
    return false;
  if (year < 1970 || year > 9999 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
      min > 59 || sec > 59)
    return false;
  struct tm tm = {.tm_year = year - 1900,
                  .tm_mon = mon - 1,
                  .tm_mday = day,
                  .tm_hour = hour,
                  .tm_min = min,
                  .tm_sec = sec};
  time_t t = timegm(&tm);
  /* timegm normalises 31 February into March: reject such dates. */
  struct tm back;
  gmtime_r(&t, &back);
  if (back.tm_mday != day || back.tm_mon != mon - 1)
    return false;
  int64_t v = ((int64_t)t - (int64_t)offset_min * 60) * CLOCK_US_PER_SEC + micros;
  /* Offsets can carry a time out of the years accepted above: refuse
   * 9999-12-31T23:59:59-23:59 (the year 10000, which clock_format cannot
   * write back) and 1970-01-01T00:00:00+01:00 (1969, which the time it is
   * written back as would not read). */
  if (v < 0 || v >= CLOCK_TIME_MAX)
    return false;
  *us = v;
  return true;
}

bool clock_parse_date(const char *text, int64_t *days)
{
  const char *p = text;
  int year, mon, day;
  if (!digits(&p, 4, &year) || !expect(&p, '-') || !digits(&p, 2, &mon) || !expect(&p, '-') ||
      !digits(&p, 2, &day) || *p != '\0')
    return false;
  if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31)
    return false;
  /* Days from civil (the inverse of split), then back to refuse 31 April. */
  int64_t y = year - (mon <= 2);
  int64_t era = y / 400, yoe = y - era * 400;
  int64_t doy = (153 * (mon > 2 ? mon - 3 : mon + 9) + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t d = era * 146097 + doe - 719468;
  struct civil c = split(d * 86400 * CLOCK_US_PER_SEC);
  if (c.day != day || c.month != mon)
    return false;
  *days = d;
  return true;
}

void clock_format_date(int64_t days, char out[CLOCK_DATE_SIZE])
{
  struct civil c = split(days * 86400 * CLOCK_US_PER_SEC);
  int64_t year = c.year < 0 ? 0 : c.year > 9999 ? 9999 : c.year;
  char *p = put_digits(out, year, 4);
  *p++ = '-';
  p = put_digits(p, c.month, 2);
  *p++ = '-';
  p = put_digits(p, c.day, 2);
  *p = '\0';
}
