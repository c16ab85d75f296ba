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

/* The exposition text (malloc'd); active_sessions < 0 when unknown. */
char *metrics_render(int64_t active_sessions, size_t *len);

#endif
