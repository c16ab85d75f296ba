#include "clock.h"
#include "unit.h"

#include <string.h>

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
                       "+2026-11-26T08:00:00Z"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK(!clock_parse(bad[i], &us));

  char out[CLOCK_RFC3339_SIZE];
  clock_format_precise(INT64_C(1795680000000042), out);
  CHECK(strcmp(out, "2026-11-26T08:00:00.000042Z") == 0);

  clock_freeze(INT64_C(1795680000000000));
  CHECK(clock_now_us() == INT64_C(1795680000000000));
  clock_unfreeze();
  CHECK(clock_now_us() > INT64_C(1795680000000000) - INT64_C(86400000000) * 3650);
  return unit_report("clock");
}
