/* libFuzzer harness: Markdown from a community article or question on its
 * way to the HTML every merchant's app shows (markdown_render). For any
 * bytes: the renderer returns, its output is exactly as long as it says,
 * and the output holds nothing that can run: only allowed elements and
 * attributes, quoted values without markup, href and src without a scheme
 * or with an allowed one as a browser reads them (markdown_check.h, which
 * knows nothing of the renderer's code). */
#include "markdown.h"
#include "markdown_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* Bodies are capped at 20,000 characters; a little more covers the cap. */
  if (size > 100000)
    return 0;
  size_t len = 0;
  char *html = markdown_render((const char *)data, size, &len);
  if (html == NULL)
    abort();
  if (strlen(html) != len || !markdown_check(html, len)) {
    fprintf(stderr, "unsafe or malformed output: %s\n", html);
    abort();
  }
  free(html);
  return 0;
}
