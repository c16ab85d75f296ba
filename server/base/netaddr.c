#include "netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const unsigned char v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool is_space(char c)
{
  return c == ' ' || c == '\t';
}

/* A ":port" after an address: 1 to 5 digits, at most 65535. */
static bool is_port(const char *s)
{
  size_t n = strspn(s, "0123456789");
  if (n == 0 || n > 5 || s[n] != '\0')
    return false;
  unsigned long v = 0;
  for (size_t i = 0; i < n; i++)
    v = v * 10 + (unsigned long)(s[i] - '0');
  return v <= 65535;
}

bool netaddr_parse(const char *s, size_t len, struct netaddr *out)
{
  char buf[NETADDR_TEXT_SIZE];
  if (len == 0 || len >= sizeof buf)
    return false;
  memcpy(buf, s, len);
  buf[len] = '\0';
  if (memchr(buf, '\0', len) != NULL)
    return false;
  char *host = buf;
  int family;
  if (buf[0] == '[') {
    char *close = strchr(buf, ']');
    if (close == NULL || (close[1] != '\0' && (close[1] != ':' || !is_port(close + 2))))
      return false;
    *close = '\0';
    host = buf + 1;
    family = AF_INET6;
  } else {
    char *colon = strchr(buf, ':');
    if (colon == NULL) {
      family = AF_INET;
    } else if (strchr(colon + 1, ':') == NULL) {
      /* One colon: an IPv4 address and its port. */
      if (!is_port(colon + 1))
        return false;
      *colon = '\0';
      family = AF_INET;
    } else {
      family = AF_INET6;
    }
  }
  memset(out, 0, sizeof *out);
  if (family == AF_INET) {
    if (inet_pton(AF_INET, host, out->bytes) != 1)
      return false;
    out->family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, host, out->bytes) != 1)
    return false;
  out->family = AF_INET6;
  if (memcmp(out->bytes, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0) {
    memmove(out->bytes, out->bytes + 12, 4);
    memset(out->bytes + 4, 0, 12);
    out->family = AF_INET;
  }
  return true;
}

void netaddr_format(const struct netaddr *a, char out[NETADDR_TEXT_SIZE])
{
  if (inet_ntop(a->family, a->bytes, out, NETADDR_TEXT_SIZE) == NULL)
    strcpy(out, "unknown");
}

static unsigned full_prefix(int family)
{
  return family == AF_INET ? 32 : 128;
}

/* Zeroes the bits past the prefix. */
static void mask(struct netaddr *a, unsigned prefix)
{
  for (unsigned i = 0; i < 16; i++) {
    unsigned bit = i * 8;
    if (bit >= prefix)
      a->bytes[i] = 0;
    else if (bit + 8 > prefix)
      a->bytes[i] &= (unsigned char)(0xff << (8 - (prefix - bit)));
  }
}

/* One item of a list: an address, or an address and a prefix length. */
static bool parse_net(const char *s, size_t len, struct netaddr_net *out)
{
  const char *slash = memchr(s, '/', len);
  size_t addr_len = slash != NULL ? (size_t)(slash - s) : len;
  /* An IPv6 item is written bare; a bracket or a port has no place here. */
  if (addr_len == 0 || s[0] == '[')
    return false;
  char head[NETADDR_TEXT_SIZE];
  if (addr_len >= sizeof head)
    return false;
  memcpy(head, s, addr_len);
  head[addr_len] = '\0';
  /* Of the forms netaddr_parse takes, only bare addresses: one colon would
   * be an IPv4 address and a port. */
  char *colon = strchr(head, ':');
  if (colon != NULL && strchr(colon + 1, ':') == NULL)
    return false;
  bool mapped = strchr(head, ':') != NULL;
  if (!netaddr_parse(head, addr_len, &out->addr))
    return false;
  mapped = mapped && out->addr.family == AF_INET;
  unsigned max = mapped ? 128 : full_prefix(out->addr.family);
  unsigned prefix = max;
  if (slash != NULL) {
    size_t digits = len - addr_len - 1;
    if (digits == 0 || digits > 3 || strspn(slash + 1, "0123456789") < digits)
      return false;
    prefix = 0;
    for (size_t i = 0; i < digits; i++)
      prefix = prefix * 10 + (unsigned)(slash[1 + i] - '0');
    if (prefix > max)
      return false;
  }
  if (mapped) {
    /* ::ffff:a.b.c.d/n names IPv4 networks only from n = 96 on. */
    if (prefix < 96)
      return false;
    prefix -= 96;
  }
  out->prefix = prefix;
  mask(&out->addr, prefix);
  return true;
}

bool netaddr_list_parse(const char *spec, struct netaddr_list *out, char *err, size_t err_size)
{
  out->n = 0;
  if (spec == NULL)
    return true;
  const char *p = spec;
  while (is_space(*p))
    p++;
  if (*p == '\0')
    return true;
  for (;;) {
    const char *end = strchr(p, ',');
    size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
    const char *item = p;
    while (len > 0 && is_space(*item)) {
      item++;
      len--;
    }
    while (len > 0 && is_space(item[len - 1]))
      len--;
    if (out->n == NETADDR_LIST_MAX) {
      snprintf(err, err_size, "more than %d items", NETADDR_LIST_MAX);
      return false;
    }
    if (!parse_net(item, len, &out->nets[out->n])) {
      snprintf(err, err_size, "\"%.*s\" is not an IP address or network",
               (int)(len > 64 ? 64 : len), item);
      return false;
    }
    out->n++;
    if (end == NULL)
      return true;
    p = end + 1;
  }
}

static bool net_contains(const struct netaddr_net *net, const struct netaddr *a)
{
  if (net->addr.family != a->family)
    return false;
  unsigned whole = net->prefix / 8, rest = net->prefix % 8;
  if (memcmp(net->addr.bytes, a->bytes, whole) != 0)
    return false;
  if (rest == 0)
    return true;
  unsigned char m = (unsigned char)(0xff << (8 - rest));
  return (a->bytes[whole] & m) == net->addr.bytes[whole];
}

bool netaddr_list_contains(const struct netaddr_list *list, const struct netaddr *a)
{
  for (size_t i = 0; i < list->n; i++)
    if (net_contains(&list->nets[i], a))
      return true;
  return false;
}

/* Walks one header's entries from the right. True when the client was
 * found (written into *client); false when every entry was trusted (the
 * leftmost one is then in *last) or the walk must stop (*stop). */
static bool walk_header(const struct netaddr_list *trusted, const char *value, struct netaddr *last,
                        bool *stop, struct netaddr *client)
{
  size_t end = strlen(value);
  for (;;) {
    size_t start = end;
    while (start > 0 && value[start - 1] != ',')
      start--;
    size_t a = start, b = end;
    while (a < b && is_space(value[a]))
      a++;
    while (b > a && is_space(value[b - 1]))
      b--;
    struct netaddr hop;
    if (!netaddr_parse(value + a, b - a, &hop)) {
      *stop = true;
      return false;
    }
    if (!netaddr_list_contains(trusted, &hop)) {
      *client = hop;
      return true;
    }
    *last = hop;
    if (start == 0)
      return false;
    end = start - 1;
  }
}

void netaddr_client(const struct netaddr_list *trusted, const char *peer, const char *const *xff,
                    size_t n_xff, char out[NETADDR_TEXT_SIZE])
{
  struct netaddr last;
  if (peer == NULL || !netaddr_parse(peer, strlen(peer), &last)) {
    strcpy(out, "unknown");
    return;
  }
  if (netaddr_list_contains(trusted, &last)) {
    bool stop = false;
    for (size_t i = n_xff; i > 0 && !stop; i--) {
      struct netaddr client;
      if (xff[i - 1] != NULL && walk_header(trusted, xff[i - 1], &last, &stop, &client)) {
        netaddr_format(&client, out);
        return;
      }
    }
  }
  netaddr_format(&last, out);
}
