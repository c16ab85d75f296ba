/* Community articles' Markdown (CommonMark, parsed by cmark) rendered to
 * HTML that holds only an allow-list of elements and attributes.
 *
 * cmark's own HTML renderer is not used: the HTML is written here from
 * cmark's syntax tree, so an element or attribute not written below cannot
 * appear whatever the input. Every text and attribute value is escaped; raw
 * HTML in the Markdown is shown as text; links and images keep their URL
 * only when markdown_url_allowed says so (else the link is its text and the
 * image its alt text). docs/community.md lists what comes out. */
#ifndef MERCHANTD_MARKDOWN_H
#define MERCHANTD_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

/* Elements the renderer writes (and nothing else): p h1-h6 em strong code
 * pre blockquote ul ol li a img hr br. Attributes: a href (and rel), img
 * src and alt, ol start. */

/* The HTML of md (len bytes of UTF-8; invalid sequences are replaced by
 * cmark), NUL-terminated, malloc'd; *out_len its length. NULL when out of
 * memory. */
char *markdown_render(const char *md, size_t len, size_t *out_len);

/* Whether url may be a link's href (image false) or an image's src (image
 * true): after decoding character references and percent-encoding and
 * dropping spaces and control characters, it has no scheme (a relative
 * URL) or its scheme is http or https (or mailto, for a link). */
bool markdown_url_allowed(const char *url, bool image);

#endif
