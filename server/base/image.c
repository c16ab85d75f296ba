#include "image.h"

#include "log.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <vips/vips.h>

static const struct {
  const char *ext, *name, *mime;
} formats[] = {
    [IMAGE_UNKNOWN] = {"", "", "application/octet-stream"},
    [IMAGE_JPEG] = {"jpg", "jpeg", "image/jpeg"},
    [IMAGE_PNG] = {"png", "png", "image/png"},
    [IMAGE_WEBP] = {"webp", "webp", "image/webp"},
    [IMAGE_GIF] = {"gif", "gif", "image/gif"},
};

const char *image_format_ext(enum image_format f)
{
  return formats[f].ext;
}

const char *image_format_name(enum image_format f)
{
  return formats[f].name;
}

const char *image_format_mime(enum image_format f)
{
  return formats[f].mime;
}

enum image_format image_format_of_ext(const char *ext)
{
  for (int f = IMAGE_JPEG; f <= IMAGE_GIF; f++)
    if (strcmp(ext, formats[f].ext) == 0)
      return (enum image_format)f;
  return IMAGE_UNKNOWN;
}

/* libvips keeps a cache of recent operations, their buffers included: an
 * upload's pixels would outlive it. Each decode runs on one thread, since
 * the worker pool is what bounds how many run at once. Loaders libvips
 * itself calls untrusted (ImageMagick, SVG, PDF) are blocked, though the
 * sniffing below never reaches them. */
bool image_init(void)
{
  if (VIPS_INIT("merchantd") != 0) {
    log_error("could not start libvips: %s", vips_error_buffer());
    vips_error_clear();
    return false;
  }
  vips_cache_set_max(0);
  vips_cache_set_max_mem(0);
  vips_concurrency_set(1);
  vips_block_untrusted_set(TRUE);
  return true;
}

void image_shutdown(void)
{
  vips_shutdown();
}

enum image_format image_sniff(const void *buf, size_t len)
{
  const unsigned char *b = buf;
  if (len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
    return IMAGE_JPEG;
  if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
    return IMAGE_PNG;
  if (len >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0))
    return IMAGE_GIF;
  if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
    return IMAGE_WEBP;
  return IMAGE_UNKNOWN;
}

/* Opens the header of buf with the loader its format names (never
 * libvips's own guess), reading pixels sequentially and failing on any
 * decoder error or truncation. GIF and WebP load their first frame. */
static VipsImage *load(const void *buf, size_t len, enum image_format f, VipsAccess access)
{
  VipsImage *im = NULL;
  void *b = (void *)buf;
  int r = -1;
  switch (f) {
  case IMAGE_JPEG:
    r = vips_jpegload_buffer(b, len, &im, "access", access, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    break;
  case IMAGE_PNG:
    r = vips_pngload_buffer(b, len, &im, "access", access, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    break;
  case IMAGE_WEBP:
    r = vips_webpload_buffer(b, len, &im, "access", access, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    break;
  case IMAGE_GIF:
    r = vips_gifload_buffer(b, len, &im, "access", access, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    break;
  case IMAGE_UNKNOWN:
    break;
  }
  return r == 0 ? im : NULL;
}

/* The libvips error text, cut to one line, as the reason. */
static void vips_reason(char reason[IMAGE_REASON_SIZE], const char *what)
{
  const char *e = vips_error_buffer();
  snprintf(reason, IMAGE_REASON_SIZE, "%s: %.*s", what, (int)strcspn(e, "\n"), e);
  vips_error_clear();
}

static enum image_result refuse(char reason[IMAGE_REASON_SIZE], enum image_result r,
                                const char *text)
{
  snprintf(reason, IMAGE_REASON_SIZE, "%s", text);
  return r;
}

/* The limits a header must meet before any pixel is decoded. */
static enum image_result check_header(VipsImage *im, size_t len, struct image_header *h,
                                      char reason[IMAGE_REASON_SIZE])
{
  h->width = vips_image_get_width(im);
  h->height = vips_image_get_height(im);
  h->frames = vips_image_get_n_pages(im);
  uint64_t pixels = (uint64_t)h->width * (uint64_t)h->height;
  if (h->width < 1 || h->height < 1)
    return refuse(reason, IMAGE_INVALID, "the image has no pixels");
  if (h->width > IMAGE_MAX_SIDE || h->height > IMAGE_MAX_SIDE)
    return refuse(reason, IMAGE_INVALID, "a side is longer than 16383 pixels");
  if (pixels > IMAGE_MAX_PIXELS)
    return refuse(reason, IMAGE_INVALID, "the image has more than 40 megapixels");
  if (pixels > (uint64_t)len * IMAGE_MAX_PIXELS_PER_BYTE)
    return refuse(reason, IMAGE_INVALID,
                  "the declared size is far beyond what the bytes sent can hold");
  if (h->frames > IMAGE_MAX_FRAMES)
    return refuse(reason, IMAGE_INVALID, "the image has more than 1000 frames");
  return IMAGE_OK;
}

/* Tags by which a browser's content sniffing (WHATWG MIME Sniffing, "the
 * HTML signatures", plus SVG) would take bytes for a page. Only names of
 * three letters and more: in 10 MB of compressed pixels a short one such as
 * "<b " turns up by chance, a longer one practically never. "<?xml" is not
 * one: photos carry XMP metadata, which is XML. */
static const char *const markup_tags[] = {
    "!doctype", "html",  "head",  "body", "script", "iframe", "object", "embed",
    "style",    "title", "table", "font", "svg",    "meta",   "link",   "form",
};

/* True when buf holds markup a browser could run: a "<" followed by one of
 * markup_tags (any case) and a byte that ends a tag name. A JPEG/HTML
 * polyglot — a real picture with a page after its end or in a comment — is
 * how a file served as an image gets executed where a content type or
 * nosniff is lost on the way (an old proxy, a "save as", a mail client). */
static bool carries_markup(const unsigned char *b, size_t len)
{
  const unsigned char *end = b + len;
  for (const unsigned char *p = memchr(b, '<', len); p != NULL;
       p = memchr(p + 1, '<', (size_t)(end - p - 1))) {
    for (size_t t = 0; t < sizeof markup_tags / sizeof markup_tags[0]; t++) {
      size_t n = strlen(markup_tags[t]);
      if ((size_t)(end - p - 1) <= n || strncasecmp((const char *)p + 1, markup_tags[t], n) != 0)
        continue;
      unsigned char after = p[1 + n];
      if (strchr(" \t\n\f\r/>", after) != NULL && after != '\0')
        return true;
    }
  }
  return false;
}

enum image_result image_check(const void *buf, size_t len, struct image_header *h,
                              char reason[IMAGE_REASON_SIZE])
{
  memset(h, 0, sizeof *h);
  reason[0] = '\0';
  if (len > IMAGE_MAX_BYTES)
    return refuse(reason, IMAGE_INVALID, "the file is larger than 10 MB");
  h->format = image_sniff(buf, len);
  if (h->format == IMAGE_UNKNOWN)
    return refuse(reason, IMAGE_UNSUPPORTED, "only JPEG, PNG, WebP and GIF images are accepted");
  if (carries_markup(buf, len))
    return refuse(reason, IMAGE_INVALID,
                  "the file carries HTML or XML markup besides the picture (a polyglot)");
  VipsImage *im = load(buf, len, h->format, VIPS_ACCESS_SEQUENTIAL);
  if (im == NULL) {
    vips_reason(reason, "could not read the image");
    return IMAGE_INVALID;
  }
  enum image_result r = check_header(im, len, h, reason);
  g_object_unref(im);
  return r;
}

/* Stops a decode past its deadline: libvips calls this as pixels are
 * computed, and a killed image fails its save. */
static void on_eval(VipsImage *im, VipsProgress *progress, void *deadline)
{
  if (time(NULL) > *(time_t *)deadline)
    vips_image_set_kill(im, TRUE);
}

/* Orientation applied (the tag itself is about to go), converted to 8-bit
 * sRGB through the embedded profile when there is one. Each step takes the
 * reference to *im. */
static bool normalise(VipsImage **im)
{
  VipsImage *out = NULL;
  if (vips_image_get_orientation(*im) > 1) {
    if (vips_autorot(*im, &out, NULL) != 0)
      return false;
    g_object_unref(*im);
    *im = out;
  }
  if (vips_image_get_typeof(*im, VIPS_META_ICC_NAME) != 0) {
    if (vips_icc_transform(*im, &out, "srgb", "embedded", TRUE, "depth", 8, NULL) == 0) {
      g_object_unref(*im);
      *im = out;
    } else {
      vips_error_clear(); /* a broken profile: fall back to the plain conversion */
    }
  }
  if (vips_image_get_interpretation(*im) != VIPS_INTERPRETATION_sRGB &&
      vips_image_get_interpretation(*im) != VIPS_INTERPRETATION_B_W) {
    if (vips_colourspace(*im, &out, VIPS_INTERPRETATION_sRGB, NULL) != 0)
      return false;
    g_object_unref(*im);
    *im = out;
  }
  if (vips_image_get_format(*im) != VIPS_FORMAT_UCHAR) {
    if (vips_cast_uchar(*im, &out, NULL) != 0)
      return false;
    g_object_unref(*im);
    *im = out;
  }
  return true;
}

/* Writes im in format f, without metadata. */
static int save(VipsImage *im, enum image_format f, void **buf, size_t *len)
{
  switch (f) {
  case IMAGE_JPEG:
    /* No optimize_coding: its second pass nearly doubles the encode for
     * about 7% smaller files. Chroma at half resolution (4:2:0), as
     * phones and cameras write it: libvips would keep full-resolution
     * chroma at Q 90, a slower encode and a file about 35% larger for
     * colour detail the upload never had. */
    return vips_jpegsave_buffer(im, buf, len, "Q", 90, "strip", TRUE, "subsample_mode",
                                VIPS_FOREIGN_SUBSAMPLE_ON, NULL);
  case IMAGE_PNG:
    return vips_pngsave_buffer(im, buf, len, "compression", 6, "strip", TRUE, NULL);
  case IMAGE_WEBP:
    return vips_webpsave_buffer(im, buf, len, "Q", 90, "strip", TRUE, NULL);
  case IMAGE_GIF:
    return vips_gifsave_buffer(im, buf, len, "strip", TRUE, NULL);
  case IMAGE_UNKNOWN:
    break;
  }
  return -1;
}

/* Drops every metadata field (EXIF, XMP, IPTC, the ICC profile, comments)
 * from a private copy: the savers' strip option leaves EXIF in a WebP made
 * by thumbnail. Takes the reference to *im. */
static bool drop_metadata(VipsImage **im)
{
  VipsImage *c = NULL;
  if (vips_copy(*im, &c, NULL) != 0)
    return false;
  g_object_unref(*im);
  *im = c;
  gchar **fields = vips_image_get_fields(c);
  for (gchar **f = fields; *f != NULL; f++)
    if (strncmp(*f, "exif", 4) == 0 || strncmp(*f, "xmp", 3) == 0 || strncmp(*f, "iptc", 4) == 0 ||
        strncmp(*f, "icc", 3) == 0 || strncmp(*f, "gif-comment", 11) == 0 ||
        strncmp(*f, "jpeg-", 5) == 0 || strncmp(*f, "png-comment", 11) == 0 ||
        strcmp(*f, "orientation") == 0)
      vips_image_remove(c, *f);
  g_strfreev(fields);
  return true;
}

static uint32_t le32(const unsigned char *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

/* libvips 8.14 writes an EXIF chunk into every WebP, strip or not (it
 * makes one from the resolution when the image has none): drop the EXIF,
 * XMP and ICCP chunks of the RIFF container in place and clear their flags
 * in VP8X. False when the buffer is not the WebP it should be. */
static bool webp_strip(unsigned char *b, size_t *len)
{
  if (*len < 12 || memcmp(b, "RIFF", 4) != 0 || memcmp(b + 8, "WEBP", 4) != 0)
    return false;
  size_t in = 12, out = 12;
  while (in + 8 <= *len) {
    uint32_t size = le32(b + in + 4);
    size_t whole = 8 + (size_t)size + (size & 1);
    if (whole > *len - in)
      return false;
    bool drop = memcmp(b + in, "EXIF", 4) == 0 || memcmp(b + in, "XMP ", 4) == 0 ||
                memcmp(b + in, "ICCP", 4) == 0;
    if (!drop) {
      memmove(b + out, b + in, whole);
      if (memcmp(b + out, "VP8X", 4) == 0 && size >= 1)
        b[out + 8] &= (unsigned char)~(0x20 | 0x08 | 0x04); /* ICC, EXIF, XMP */
      out += whole;
    }
    in += whole;
  }
  put_le32(b + 4, (uint32_t)(out - 8));
  *len = out;
  return true;
}

/* A WebP whose longest side is at most side, from an encoded buffer. */
static bool rendition(const void *buf, size_t len, int side, unsigned char **out, size_t *out_len)
{
  VipsImage *t = NULL;
  if (vips_thumbnail_buffer((void *)buf, len, &t, side, "height", side, "size", VIPS_SIZE_DOWN,
                            NULL) != 0)
    return false;
  if (!drop_metadata(&t)) {
    g_object_unref(t);
    return false;
  }
  void *b = NULL;
  int r = vips_webpsave_buffer(t, &b, out_len, "Q", 80, "strip", TRUE, NULL);
  g_object_unref(t);
  *out = b;
  return r == 0 && webp_strip(*out, out_len);
}

enum image_result image_process(const void *buf, size_t len, struct image_out *out,
                                char reason[IMAGE_REASON_SIZE])
{
  memset(out, 0, sizeof *out);
  enum image_result r = image_check(buf, len, &out->header, reason);
  if (r != IMAGE_OK)
    return r;
  /* Turning the image needs all of it at once; anything else streams. */
  enum image_format f = out->header.format;
  VipsImage *im = load(buf, len, f, VIPS_ACCESS_SEQUENTIAL);
  if (im != NULL && vips_image_get_orientation(im) > 1) {
    g_object_unref(im);
    im = load(buf, len, f, VIPS_ACCESS_RANDOM);
  }
  if (im == NULL) {
    vips_reason(reason, "could not read the image");
    return IMAGE_INVALID;
  }
  time_t deadline = time(NULL) + IMAGE_MAX_SECONDS;
  if (!normalise(&im)) {
    g_object_unref(im);
    vips_reason(reason, "could not convert the image");
    return IMAGE_INVALID;
  }
  vips_image_set_progress(im, TRUE);
  g_signal_connect(im, "eval", G_CALLBACK(on_eval), &deadline);
  void *orig = NULL;
  /* Decoding happens here: a corrupt body or the deadline fails the save. */
  int sr = save(im, f, &orig, &out->original_len);
  out->header.width = vips_image_get_width(im);
  out->header.height = vips_image_get_height(im);
  out->header.frames = 1;
  g_object_unref(im);
  out->original = orig;
  if (sr == 0 && f == IMAGE_WEBP && !webp_strip(out->original, &out->original_len))
    sr = -1;
  if (sr != 0) {
    vips_reason(reason, "could not decode the image");
    image_out_free(out);
    return IMAGE_INVALID;
  }
  /* The 800 px rendition comes from the upload itself, whose header passed
   * the checks above with its own format's loader: libvips shrinks JPEG and
   * WebP while loading them, which a second decode of the full-size
   * original would not allow. It applies the orientation and the embedded
   * profile itself, and the WebP is written without metadata. */
  if (!rendition(buf, len, IMAGE_LARGE_SIDE, &out->large, &out->large_len) ||
      !rendition(out->large, out->large_len, IMAGE_THUMB_SIDE, &out->thumb, &out->thumb_len)) {
    vips_reason(reason, "could not make the renditions");
    log_error("%s", reason);
    image_out_free(out);
    return IMAGE_FAILED;
  }
  return IMAGE_OK;
}

void image_out_free(struct image_out *out)
{
  g_free(out->original);
  g_free(out->large);
  g_free(out->thumb);
  out->original = out->large = out->thumb = NULL;
}
