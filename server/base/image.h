/* Uploaded pictures: sniffing, decoding under limits, and re-encoding
 * without metadata, with libvips. Nothing here knows HTTP or the database;
 * every function may run on any thread (libvips is thread-safe once
 * image_init has run). */
#ifndef MERCHANTD_IMAGE_H
#define MERCHANTD_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum image_format { IMAGE_UNKNOWN, IMAGE_JPEG, IMAGE_PNG, IMAGE_WEBP, IMAGE_GIF };

enum image_result {
  IMAGE_OK,
  IMAGE_UNSUPPORTED, /* not a JPEG, PNG, WebP or GIF by its first bytes */
  IMAGE_INVALID,     /* truncated, corrupt, too many pixels, a bomb */
  IMAGE_FAILED,      /* out of memory or an encoder failure: not the file's fault */
};

/* What an upload may be. */
#define IMAGE_MAX_BYTES  (10u * 1024 * 1024)
#define IMAGE_MAX_PIXELS 40000000ull
#define IMAGE_MAX_SIDE   16383 /* WebP's own limit */
#define IMAGE_MAX_FRAMES 1000
/* Pixels per byte sent beyond which a file is taken for a decompression
 * bomb: deflate tops out near 1,032:1 on bytes, so even a one-bit blank PNG
 * stays below this, and a photo is far below. */
#define IMAGE_MAX_PIXELS_PER_BYTE 2000
/* A decode that takes longer than this is stopped. */
#define IMAGE_MAX_SECONDS 20

/* The renditions' longest sides. */
#define IMAGE_LARGE_SIDE 800
#define IMAGE_THUMB_SIDE 200

#define IMAGE_REASON_SIZE 160

struct image_header {
  enum image_format format;
  int width, height;
  int frames;
};

/* The stored forms of one upload, each malloc'd. */
struct image_out {
  struct image_header header; /* of the stored original (orientation applied) */
  unsigned char *original, *large, *thumb;
  size_t original_len, large_len, thumb_len;
};

/* Starts libvips; false when it cannot run. */
bool image_init(void);
void image_shutdown(void);

/* The format the first bytes announce. */
enum image_format image_sniff(const void *buf, size_t len);
/* "jpg", "png", "webp", "gif". */
const char *image_format_ext(enum image_format f);
/* "jpeg", "png", "webp", "gif" (the API's name). */
const char *image_format_name(enum image_format f);
/* The Content-Type a stored file is served with. */
const char *image_format_mime(enum image_format f);
/* The format of a file name's extension; IMAGE_UNKNOWN for another. */
enum image_format image_format_of_ext(const char *ext);

/* Sniffs and reads the header only (no pixels): the size, pixel and bomb
 * limits. reason says why a file was refused. */
enum image_result image_check(const void *buf, size_t len, struct image_header *h,
                              char reason[IMAGE_REASON_SIZE]);

/* image_check, then decodes every pixel, applies the orientation, converts
 * to sRGB and writes the original (same format, no metadata), an 800 px
 * WebP (shrunk from buf while loading it) and a 200 px one (from the 800).
 * On IMAGE_OK out holds them (image_out_free). */
enum image_result image_process(const void *buf, size_t len, struct image_out *out,
                                char reason[IMAGE_REASON_SIZE]);
void image_out_free(struct image_out *out);

#endif
