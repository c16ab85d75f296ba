#include "netaddr.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static struct netaddr_list trusted;

static void trust(const char *spec)
{
  char err[160];
  bool ok = netaddr_list_parse(spec, &trusted, err, sizeof err);
  CHECK(ok);
  if (!ok)
    fprintf(stderr, "  netaddr_list_parse(%s): %s\n", spec, err);
}

static void list_bad(const char *spec)
{
  struct netaddr_list l;
  char err[160] = "";
  bool ok = netaddr_list_parse(spec, &l, err, sizeof err);
  CHECK(!ok && err[0] != '\0');
  if (ok)
    fprintf(stderr, "  netaddr_list_parse(%s) accepted\n", spec);
}

static void parse_is(const char *s, const char *want)
{
  struct netaddr a;
  bool ok = netaddr_parse(s, strlen(s), &a);
  char out[NETADDR_TEXT_SIZE] = "(rejected)";
  if (ok)
    netaddr_format(&a, out);
  CHECK(strcmp(out, want) == 0);
  if (strcmp(out, want) != 0)
    fprintf(stderr, "  netaddr_parse(%s) = %s, want %s\n", s, out, want);
}

static bool contains(const char *s)
{
  struct netaddr a;
  return netaddr_parse(s, strlen(s), &a) && netaddr_list_contains(&trusted, &a);
}

/* The client behind peer with one X-Forwarded-For header (NULL: none). */
static void client_is(const char *peer, const char *xff, const char *want)
{
  char out[NETADDR_TEXT_SIZE];
  const char *v[1] = {xff};
  netaddr_client(&trusted, peer, v, xff != NULL ? 1 : 0, out);
  CHECK(strcmp(out, want) == 0);
  if (strcmp(out, want) != 0)
    fprintf(stderr, "  client(%s, %.80s) = %s, want %s\n", peer, xff ? xff : "-", out, want);
}

static void test_parse(void)
{
  parse_is("192.0.2.1", "192.0.2.1");
  parse_is("192.0.2.1:8080", "192.0.2.1");
  parse_is("2001:db8::1", "2001:db8::1");
  parse_is("2001:DB8:0:0::1", "2001:db8::1");
  parse_is("[2001:db8::1]", "2001:db8::1");
  parse_is("[2001:db8::1]:443", "2001:db8::1");
  parse_is("::ffff:192.0.2.1", "192.0.2.1");
  parse_is("[::ffff:192.0.2.1]:1", "192.0.2.1");
  parse_is("::1", "::1");
  parse_is("", "(rejected)");
  parse_is(" 192.0.2.1", "(rejected)");
  parse_is("192.0.2.1 ", "(rejected)");
  parse_is("192.0.2", "(rejected)");
  parse_is("192.0.2.256", "(rejected)");
  parse_is("192.0.2.01", "(rejected)");
  parse_is("0x7f.0.0.1", "(rejected)");
  parse_is("192.0.2.1:", "(rejected)");
  parse_is("192.0.2.1:65536", "(rejected)");
  parse_is("192.0.2.1:80x", "(rejected)");
  parse_is("[2001:db8::1", "(rejected)");
  parse_is("[2001:db8::1]x", "(rejected)");
  parse_is("[192.0.2.1]", "(rejected)");
  parse_is("2001:db8::1%eth0", "(rejected)");
  parse_is("unknown", "(rejected)");
  parse_is("_hidden", "(rejected)");
  parse_is("example.com", "(rejected)");
  parse_is("1.2.3.4\n", "(rejected)");
  char longest[200];
  memset(longest, '1', sizeof longest - 1);
  longest[sizeof longest - 1] = '\0';
  parse_is(longest, "(rejected)");
  /* A NUL inside the given length is not an address ending early. */
  struct netaddr a;
  CHECK(!netaddr_parse("1.2.3.4\0junk", 12, &a));
}

static void test_list(void)
{
  trust("");
  CHECK(trusted.n == 0);
  trust("   ");
  CHECK(trusted.n == 0);
  CHECK(!contains("127.0.0.1"));
  trust("127.0.0.1, 10.0.0.0/8,::1 ,fd00::/8,192.168.1.77/24, ::ffff:172.16.0.0/108");
  CHECK(trusted.n == 6);
  CHECK(contains("127.0.0.1"));
  CHECK(contains("::ffff:127.0.0.1"));
  CHECK(!contains("127.0.0.2"));
  CHECK(contains("10.0.0.1"));
  CHECK(contains("10.255.255.255"));
  CHECK(!contains("11.0.0.1"));
  CHECK(!contains("9.255.255.255"));
  CHECK(contains("::1"));
  CHECK(!contains("::2"));
  CHECK(contains("fd12:3456::1"));
  CHECK(!contains("fe80::1"));
  /* Host bits past the prefix are dropped: a /24 of the address given. */
  CHECK(contains("192.168.1.1"));
  CHECK(!contains("192.168.2.1"));
  /* ::ffff:172.16.0.0/108 is 172.16.0.0/12. */
  CHECK(contains("172.31.255.1"));
  CHECK(!contains("172.32.0.1"));
  /* IPv4 never matches an IPv6 network and the other way round. */
  trust("0.0.0.0/0");
  CHECK(contains("203.0.113.9"));
  CHECK(!contains("2001:db8::1"));
  trust("::/0");
  CHECK(contains("2001:db8::1"));
  CHECK(!contains("203.0.113.9"));
  trust("10.1.2.3/31");
  CHECK(contains("10.1.2.2") && contains("10.1.2.3") && !contains("10.1.2.4"));

  list_bad(",");
  list_bad("127.0.0.1,");
  list_bad("127.0.0.1,,10.0.0.1");
  list_bad("10.0.0.0/33");
  list_bad("::/129");
  list_bad("10.0.0.0/");
  list_bad("10.0.0.0/8/8");
  list_bad("10.0.0.0/-1");
  list_bad("10.0.0.0/0008");
  list_bad("10.0.0.0/8x");
  list_bad("localhost");
  list_bad("127.0.0.1:80");
  list_bad("[::1]");
  list_bad("::ffff:10.0.0.0/95");
  list_bad("10.0.0.1 10.0.0.2");
  char many[64 * 12 + 32] = "";
  for (int i = 0; i < NETADDR_LIST_MAX + 1; i++)
    snprintf(many + strlen(many), sizeof many - strlen(many), "%s10.0.0.%d", i ? "," : "", i);
  list_bad(many);
}

static void test_client(void)
{
  /* Nobody trusted: the header is ignored whatever it says. */
  trust("");
  client_is("203.0.113.5", NULL, "203.0.113.5");
  client_is("203.0.113.5", "198.51.100.1", "203.0.113.5");
  client_is("::ffff:203.0.113.5", "198.51.100.1", "203.0.113.5");
  client_is("unknown", "198.51.100.1", "unknown");
  client_is("", NULL, "unknown");

  trust("127.0.0.1, 10.0.0.0/8, fd00::/8");
  /* An untrusted peer's header is ignored. */
  client_is("203.0.113.5", "198.51.100.1", "203.0.113.5");
  client_is("203.0.113.5", "127.0.0.1", "203.0.113.5");
  /* A trusted peer without the header is the client itself. */
  client_is("127.0.0.1", NULL, "127.0.0.1");
  /* One hop. */
  client_is("127.0.0.1", "198.51.100.1", "198.51.100.1");
  client_is("127.0.0.1", "  198.51.100.1  ", "198.51.100.1");
  client_is("127.0.0.1", "2001:db8::7", "2001:db8::7");
  client_is("127.0.0.1", "[2001:db8::7]:5555", "2001:db8::7");
  client_is("127.0.0.1", "198.51.100.1:5555", "198.51.100.1");
  client_is("127.0.0.1", "::ffff:198.51.100.1", "198.51.100.1");
  client_is("fd00::1", "198.51.100.1", "198.51.100.1");
  client_is("::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1");
  /* Spoofed entries on the left lose to the rightmost untrusted one. */
  client_is("127.0.0.1", "1.1.1.1, 2.2.2.2, 198.51.100.1", "198.51.100.1");
  client_is("127.0.0.1", "1.1.1.1,198.51.100.1,10.0.0.3,10.9.9.9", "198.51.100.1");
  client_is("127.0.0.1", "garbage, 198.51.100.1", "198.51.100.1");
  client_is("127.0.0.1", "10.0.0.1, 198.51.100.1", "198.51.100.1");
  /* A malformed entry stops the walk at the last trusted hop. */
  client_is("127.0.0.1", "1.1.1.1, garbage, 10.0.0.3", "10.0.0.3");
  client_is("127.0.0.1", "1.1.1.1, , 10.0.0.3", "10.0.0.3");
  client_is("127.0.0.1", "garbage", "127.0.0.1");
  client_is("127.0.0.1", "", "127.0.0.1");
  client_is("127.0.0.1", ",", "127.0.0.1");
  client_is("127.0.0.1", "198.51.100.1,", "127.0.0.1");
  client_is("127.0.0.1", "unknown", "127.0.0.1");
  client_is("127.0.0.1", "1.1.1.1, \"><script>", "127.0.0.1");
  client_is("127.0.0.1", "1.1.1.1;2.2.2.2", "127.0.0.1");
  client_is("127.0.0.1", "for=198.51.100.1", "127.0.0.1");
  /* Every entry trusted: the leftmost. */
  client_is("127.0.0.1", "10.0.0.1, 10.0.0.2", "10.0.0.1");

  /* Huge headers: many commas, many trusted hops, one long entry. */
  size_t big = 100000;
  char *h = malloc(big + 64);
  CHECK(h != NULL);
  if (h == NULL)
    return;
  memset(h, ',', big);
  h[big] = '\0';
  client_is("127.0.0.1", h, "127.0.0.1");
  strcpy(h + big, "198.51.100.9");
  client_is("127.0.0.1", h, "198.51.100.9");
  size_t n = 0;
  strcpy(h, "198.51.100.3");
  n = strlen(h);
  while (n + 12 < big) {
    memcpy(h + n, ",10.1.1.1", 9);
    n += 9;
  }
  h[n] = '\0';
  client_is("127.0.0.1", h, "198.51.100.3");
  memset(h, '1', big);
  h[big] = '\0';
  client_is("127.0.0.1", h, "127.0.0.1");
  free(h);

  /* Several headers read as one list, the last one rightmost. */
  const char *two[2] = {"198.51.100.1", "10.0.0.2"};
  char out[NETADDR_TEXT_SIZE];
  netaddr_client(&trusted, "127.0.0.1", two, 2, out);
  CHECK(strcmp(out, "198.51.100.1") == 0);
  const char *spoof[2] = {"10.0.0.2", "198.51.100.1"};
  netaddr_client(&trusted, "127.0.0.1", spoof, 2, out);
  CHECK(strcmp(out, "198.51.100.1") == 0);
  const char *hole[3] = {"1.1.1.1", NULL, "garbage"};
  netaddr_client(&trusted, "127.0.0.1", hole, 3, out);
  CHECK(strcmp(out, "127.0.0.1") == 0);
}

int main(void)
{
  test_parse();
  test_list();
  test_client();
  return unit_report("netaddr");
}
