#include "imagepool.h"

#include "log.h"
#include "mediastore.h"
#include "workpool.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The names of a picture's three files, in the order they are stored. */
static void file_names(const char *sha256, enum image_format format,
                       char names[3][MEDIASTORE_NAME_SIZE])
{
  snprintf(names[0], MEDIASTORE_NAME_SIZE, "%.64s_800.webp", sha256);
  snprintf(names[1], MEDIASTORE_NAME_SIZE, "%.64s_200.webp", sha256);
  snprintf(names[2], MEDIASTORE_NAME_SIZE, "%.64s.%s", sha256, image_format_ext(format));
}

/* The renditions first, the original last: whichever file a crash leaves,
 * no row names it yet, and the garbage collector takes it. */
static bool store(struct imagepool_job *job, const struct image_out *out)
{
  const struct mediastore_backend *ms = mediastore();
  char names[3][MEDIASTORE_NAME_SIZE];
  file_names(job->sha256, out->header.format, names);
  return ms->put(names[0], out->large, out->large_len) &&
         ms->put(names[1], out->thumb, out->thumb_len) &&
         ms->put(names[2], out->original, out->original_len);
}

bool imagepool_stored(const char *sha256, enum image_format format)
{
  const struct mediastore_backend *ms = mediastore();
  char names[3][MEDIASTORE_NAME_SIZE];
  file_names(sha256, format, names);
  for (int i = 0; i < 3; i++) {
    uint64_t size;
    int fd = ms->open(names[i], &size);
    if (fd < 0)
      return false;
    close(fd);
  }
  return true;
}

void imagepool_run(struct imagepool_job *job)
{
  struct image_out out;
  job->result = image_process(job->data, job->len, &out, job->reason);
  if (job->result != IMAGE_OK)
    return;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, out.original, out.original_len);
  sodium_bin2hex(job->sha256, sizeof job->sha256, digest, sizeof digest);
  job->header = out.header;
  job->bytes = out.original_len;
  if (!store(job, &out)) {
    job->result = IMAGE_FAILED;
    snprintf(job->reason, sizeof job->reason, "could not store the image");
  }
  image_out_free(&out);
}

static void work(struct workpool_item *item)
{
  imagepool_run(WORKPOOL_JOB(item, struct imagepool_job, item));
}

static void finish(struct workpool_item *item)
{
  struct imagepool_job *job = WORKPOOL_JOB(item, struct imagepool_job, item);
  job->done(job, job->arg);
}

static struct workpool pool = WORKPOOL_INIT("image", work, finish);

bool imagepool_start(unsigned workers, unsigned queue_limit)
{
  return workpool_start(&pool, workers, queue_limit);
}

void imagepool_stop(void)
{
  workpool_stop(&pool);
}

bool imagepool_submit(struct imagepool_job *job)
{
  return workpool_submit(&pool, &job->item);
}

unsigned imagepool_in_system(void)
{
  return workpool_in_system(&pool);
}
