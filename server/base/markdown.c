#include "markdown.h"

#include <cmark.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A growing output buffer; failed stays true once an allocation failed. */
struct buf {
  char *data;
  size_t len, cap;
  bool failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap > 0 ? b->cap : 256;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *data = realloc(b->data, cap);
    if (data == NULL) {
      b->failed = true;
      return;
    }
    b->data = data;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
  put(b, s, strlen(s));
}

/* Text and attribute values: the five characters HTML gives a meaning. */
static void put_escaped(struct buf *b, const char *s)
{
  if (s == NULL)
    return;
  const char *run = s;
  for (const char *p = s; *p != '\0'; p++) {
    const char *e = NULL;
    switch (*p) {
    case '&':
      e = "&amp;";
      break;
    case '<':
      e = "&lt;";
      break;
    case '>':
      e = "&gt;";
      break;
    case '"':
      e = "&quot;";
      break;
    case '\'':
      e = "&#39;";
      break;
    default:
      continue;
    }
    put(b, run, (size_t)(p - run));
    puts_(b, e);
    run = p + 1;
  }
  puts_(b, run);
}

/* ---------------------------------------------------------------------- */
/* URLs */

static int hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Named references a browser would turn into a character of a scheme or
 * its separator; any other name is left as it is (and then keeps a scheme
 * from being one of the allowed ones, as '&' is no scheme character). */
static const struct {
  const char *name;
  char c;
} named[] = {{"colon", ':'},  {"tab", '\t'},  {"newline", '\n'}, {"sol", '/'},
             {"period", '.'}, {"lpar", '('},  {"rpar", ')'},     {"amp", '&'},
             {"num", '#'},    {"quest", '?'}, {"semi", ';'},     {"percnt", '%'}};

/* One pass of character references (&#58; &#x3a; &colon;, the ';' being
 * optional as browsers allow) and percent-encoding, in place. A code point
 * beyond ASCII becomes 0x80, which no scheme holds, and NUL a control
 * character (dropped later). True when it changed s. */
static bool decode_once(char *s)
{
  char *w = s;
  bool changed = false;
  for (const char *r = s; *r != '\0';) {
    if (r[0] == '%' && hex_value(r[1]) >= 0 && hex_value(r[2]) >= 0) {
      int v = hex_value(r[1]) * 16 + hex_value(r[2]);
      *w++ = v == 0 ? '\x01' : (char)v; /* NUL would end the text: a control character */
      r += 3;
      changed = true;
      continue;
    }
    if (r[0] == '&' && r[1] == '#') {
      const char *p = r + 2;
      bool hex = *p == 'x' || *p == 'X';
      if (hex)
        p++;
      uint32_t v = 0;
      int digits = 0;
      for (; (hex ? hex_value(*p) >= 0 : (*p >= '0' && *p <= '9')); p++, digits++)
        if (v < 0x110000)
          v = v * (hex ? 16 : 10) + (uint32_t)(hex ? hex_value(*p) : *p - '0');
      if (digits > 0) {
        if (*p == ';')
          p++;
        *w++ = v == 0 ? '\x01' : v < 0x80 ? (char)v : (char)0x80;
        r = p;
        changed = true;
        continue;
      }
    }
    if (r[0] == '&') {
      bool found = false;
      for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        size_t n = strlen(named[i].name);
        if (strncasecmp(r + 1, named[i].name, n) == 0) {
          *w++ = named[i].c;
          r += 1 + n + (r[1 + n] == ';');
          changed = found = true;
          break;
        }
      }
      if (found)
        continue;
    }
    *w++ = *r++;
  }
  *w = '\0';
  return changed;
}

/* Drops spaces and control characters, in place: browsers drop them
 * around and inside a URL's scheme (java\tscript:); dropping every one is
 * stricter still. */
static void strip_blanks(char *s)
{
  char *w = s;
  for (const char *r = s; *r != '\0'; r++)
    if ((unsigned char)*r > 0x20 && *r != 0x7f)
      *w++ = *r;
  *w = '\0';
}

/* Whether s has no scheme or an allowed one: the scheme is what comes
 * before a ':' that no '/', '?', '#' or '\\' precedes. */
static bool scheme_allowed(const char *s, bool image)
{
  size_t n = strcspn(s, ":/?#\\");
  if (s[n] != ':')
    return true; /* relative: no scheme before the path, query or fragment */
  if ((n == 4 && strncasecmp(s, "http", 4) == 0) || (n == 5 && strncasecmp(s, "https", 5) == 0))
    return true;
  return !image && n == 6 && strncasecmp(s, "mailto", 6) == 0;
}

bool markdown_url_allowed(const char *url, bool image)
{
  size_t n = strlen(url);
  char *s = malloc(n + 1);
  if (s == NULL)
    return false;
  /* As written (a browser decodes no more than the attribute's own
   * references, which the renderer writes itself)... */
  memcpy(s, url, n + 1);
  strip_blanks(s);
  bool ok = scheme_allowed(s, image);
  /* ...and decoded: references inside percent-encoding inside
   * references..., until nothing changes, a bounded number of times (what
   * still changes after that is refused). Decoding may also make a
   * separator appear before the ':', which is why both must pass. */
  memcpy(s, url, n + 1);
  bool stable = false;
  for (int i = 0; i < 8 && !stable; i++)
    stable = !decode_once(s);
  strip_blanks(s);
  ok = ok && stable && scheme_allowed(s, image);
  free(s);
  return ok;
}

/* ---------------------------------------------------------------------- */
/* Rendering */

/* A paragraph of a tight list's item is written without <p>, as CommonMark's
 * reference renderer does. */
static bool in_tight_list(cmark_node *paragraph)
{
  cmark_node *item = cmark_node_parent(paragraph);
  cmark_node *list = item != NULL ? cmark_node_parent(item) : NULL;
  return list != NULL && cmark_node_get_type(list) == CMARK_NODE_LIST &&
         cmark_node_get_list_tight(list);
}

struct render {
  struct buf out;
  cmark_node *alt_of; /* the image whose alt text is being written, or NULL */
};

static void enter_or_exit(struct render *r, cmark_node *node, bool entering)
{
  struct buf *b = &r->out;
  cmark_node_type type = cmark_node_get_type(node);

  if (r->alt_of != NULL) {
    /* Inside an image: text only, into the alt attribute. */
    if (node == r->alt_of && !entering) {
      puts_(b, "\" />");
      r->alt_of = NULL;
    } else if (entering && (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE ||
                            type == CMARK_NODE_HTML_INLINE)) {
      put_escaped(b, cmark_node_get_literal(node));
    } else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
      puts_(b, " ");
    }
    return;
  }

  switch (type) {
  case CMARK_NODE_DOCUMENT:
    break;
  case CMARK_NODE_BLOCK_QUOTE:
    puts_(b, entering ? "<blockquote>\n" : "</blockquote>\n");
    break;
  case CMARK_NODE_LIST: {
    bool ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
    if (!entering) {
      puts_(b, ordered ? "</ol>\n" : "</ul>\n");
    } else if (ordered && cmark_node_get_list_start(node) != 1) {
      char tag[40];
      snprintf(tag, sizeof tag, "<ol start=\"%d\">\n", cmark_node_get_list_start(node));
      puts_(b, tag);
    } else {
      puts_(b, ordered ? "<ol>\n" : "<ul>\n");
    }
    break;
  }
  case CMARK_NODE_ITEM:
    puts_(b, entering ? "<li>" : "</li>\n");
    break;
  case CMARK_NODE_CODE_BLOCK:
    /* The info string (a language) is dropped: no class attribute. */
    puts_(b, "<pre><code>");
    put_escaped(b, cmark_node_get_literal(node));
    puts_(b, "</code></pre>\n");
    break;
  case CMARK_NODE_HTML_BLOCK:
    /* Raw HTML is shown as what it is: text. */
    puts_(b, "<p>");
    put_escaped(b, cmark_node_get_literal(node));
    puts_(b, "</p>\n");
    break;
  case CMARK_NODE_PARAGRAPH:
    if (!in_tight_list(node))
      puts_(b, entering ? "<p>" : "</p>\n");
    break;
  case CMARK_NODE_HEADING: {
    char tag[8];
    int level = cmark_node_get_heading_level(node);
    snprintf(tag, sizeof tag, entering ? "<h%d>" : "</h%d>\n",
             level >= 1 && level <= 6 ? level : 6);
    puts_(b, tag);
    break;
  }
  case CMARK_NODE_THEMATIC_BREAK:
    puts_(b, "<hr />\n");
    break;
  case CMARK_NODE_TEXT:
  case CMARK_NODE_HTML_INLINE:
    put_escaped(b, cmark_node_get_literal(node));
    break;
  case CMARK_NODE_CODE:
    puts_(b, "<code>");
    put_escaped(b, cmark_node_get_literal(node));
    puts_(b, "</code>");
    break;
  case CMARK_NODE_SOFTBREAK:
    puts_(b, "\n");
    break;
  case CMARK_NODE_LINEBREAK:
    puts_(b, "<br />\n");
    break;
  case CMARK_NODE_EMPH:
    puts_(b, entering ? "<em>" : "</em>");
    break;
  case CMARK_NODE_STRONG:
    puts_(b, entering ? "<strong>" : "</strong>");
    break;
  case CMARK_NODE_LINK: {
    /* A link whose URL is refused is its text alone. */
    const char *url = cmark_node_get_url(node);
    if (url == NULL || !markdown_url_allowed(url, false))
      break;
    if (entering) {
      puts_(b, "<a href=\"");
      put_escaped(b, url);
      puts_(b, "\" rel=\"nofollow noopener noreferrer\">");
    } else {
      puts_(b, "</a>");
    }
    break;
  }
  case CMARK_NODE_IMAGE: {
    /* An image whose URL is refused is its alt text, as text. */
    const char *url = cmark_node_get_url(node);
    if (entering && url != NULL && markdown_url_allowed(url, true)) {
      puts_(b, "<img src=\"");
      put_escaped(b, url);
      puts_(b, "\" alt=\"");
      r->alt_of = node;
    }
    break;
  }
  default:
    /* Custom blocks and inlines (never made by the parser): their text
     * only. */
    break;
  }
}

char *markdown_render(const char *md, size_t len, size_t *out_len)
{
  cmark_node *doc = cmark_parse_document(md, len, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
  if (doc == NULL)
    return NULL;
  struct render r = {{NULL, 0, 0, false}, NULL};
  put(&r.out, "", 0);
  cmark_iter *it = cmark_iter_new(doc);
  if (it == NULL) {
    cmark_node_free(doc);
    free(r.out.data);
    return NULL;
  }
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
    enter_or_exit(&r, cmark_iter_get_node(it), ev == CMARK_EVENT_ENTER);
  cmark_iter_free(it);
  cmark_node_free(doc);
  if (r.out.failed) {
    free(r.out.data);
    return NULL;
  }
  *out_len = r.out.len;
  return r.out.data;
}
