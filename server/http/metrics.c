#include "metrics.h"

#include "db.h"
#include "replica.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned statuses[] = {200, 201, 204, 400, 401, 403, 404, 405,
                                    409, 410, 413, 415, 422, 429, 500, 503};
#define NSTATUS (sizeof statuses / sizeof statuses[0] + 1) /* last: any other */

/* Upper bounds in microseconds; the +Inf bucket is the count. */
static const int64_t bounds_us[] = {250,   500,   1000,   2500,   5000,    10000,
                                    25000, 50000, 100000, 250000, 1000000, 2500000};
#define NBOUNDS (sizeof bounds_us / sizeof bounds_us[0])

struct route_metrics {
  _Atomic long long by_status[NSTATUS];
  /* Per bucket, not cumulative: one increment per request; the exposition
   * adds them up. The last counts requests slower than every bound. */
  _Atomic long long buckets[NBOUNDS + 1];
  _Atomic long long count;
  _Atomic long long sum_us;
};

static struct route_metrics *per_route; /* one per route, then one for "unmatched" */
static size_t nroutes;
static _Atomic long long in_flight;

bool metrics_init(void)
{
  router_routes(&nroutes);
  per_route = calloc(nroutes + 1, sizeof *per_route);
  return per_route != NULL;
}

void metrics_free(void)
{
  free(per_route);
  per_route = NULL;
}

static size_t status_index(unsigned status)
{
  for (size_t i = 0; i < NSTATUS - 1; i++)
    if (statuses[i] == status)
      return i;
  return NSTATUS - 1;
}

void metrics_observe(const struct route *route, unsigned status, int64_t duration_us)
{
  struct route_metrics *m = &per_route[route ? router_index(route) : nroutes];
  atomic_fetch_add_explicit(&m->by_status[status_index(status)], 1, memory_order_relaxed);
  size_t b = 0;
  while (b < NBOUNDS && duration_us > bounds_us[b])
    b++;
  atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->sum_us, duration_us, memory_order_relaxed);
}

void metrics_in_flight(int delta)
{
  atomic_fetch_add_explicit(&in_flight, delta, memory_order_relaxed);
}

/* A growing text buffer; on allocation failure it stays NULL. */
struct out {
  char *buf;
  size_t len, cap;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
  if (o->buf == NULL)
    return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0)
      return;
    if ((size_t)n < o->cap - o->len) {
      o->len += (size_t)n;
      return;
    }
    char *bigger = realloc(o->buf, o->cap * 2 + (size_t)n);
    if (bigger == NULL) {
      free(o->buf);
      o->buf = NULL;
      return;
    }
    o->buf = bigger;
    o->cap = o->cap * 2 + (size_t)n;
  }
}

static void route_label(char *buf, size_t size, size_t i, const struct route *routes)
{
  if (i == nroutes)
    snprintf(buf, size, "method=\"\",route=\"unmatched\"");
  else
    snprintf(buf, size, "method=\"%s\",route=\"%s\"", routes[i].method, routes[i].pattern);
}

/* The read replica's figures (db/replica.h), only when one is configured:
 * an instance without MERCHANTD_REPLICA_URL exposes nothing of it. */
static void put_replica(struct out *o)
{
  struct db_replica_stats r;
  db_replica_stats(&r);
  if (!r.configured)
    return;
  put(o,
      "# HELP merchantd_replica_up Whether the read replica was reachable and in recovery.\n"
      "# TYPE merchantd_replica_up gauge\n"
      "merchantd_replica_up %d\n"
      "# HELP merchantd_replica_replay_paused Whether the replica's WAL replay is paused.\n"
      "# TYPE merchantd_replica_replay_paused gauge\n"
      "merchantd_replica_replay_paused %d\n"
      "# HELP merchantd_replica_connections_open Replica connections held (at most one per "
      "thread).\n"
      "# TYPE merchantd_replica_connections_open gauge\n"
      "merchantd_replica_connections_open %lld\n",
      r.up ? 1 : 0, r.paused ? 1 : 0, r.connections);
  if (r.lag_us >= 0)
    put(o,
        "# HELP merchantd_replica_lag_seconds How far behind the primary the replica may be "
        "(WAL positions compared).\n"
        "# TYPE merchantd_replica_lag_seconds gauge\n"
        "merchantd_replica_lag_seconds %.3f\n",
        (double)r.lag_us / 1e6);
  put(o, "# HELP merchantd_replica_reads_total Reads that may use the replica, by read and by "
         "the server that answered.\n"
         "# TYPE merchantd_replica_reads_total counter\n");
  for (int i = 0; i < DB_READ_KINDS; i++)
    for (int j = 0; j < 2; j++)
      put(o, "merchantd_replica_reads_total{read=\"%s\",server=\"%s\"} %lld\n",
          db_replica_read_name((enum db_read)i), j == 0 ? "replica" : "primary", r.reads[i][j]);
  put(o, "# HELP merchantd_replica_fallbacks_total Reads that went to the primary instead of "
         "the replica, by reason.\n"
         "# TYPE merchantd_replica_fallbacks_total counter\n");
  for (int i = 0; i < DB_FALLBACK_REASONS; i++)
    put(o, "merchantd_replica_fallbacks_total{reason=\"%s\"} %lld\n",
        db_replica_fallback_name((enum db_replica_fallback)i), r.fallbacks[i]);
}

char *metrics_render(const struct metrics_gauge *gauges, size_t ngauges, size_t *len)
{
  size_t n;
  const struct route *routes = router_routes(&n);
  struct out o = {malloc(8192), 0, 8192};
  char label[160];
  put(&o, "# HELP merchantd_http_requests_total HTTP requests answered, by route and status.\n"
          "# TYPE merchantd_http_requests_total counter\n");
  for (size_t i = 0; i <= nroutes; i++) {
    route_label(label, sizeof label, i, routes);
    for (size_t s = 0; s < NSTATUS; s++) {
      long long v = atomic_load(&per_route[i].by_status[s]);
      if (v == 0)
        continue;
      if (s == NSTATUS - 1)
        put(&o, "merchantd_http_requests_total{%s,status=\"other\"} %lld\n", label, v);
      else
        put(&o, "merchantd_http_requests_total{%s,status=\"%u\"} %lld\n", label, statuses[s], v);
    }
  }
  put(&o, "# HELP merchantd_http_request_duration_seconds Time from request start to reply.\n"
          "# TYPE merchantd_http_request_duration_seconds histogram\n");
  for (size_t i = 0; i <= nroutes; i++) {
    struct route_metrics *m = &per_route[i];
    long long count = atomic_load(&m->count);
    if (count == 0)
      continue;
    route_label(label, sizeof label, i, routes);
    long long cumulative = 0;
    for (size_t b = 0; b < NBOUNDS; b++) {
      cumulative += atomic_load(&m->buckets[b]);
      put(&o, "merchantd_http_request_duration_seconds_bucket{%s,le=\"%g\"} %lld\n", label,
          (double)bounds_us[b] / 1e6, cumulative);
    }
    put(&o, "merchantd_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %lld\n", label, count);
    put(&o, "merchantd_http_request_duration_seconds_sum{%s} %.6f\n", label,
        (double)atomic_load(&m->sum_us) / 1e6);
    put(&o, "merchantd_http_request_duration_seconds_count{%s} %lld\n", label, count);
  }
  struct db_stats db;
  db_stats(&db);
  put(&o,
      "# HELP merchantd_http_requests_in_flight Requests being processed.\n"
      "# TYPE merchantd_http_requests_in_flight gauge\n"
      "merchantd_http_requests_in_flight %lld\n"
      "# HELP merchantd_db_connections_open PostgreSQL connections held (one per worker thread).\n"
      "# TYPE merchantd_db_connections_open gauge\n"
      "merchantd_db_connections_open %lld\n"
      "# HELP merchantd_db_connects_total Connection attempts to PostgreSQL.\n"
      "# TYPE merchantd_db_connects_total counter\n"
      "merchantd_db_connects_total %lld\n"
      "# HELP merchantd_db_connect_failures_total Failed connection attempts to PostgreSQL.\n"
      "# TYPE merchantd_db_connect_failures_total counter\n"
      "merchantd_db_connect_failures_total %lld\n"
      "# HELP merchantd_db_queries_total Statements executed.\n"
      "# TYPE merchantd_db_queries_total counter\n"
      "merchantd_db_queries_total %lld\n"
      "# HELP merchantd_db_query_errors_total Statements that failed.\n"
      "# TYPE merchantd_db_query_errors_total counter\n"
      "merchantd_db_query_errors_total %lld\n",
      atomic_load(&in_flight), db.connections_open, db.connects, db.connect_failures, db.queries,
      db.query_errors);
  put_replica(&o);
  for (size_t i = 0; i < ngauges; i++)
    if (gauges[i].value >= 0)
      put(&o, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", gauges[i].name, gauges[i].help,
          gauges[i].name, gauges[i].name, gauges[i].value);
  *len = o.len;
  return o.buf;
}
