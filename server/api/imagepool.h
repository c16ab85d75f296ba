/* Image decoding off the HTTP threads, like argon2id (hashpool.h): a fixed
 * set of low-priority workers (MERCHANTD_IMAGE_WORKERS) decodes, re-encodes
 * and stores uploads while their requests wait suspended. The queue is
 * bounded (MERCHANTD_IMAGE_QUEUE): past it, callers answer 503. */
#ifndef MERCHANTD_IMAGEPOOL_H
#define MERCHANTD_IMAGEPOOL_H

#include "image.h"
#include "workpool.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct imagepool_job {
  const void *data; /* the uploaded bytes, kept alive by the caller */
  size_t len;
  /* The outcome: with IMAGE_OK the three files are stored under sha256. */
  enum image_result result;
  char reason[IMAGE_REASON_SIZE];
  struct image_header header;
  char sha256[65];
  uint64_t bytes; /* of the stored original */
  /* Called on a worker thread when the job is done. */
  void (*done)(struct imagepool_job *job, void *arg);
  void *arg;
  struct workpool_item item; /* the pool's */
};

bool imagepool_start(unsigned workers, unsigned queue_limit);
/* Finishes queued jobs, then stops the workers. */
void imagepool_stop(void);
/* False when the queue is full (or the pool is not running). */
bool imagepool_submit(struct imagepool_job *job);
/* Decodes, re-encodes and stores on the calling thread. */
void imagepool_run(struct imagepool_job *job);
/* Whether the three files of a picture are in the media store; an upload
 * looks again under the picture's lock before its entry commits, since the
 * collector may have removed them after they were stored. */
bool imagepool_stored(const char *sha256, enum image_format format);
/* Decodes running or waiting now, for /metrics. */
unsigned imagepool_in_system(void);

#endif
