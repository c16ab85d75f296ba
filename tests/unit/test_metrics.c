#include "metrics.h"
#include "routes.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
  size_t n;
  const struct route *routes = routes_table(&n);
  router_init(routes, n);
  CHECK(metrics_init());
  const struct route *livez = &routes[0]; /* the table starts with GET /livez */
  CHECK(strcmp(livez->pattern, "/livez") == 0);
  metrics_observe(livez, 200, 100);     /* in the first bucket (250 us) */
  metrics_observe(livez, 200, 600);     /* in the 1 ms bucket */
  metrics_observe(livez, 503, 3000000); /* slower than every bound */
  metrics_observe(NULL, 404, 10);
  size_t len;
  const struct metrics_gauge gauges[] = {{"merchantd_sessions_active", "Sessions.", 7},
                                         {"merchantd_unknown", "Left out.", -1}};
  char *text = metrics_render(gauges, 2, &len);
  CHECK(text != NULL && strlen(text) == len);
  const char *l = "method=\"GET\",route=\"/livez\"";
  char want[256];
  /* Buckets are cumulative in the exposition. */
  snprintf(want, sizeof want,
           "merchantd_http_request_duration_seconds_bucket{%s,le=\"0.00025\"} 1\n", l);
  CHECK(strstr(text, want) != NULL);
  snprintf(want, sizeof want,
           "merchantd_http_request_duration_seconds_bucket{%s,le=\"0.0005\"} 1\n", l);
  CHECK(strstr(text, want) != NULL);
  snprintf(want, sizeof want, "merchantd_http_request_duration_seconds_bucket{%s,le=\"0.001\"} 2\n",
           l);
  CHECK(strstr(text, want) != NULL);
  snprintf(want, sizeof want, "merchantd_http_request_duration_seconds_bucket{%s,le=\"2.5\"} 2\n",
           l);
  CHECK(strstr(text, want) != NULL);
  snprintf(want, sizeof want, "merchantd_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} 3\n",
           l);
  CHECK(strstr(text, want) != NULL);
  snprintf(want, sizeof want, "merchantd_http_requests_total{%s,status=\"503\"} 1\n", l);
  CHECK(strstr(text, want) != NULL);
  CHECK(strstr(text, "route=\"unmatched\",status=\"404\"} 1\n") != NULL);
  CHECK(strstr(text, "# TYPE merchantd_sessions_active gauge\nmerchantd_sessions_active 7\n") !=
        NULL);
  CHECK(strstr(text, "merchantd_unknown") == NULL);
  free(text);
  metrics_free();
  return unit_report("metrics");
}
