/* Prometheus metrics: requests by route and status, latency histograms,
 * plus gauges gathered when /metrics is scraped. */
#ifndef MERCHANTD_METRICS_H
#define MERCHANTD_METRICS_H

#include "router.h"

#include <stddef.h>
#include <stdint.h>

bool metrics_init(void);
void metrics_free(void);
/* route NULL: the request matched no route. */
void metrics_observe(const struct route *route, unsigned status, int64_t duration_us);
void metrics_in_flight(int delta);

/* A gauge the layer above reads when /metrics is scraped. */
struct metrics_gauge {
  const char *name;
  const char *help;
  long long value; /* < 0: unknown, left out */
};

/* The exposition text (malloc'd), the given gauges last. */
char *metrics_render(const struct metrics_gauge *gauges, size_t ngauges, size_t *len);

#endif
