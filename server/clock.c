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

void clock_freeze(int64_t us)
{
  atomic_store(&frozen_us, us);
}

void clock_unfreeze(void)
{
  atomic_store(&frozen_us, INT64_MIN);
}

static void split(int64_t us, struct tm *tm, int *micros)
{
  int64_t secs = us / CLOCK_US_PER_SEC;
  int64_t rem = us % CLOCK_US_PER_SEC;
  if (rem < 0) {
    rem += CLOCK_US_PER_SEC;
    secs -= 1;
  }
  time_t t = (time_t)secs;
  gmtime_r(&t, tm);
  *micros = (int)rem;
}

void clock_format(int64_t us, char out[CLOCK_RFC3339_SIZE])
{
  struct tm tm;
  int micros;
  split(us, &tm, &micros);
  strftime(out, CLOCK_RFC3339_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void clock_format_precise(int64_t us, char out[CLOCK_RFC3339_SIZE])
{
  struct tm tm;
  int micros;
  char base[24];
  split(us, &tm, &micros);
  strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out, CLOCK_RFC3339_SIZE, "%s.%06dZ", base, micros);
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
  *us = ((int64_t)t - (int64_t)offset_min * 60) * CLOCK_US_PER_SEC + micros;
  return true;
}
