/* GET /media/{sha256}.{jpg|png|webp|gif} and /media/{sha256}_{800|200}.webp:
 * the stored image files, public. A name is the SHA-256 of the bytes, so
 * it can be neither guessed nor ever change: the reply may be cached for a
 * year, and the name itself is a strong ETag. The file goes out with
 * sendfile() (MHD_create_response_from_fd); its type is always an image
 * type, with nosniff, so no browser runs what an upload held. */
#include "handlers.h"
#include "image.h"
#include "mediastore.h"
#include "reply.h"

#include <stdio.h>
#include <string.h>

enum MHD_Result h_media_get(struct http_request *rq)
{
  const char *name = rq->file;
  if (!mediastore_name_ok(name))
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such file", NULL);
  const char *dot = strrchr(name, '.');
  enum image_format f = image_format_of_ext(dot + 1);
  uint64_t size = 0;
  int fd = mediastore()->open(name, &size);
  if (fd < 0 || f == IMAGE_UNKNOWN)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such file", NULL);
  char etag[MEDIASTORE_NAME_SIZE + 2];
  snprintf(etag, sizeof etag, "\"%.*s\"", (int)(dot - name), name);
  struct reply_file_info info = {size, image_format_mime(f), etag,
                                 "public, max-age=31536000, immutable"};
  return reply_file(rq, fd, &info);
}
