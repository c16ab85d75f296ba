/* The ceiling for merchantd's HTTP layer: libmicrohttpd with a thread pool,
 * answering a fixed small JSON document. The event loop is epoll, as
 * merchantd runs it, or poll when asked (tests/bench/connections.sh
 * compares the two). */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char body[] = "{\"id\":1,\"role\":\"merchant\",\"username\":\"bench\"}";

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
  if (*con_cls == NULL) {
    *con_cls = conn; /* queue on the second call, as merchantd does */
    return MHD_YES;
  }
  struct MHD_Response *r =
      MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, "Content-Type", "application/json");
  enum MHD_Result ret = MHD_queue_response(conn, 200, r);
  MHD_destroy_response(r);
  return ret;
}

int main(int argc, char **argv)
{
  if (argc < 3 || argc > 4 ||
      (argc == 4 && strcmp(argv[3], "poll") != 0 && strcmp(argv[3], "epoll") != 0)) {
    fprintf(stderr, "usage: bare_mhd PORT THREADS [epoll|poll]\n");
    return 2;
  }
  unsigned loop = argc == 4 && strcmp(argv[3], "poll") == 0 ? MHD_USE_POLL_INTERNAL_THREAD
                                                            : MHD_USE_EPOLL_INTERNAL_THREAD;
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGINT);
  pthread_sigmask(SIG_BLOCK, &s, NULL);
  struct MHD_Daemon *d =
      MHD_start_daemon(loop | MHD_USE_ITC, (uint16_t)atoi(argv[1]), NULL, NULL, answer, NULL,
                       MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[2]),
                       MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_END);
  if (d == NULL)
    return 1;
  int sig;
  sigwait(&s, &sig);
  MHD_stop_daemon(d);
  return 0;
}
