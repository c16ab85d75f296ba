#include "../fuzz/markdown_check.h"
#include "markdown.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static char *render(const char *md)
{
  size_t len = 0;
  char *html = markdown_render(md, strlen(md), &len);
  if (html == NULL || strlen(html) != len) {
    free(html);
    return NULL;
  }
  return html;
}

/* md renders to exactly want. */
static bool renders_as(const char *md, const char *want)
{
  char *html = render(md);
  bool ok = html != NULL && strcmp(html, want) == 0;
  if (!ok)
    fprintf(stderr, "markdown %s\n  gave %s\n  want %s\n", md, html ? html : "(null)", want);
  free(html);
  return ok;
}

/* html passes the strict reading, and holds no tag that can run whatever
 * its case (a second, blunter look). */
static bool harmless(const char *html)
{
  size_t n = strlen(html);
  char *l = malloc(n + 1);
  if (l == NULL)
    return false;
  for (size_t i = 0; i <= n; i++)
    l[i] = (char)(html[i] >= 'A' && html[i] <= 'Z' ? html[i] + 32 : html[i]);
  static const char *const bad[] = {
      "<script", "<iframe", "<svg",  "<object", "<embed", "<style",        "<link",   "<meta",
      "<form",   "<input",  "<base", "<body",   "<math",  "\"javascript:", "\"data:", NULL};
  bool ok = markdown_check(html, n);
  for (int i = 0; bad[i] != NULL; i++)
    if (strstr(l, bad[i]) != NULL)
      ok = false;
  free(l);
  return ok;
}

/* The XSS corpus: OWASP's filter-evasion cheat sheet vectors, written raw
 * and inside Markdown links and images, nested and broken tags, and URLs
 * hidden behind character references, percent-encoding and control
 * characters. Each must render to nothing that can run. */
static const char *const corpus[] = {
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=https://cdn.jsdelivr.net/gh/Moksh45/host-xss.rocks/index.js></SCRIPT>",
    "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/"
    "[*/[]/+alert(1)//'>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x "
    "onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#"
    "0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#"
    "0000083&#0000083&#0000039&#0000041\">",
    "<IMG "
    "SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#"
    "116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG "
    "SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#"
    "x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
    "<iframe src=http://xss.rocks/scriptlet.html <",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<svg/onload=alert('XSS')>",
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html "
    "base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.rocks/scriptlet.html\"></OBJECT>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH "
    "A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv\" "
    "AllowScriptAccess=\"always\"></EMBED>",
    "<math><mtext><table><mglyph><style><img src=x "
    "onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<div><p><b><i><script>alert(1)</script></i></b></p></div>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](java&#9;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](javascript&#58alert(1))",
    "[click](java%73cript:alert(1))",
    "[click](%6A%61%76%61%73%63%72%69%70%74%3Aalert(1))",
    "[click](java%2573cript:alert(1))",
    "[click](javascript&amp;colon;alert(1))",
    "[click]( javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](<java\tscript:alert(1)>)",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](livescript:alert(1))",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+)",
    "![x\" onerror=\"alert(1)](http://a/b.png)",
    "![x](http://a/b.png\" onerror=\"alert(1))",
    "[x](http://a/\" onmouseover=\"alert(1))",
    "[x](http://a/ \"title\" onmouseover=\"alert(1)\")",
    "[![img](javascript:alert(1))](javascript:alert(2))",
    "> <script>alert(1)</script>\n> - <img src=x onerror=alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "***<script>***alert(1)</script>",
    "<a href=\"&#x6A;avascript:alert(1)\">[x](https://ok.example)</a>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "\"><script>alert(1)</script>",
    "'';!--\"<XSS>=&{()}",
    NULL,
};

int main(void)
{
  /* What each construct renders to. */
  CHECK(renders_as(
      "# 经营干货\n\n*em* **strong** `code`\n",
      "<h1>经营干货</h1>\n<p><em>em</em> <strong>strong</strong> <code>code</code></p>\n"));
  CHECK(renders_as("> quote\n", "<blockquote>\n<p>quote</p>\n</blockquote>\n"));
  CHECK(renders_as("- a\n- b\n", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"));
  CHECK(renders_as("3. x\n4. y\n", "<ol start=\"3\">\n<li>x</li>\n<li>y</li>\n</ol>\n"));
  CHECK(renders_as("```c\nint x < 1;\n```\n", "<pre><code>int x &lt; 1;\n</code></pre>\n"));
  CHECK(renders_as("a  \nb\n---\n", "<h2>a<br />\nb</h2>\n"));
  CHECK(renders_as("a\n\n***\n", "<p>a</p>\n<hr />\n"));
  CHECK(renders_as("[site](https://example.com/a?b=1&c=2)",
                   "<p><a href=\"https://example.com/a?b=1&amp;c=2\" "
                   "rel=\"nofollow noopener noreferrer\">site</a></p>\n"));
  CHECK(renders_as("[mail](mailto:help@example.com)",
                   "<p><a href=\"mailto:help@example.com\" "
                   "rel=\"nofollow noopener noreferrer\">mail</a></p>\n"));
  CHECK(renders_as("[rel](/v1/community/articles/2#c)",
                   "<p><a href=\"/v1/community/articles/2#c\" "
                   "rel=\"nofollow noopener noreferrer\">rel</a></p>\n"));
  CHECK(renders_as("![图 *1*](https://img.example/a.png \"t\")",
                   "<p><img src=\"https://img.example/a.png\" alt=\"图 1\" /></p>\n"));
  /* Refused URLs: the link's text, the image's alt, as text. */
  CHECK(renders_as("[click](javascript:alert(1))", "<p>click</p>\n"));
  CHECK(renders_as("![a<b](javascript:alert(1))", "<p>a&lt;b</p>\n"));
  CHECK(renders_as("![x](mailto:a@b.c)", "<p>x</p>\n"));
  /* Raw HTML is text. */
  CHECK(renders_as("<b onclick=\"x()\">hi</b>",
                   "<p>&lt;b onclick=&quot;x()&quot;&gt;hi&lt;/b&gt;</p>\n"));
  CHECK(renders_as("<div>\n<script>alert(1)</script>\n</div>\n",
                   "<p>&lt;div&gt;\n&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;/div&gt;\n</p>\n"));
  /* Invalid UTF-8 is replaced, never passed on. */
  char *bad = render("a\xff\xfe b");
  CHECK(bad != NULL && strstr(bad, "\xff") == NULL);
  free(bad);

  /* URL rules by themselves. */
  CHECK(markdown_url_allowed("https://a.example/x", true));
  CHECK(markdown_url_allowed("HTTP://a.example/x", false));
  CHECK(markdown_url_allowed("relative/path:with-colon-later", false));
  CHECK(markdown_url_allowed("?q=a:b", false));
  CHECK(!markdown_url_allowed("mailto:a@b.c", true));
  CHECK(!markdown_url_allowed("java\tscript:alert(1)", false));
  CHECK(!markdown_url_allowed("java&#x09;script:alert(1)", false));
  CHECK(!markdown_url_allowed("&#x6A;avascript:alert(1)", false));
  CHECK(!markdown_url_allowed("javascript&colon;alert(1)", false));
  CHECK(!markdown_url_allowed("javascript&#58alert(1)", false));
  CHECK(!markdown_url_allowed("java%73cript:alert(1)", false));
  CHECK(!markdown_url_allowed("java%2573cript:alert(1)", false));
  CHECK(!markdown_url_allowed("\x01\x02javascript:alert(1)", false));
  CHECK(!markdown_url_allowed("data:text/html,<script>", true));
  CHECK(!markdown_url_allowed("vbscript:x", false));
  CHECK(!markdown_url_allowed("ftp://a", false));
  CHECK(markdown_url_allowed("%", false));

  /* The corpus, raw and inside the usual Markdown containers. */
  for (int i = 0; corpus[i] != NULL; i++) {
    const char *wrap[] = {"%s",       "> %s", "- %s", "**%s**", "# %s", "[%s](https://ok.example)",
                          "1. > - %s"};
    for (size_t w = 0; w < sizeof wrap / sizeof wrap[0]; w++) {
      char md[2048];
      snprintf(md, sizeof md, wrap[w], corpus[i]);
      char *html = render(md);
      bool ok = html != NULL && harmless(html);
      if (!ok)
        fprintf(stderr, "corpus %d (%zu) gave %s\n", i, w, html ? html : "(null)");
      CHECK(ok);
      free(html);
    }
  }

  /* The checker itself refuses what the renderer must never write. */
  CHECK(markdown_check("<p>x</p>", 8));
  CHECK(!markdown_check("<script>", 8));
  CHECK(!markdown_check("<img src=\"x\" onerror=\"y\" />", 27));
  CHECK(!markdown_check("<a href=\"java&#x09;script:x\">", 29));
  CHECK(!markdown_check("<a href=\"javascript:x\">", 23));
  CHECK(!markdown_check("<p>a > b</p>", 12));
  return unit_report("markdown");
}
