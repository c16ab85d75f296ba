#include "clock.h"
#include "unit.h"

#include <string.h>
#include <time.h>

/* clock_format writes the calendar out by hand: it must agree with the C
 * library's gmtime_r for every day from 1900 to 2400 (leap centuries
 * included) and at every second of a day. */
static void agrees_with_gmtime(void)
{
  char out[CLOCK_RFC3339_SIZE], want[CLOCK_RFC3339_SIZE];
  int bad = 0;
  for (int64_t secs = -INT64_C(2208988800); secs < INT64_C(13569465600); secs += 86400 + 7) {
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
    clock_format(secs * CLOCK_US_PER_SEC + 999999, out);
    bad += strcmp(out, want) != 0;
  }
  CHECK(bad == 0);
}

/* Dates: every day from 1970 to 2400 reads back as it was written, and
 * what is not exactly YYYY-MM-DD of a real day is refused. */
static void dates(void)
{
  char out[CLOCK_DATE_SIZE];
  int64_t d;
  int bad = 0;
  for (int64_t day = 0; day < 157000; day++) {
    clock_format_date(day, out);
    bad += !clock_parse_date(out, &d) || d != day;
  }
  CHECK(bad == 0);
  CHECK(clock_parse_date("1970-01-01", &d) && d == 0);
  CHECK(clock_parse_date("2026-11-26", &d) && d == 20783);
  CHECK(clock_parse_date("2028-02-29", &d));
  const char *refused[] = {"2026-02-29", "2026-04-31",           "2026-13-01", "2026-00-10",
                           "2026-1-01",  "2026-01-01T00:00:00Z", "1969-12-31", "20260101",
                           "",           "2026-01-01 ",          "+026-01-01"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
    CHECK(!clock_parse_date(refused[i], &d));
}

static void round_trip(const char *text, const char *expect)
{
  int64_t us;
  char out[CLOCK_RFC3339_SIZE];
  CHECK(clock_parse(text, &us));
  clock_format(us, out);
  CHECK(strcmp(out, expect) == 0);
}

int main(void)
{
  int64_t us;
  CHECK(clock_parse("1970-01-01T00:00:00Z", &us) && us == 0);
  CHECK(clock_parse("2026-11-26T08:00:00.5Z", &us) && us == INT64_C(1795680000500000));
  CHECK(clock_parse("2026-11-26T08:00:00.123456789Z", &us) && us % 1000000 == 123456);
  round_trip("2026-11-26T08:00:00Z", "2026-11-26T08:00:00Z");
  round_trip("2026-11-26T16:00:00+08:00", "2026-11-26T08:00:00Z");
  round_trip("2026-11-26T00:30:00-01:30", "2026-11-26T02:00:00Z");
  round_trip("2028-02-29T12:00:00z", "2028-02-29T12:00:00Z");
  round_trip("9999-12-31T22:59:59-01:00", "9999-12-31T23:59:59Z");

  const char *bad[] = {"",
                       "2026-11-26",
                       "2026-11-26 08:00:00Z",
                       "2026-11-26T08:00:00",
                       "2026-02-30T08:00:00Z",
                       "2027-02-29T08:00:00Z",
                       "2026-13-01T08:00:00Z",
                       "2026-11-26T24:00:00Z",
                       "2026-11-26T08:00:00.Z",
                       "2026-11-26T08:00:00+0800",
                       "2026-11-26T08:00:00Zjunk",
                       "1969-12-31T23:59:59Z",
                       "9999-12-31T23:59:59-23:59",
                       "9999-12-31T23:00:00-01:00",
                       "1970-01-01T00:00:00+23:59",
                       "1970-01-01T00:59:59.999999+01:00",
                       "+2026-11-26T08:00:00Z"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK(!clock_parse(bad[i], &us));

  char out[CLOCK_RFC3339_SIZE];
  clock_format_precise(INT64_C(1795680000000042), out);
  CHECK(strcmp(out, "2026-11-26T08:00:00.000042Z") == 0);

  clock_format_precise(-1, out);
  CHECK(strcmp(out, "1969-12-31T23:59:59.999999Z") == 0);
  agrees_with_gmtime();
  dates();

  clock_freeze(INT64_C(1795680000000000));
  CHECK(clock_now_us() == INT64_C(1795680000000000));
  clock_unfreeze();
  CHECK(clock_now_us() > INT64_C(1795680000000000) - INT64_C(86400000000) * 3650);
  return unit_report("clock");
}
