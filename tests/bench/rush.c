/* A rush of buyers on one write (tests/bench/campaign.sh): every token of
 * TOKENS sends METHOD PATH with BODY once, CONNS keep-alive connections at
 * a time, as fast as the server answers.
 *
 *   rush HOST PORT CONNS METHOD PATH BODY_FILE < TOKENS
 *
 * TOKENS: one "<anything> <token>" line per buyer (chat_client.py sessions
 * writes them). The connections are opened and each sends one GET /readyz
 * before the clock starts: the buyers are on the page when the sale opens.
 * Prints "ok_per_s p99_ms ok refused other seconds": ok are the 2xx
 * replies, their rate up to the last of them and the p99 of their times
 * from request to reply; refused the 409s (sold out); other anything else
 * (expected 0); seconds from the start to the last 2xx.
 *
 * In C rather than Python so that the client takes little of the CPU the
 * server and PostgreSQL share with it, as pgbench does beside it. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_TOKEN 128
#define REPLY_MAX (64 * 1024)

struct result {
  int status;
  double sent, answered; /* seconds since the start */
};

static const char *host, *method, *path;
static int port;
static char *body;
static size_t body_len;
static char (*tokens)[MAX_TOKEN];
static struct result *results;
static size_t ntokens;
static atomic_size_t next_token;
static pthread_barrier_t ready;
static struct timespec start;

static double since_start(void)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
}

static void die(const char *what)
{
  perror(what);
  exit(2);
}

static int connect_to_server(void)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    die("socket");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
    fprintf(stderr, "rush: HOST must be an IPv4 address\n");
    exit(2);
  }
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
    die("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      die("send");
    p += w;
    n -= (size_t)w;
  }
}

/* Reads one reply (headers and a Content-Length body); returns its status. */
static int read_reply(int fd, char *buf)
{
  size_t have = 0;
  char *end = NULL;
  while (end == NULL) {
    if (have == REPLY_MAX - 1) {
      fprintf(stderr, "rush: reply headers too long\n");
      exit(2);
    }
    ssize_t r = recv(fd, buf + have, REPLY_MAX - 1 - have, 0);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      die("recv");
    have += (size_t)r;
    buf[have] = '\0';
    end = strstr(buf, "\r\n\r\n");
  }
  int status = 0;
  if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) {
    fprintf(stderr, "rush: not an HTTP reply\n");
    exit(2);
  }
  size_t length = 0;
  for (char *line = strstr(buf, "\r\n"); line != NULL && line < end;
       line = strstr(line + 2, "\r\n"))
    if (strncasecmp(line + 2, "content-length:", 15) == 0)
      length = strtoul(line + 17, NULL, 10);
  size_t body_have = have - (size_t)(end + 4 - buf);
  while (body_have < length) {
    ssize_t r = recv(fd, buf, REPLY_MAX - 1, 0);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      die("recv");
    body_have += (size_t)r;
  }
  return status;
}

static void *buyer(void *arg)
{
  (void)arg;
  char *buf = malloc(REPLY_MAX), *req = malloc(1024 + body_len);
  if (buf == NULL || req == NULL)
    die("malloc");
  int fd = connect_to_server();
  int n = snprintf(req, 1024, "GET /readyz HTTP/1.1\r\nHost: %s\r\n\r\n", host);
  send_all(fd, req, (size_t)n);
  read_reply(fd, buf);
  int b = pthread_barrier_wait(&ready);
  if (b == PTHREAD_BARRIER_SERIAL_THREAD)
    clock_gettime(CLOCK_MONOTONIC, &start);
  pthread_barrier_wait(&ready); /* start is set */
  for (;;) {
    size_t i = atomic_fetch_add(&next_token, 1);
    if (i >= ntokens)
      break;
    n = snprintf(req, 1024,
                 "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                 method, path, host, tokens[i], body_len);
    memcpy(req + n, body, body_len);
    results[i].sent = since_start();
    send_all(fd, req, (size_t)n + body_len);
    results[i].status = read_reply(fd, buf);
    results[i].answered = since_start();
  }
  close(fd);
  free(buf);
  free(req);
  return NULL;
}

static int by_value(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static char *read_file(const char *name, size_t *len)
{
  FILE *f = fopen(name, "rb");
  if (f == NULL)
    die(name);
  char *s = malloc(1 << 20);
  if (s == NULL)
    die("malloc");
  *len = fread(s, 1, (1 << 20) - 1, f);
  fclose(f);
  while (*len > 0 && (s[*len - 1] == '\n' || s[*len - 1] == '\r'))
    (*len)--;
  s[*len] = '\0';
  return s;
}

int main(int argc, char **argv)
{
  if (argc != 7) {
    fprintf(stderr, "usage: rush HOST PORT CONNS METHOD PATH BODY_FILE < TOKENS\n");
    return 2;
  }
  host = argv[1];
  port = atoi(argv[2]);
  int conns = atoi(argv[3]);
  method = argv[4];
  path = argv[5];
  body = read_file(argv[6], &body_len);
  size_t cap = 1024;
  tokens = malloc(cap * sizeof *tokens);
  char line[512], token[MAX_TOKEN];
  while (tokens != NULL && fgets(line, sizeof line, stdin) != NULL) {
    if (sscanf(line, "%*s %127s", token) != 1)
      continue;
    if (ntokens == cap && (tokens = realloc(tokens, (cap *= 2) * sizeof *tokens)) == NULL)
      break;
    memcpy(tokens[ntokens++], token, MAX_TOKEN);
  }
  results = calloc(ntokens, sizeof *results);
  if (tokens == NULL || results == NULL || conns < 1)
    die("setup");
  pthread_barrier_init(&ready, NULL, (unsigned)conns);
  pthread_t *threads = malloc((size_t)conns * sizeof *threads);
  for (int t = 0; t < conns; t++)
    if (pthread_create(&threads[t], NULL, buyer, NULL) != 0)
      die("pthread_create");
  for (int t = 0; t < conns; t++)
    pthread_join(threads[t], NULL);

  double *ok = malloc(ntokens * sizeof *ok), last_ok = 0;
  size_t nok = 0, refused = 0, other = 0;
  for (size_t i = 0; i < ntokens; i++) {
    if (results[i].status >= 200 && results[i].status < 300) {
      ok[nok++] = results[i].answered - results[i].sent;
      if (results[i].answered > last_ok)
        last_ok = results[i].answered;
    } else if (results[i].status == 409) {
      refused++;
    } else {
      other++;
    }
  }
  qsort(ok, nok, sizeof *ok, by_value);
  double p99 = nok > 0 ? ok[(size_t)((double)(nok - 1) * 0.99 + 0.5)] : 0;
  if (last_ok <= 0)
    last_ok = 1e-6;
  printf("%.0f %.2f %zu %zu %zu %.3f\n", (double)nok / last_ok, p99 * 1000, nok, refused, other,
         last_ok);
  return 0;
}
