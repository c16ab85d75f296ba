/* libFuzzer harness for the upload path's untrusted bytes: the multipart
 * parser (upload_parse), then content sniffing and the libvips load with the
 * limits uploads have (image_check), and for inputs that pass, the whole
 * decode and re-encode (image_process). The first byte picks how the bytes
 * arrive: raw with an image type, or as a multipart body. Invariants: a
 * refusal is IMAGE_UNSUPPORTED exactly when sniffing finds no format; an
 * accepted image has sides within the limits, and its stored original sniffs
 * as the same format and passes image_check again. */
#include "image.h"
#include "upload.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  if (!image_init())
    abort();
  return 0;
}

/* Decoding a large image takes seconds; the fuzzer learns nothing more from
 * one than from a small one with the same header. */
#define FUZZ_PROCESS_PIXELS 1000000ull

static void check_image(const unsigned char *buf, size_t len)
{
  struct image_header h;
  char reason[IMAGE_REASON_SIZE];
  enum image_result r = image_check(buf, len, &h, reason);
  if ((r == IMAGE_UNSUPPORTED) != (image_sniff(buf, len) == IMAGE_UNKNOWN)) {
    fprintf(stderr, "sniffing and image_check disagree: %s\n", reason);
    abort();
  }
  if (r != IMAGE_OK)
    return;
  if (h.width < 1 || h.height < 1 || h.width > IMAGE_MAX_SIDE || h.height > IMAGE_MAX_SIDE ||
      (uint64_t)h.width * (uint64_t)h.height > IMAGE_MAX_PIXELS)
    abort();
  if ((uint64_t)h.width * (uint64_t)h.height > FUZZ_PROCESS_PIXELS)
    return;
  struct image_out out;
  if (image_process(buf, len, &out, reason) != IMAGE_OK)
    return;
  struct image_header again;
  if (image_sniff(out.original, out.original_len) != out.header.format ||
      image_check(out.original, out.original_len, &again, reason) != IMAGE_OK ||
      out.large_len == 0 || out.thumb_len == 0) {
    fprintf(stderr, "a stored original does not read back: %s\n", reason);
    abort();
  }
  image_out_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  char *body = malloc(size);
  if (body == NULL)
    return 0;
  memcpy(body, data + 1, size - 1);
  body[size - 1] = '\0';
  const char *ctype = (data[0] & 1) ? "multipart/form-data; boundary=b" : "image/jpeg";
  struct http_upload up;
  const char *field;
  bool unsupported;
  if (upload_parse(ctype, body, size - 1, &up, &field, &unsupported) == NULL) {
    if (up.data < body || up.data + up.len > body + size - 1)
      abort();
    check_image((const unsigned char *)up.data, up.len);
  }
  free(body);
  return 0;
}
