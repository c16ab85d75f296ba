/* An independent reading of markdown_render's output, shared by its unit
 * test and its fuzz harness: true when every tag is an allowed element
 * with allowed attributes only, every attribute value is quoted and holds
 * no markup, every href or src has no scheme or an allowed one as a browser
 * would read it (attribute references decoded, spaces and control
 * characters ignored), and no '>' stands outside a tag. */
#ifndef MERCHANTD_MARKDOWN_CHECK_H
#define MERCHANTD_MARKDOWN_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char *const markdown_check_tags[] = {
    "p",   "h1",         "h2", "h3", "h4", "h5", "h6",  "em", "strong", "code",
    "pre", "blockquote", "ul", "ol", "li", "a",  "img", "hr", "br",     NULL};

static bool markdown_check_in(const char *const *list, const char *s, size_t n)
{
  for (size_t i = 0; list[i] != NULL; i++)
    if (strlen(list[i]) == n && strncmp(list[i], s, n) == 0)
      return true;
  return false;
}

/* The attribute value v (n bytes, as written) read as a browser reads a
 * URL's scheme. */
static bool markdown_check_url(const char *v, size_t n, bool image)
{
  char s[2048];
  size_t k = 0;
  for (size_t i = 0; i < n && k + 1 < sizeof s; i++) {
    char c = v[i];
    if (c == '&') {
      static const struct {
        const char *e;
        char c;
      } refs[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
      bool known = false;
      for (size_t j = 0; j < sizeof refs / sizeof refs[0]; j++)
        if (n - i >= strlen(refs[j].e) && strncmp(v + i, refs[j].e, strlen(refs[j].e)) == 0) {
          c = refs[j].c;
          i += strlen(refs[j].e) - 1;
          known = true;
          break;
        }
      if (!known)
        return false; /* the renderer writes no other reference */
    }
    if ((unsigned char)c <= 0x20 || c == 0x7f)
      continue;
    s[k++] = c;
  }
  s[k] = '\0';
  size_t scheme = strcspn(s, ":/?#\\");
  if (s[scheme] != ':')
    return true;
  if ((scheme == 4 && strncasecmp(s, "http", 4) == 0) ||
      (scheme == 5 && strncasecmp(s, "https", 5) == 0))
    return true;
  return !image && scheme == 6 && strncasecmp(s, "mailto", 6) == 0;
}

static bool markdown_check(const char *html, size_t len)
{
  size_t i = 0;
  while (i < len) {
    if (html[i] == '>' || html[i] == '\0')
      return false;
    if (html[i] != '<') {
      i++;
      continue;
    }
    i++;
    bool closing = i < len && html[i] == '/';
    if (closing)
      i++;
    size_t name = i;
    while (i < len && ((html[i] >= 'a' && html[i] <= 'z') || (html[i] >= '0' && html[i] <= '9')))
      i++;
    if (!markdown_check_in(markdown_check_tags, html + name, i - name))
      return false;
    bool is_a = i - name == 1 && html[name] == 'a';
    bool is_img = i - name == 3 && strncmp(html + name, "img", 3) == 0;
    bool is_ol = i - name == 2 && strncmp(html + name, "ol", 2) == 0;
    for (;;) {
      if (i >= len)
        return false;
      if (html[i] == '>') {
        i++;
        break;
      }
      if (html[i] == ' ') {
        i++;
        continue;
      }
      if (html[i] == '/' && i + 1 < len && html[i + 1] == '>') {
        i += 2;
        break;
      }
      if (closing)
        return false;
      size_t an = i;
      while (i < len && html[i] >= 'a' && html[i] <= 'z')
        i++;
      size_t alen = i - an;
      const char *a = html + an;
      bool href = is_a && alen == 4 && strncmp(a, "href", 4) == 0;
      bool rel = is_a && alen == 3 && strncmp(a, "rel", 3) == 0;
      bool src = is_img && alen == 3 && strncmp(a, "src", 3) == 0;
      bool alt = is_img && alen == 3 && strncmp(a, "alt", 3) == 0;
      bool start = is_ol && alen == 5 && strncmp(a, "start", 5) == 0;
      if (!(href || rel || src || alt || start))
        return false;
      if (i + 1 >= len || html[i] != '=' || html[i + 1] != '"')
        return false;
      i += 2;
      size_t v = i;
      while (i < len && html[i] != '"') {
        if (html[i] == '<' || html[i] == '>' || html[i] == '\0')
          return false;
        i++;
      }
      if (i >= len)
        return false;
      if ((href || src) && !markdown_check_url(html + v, i - v, src))
        return false;
      i++;
    }
  }
  return true;
}

#endif
