/* IP addresses and networks, and who the client is behind trusted proxies
 * (MERCHANTD_TRUSTED_PROXIES and X-Forwarded-For). Pure: no sockets, no
 * configuration, so every hostile header can be tried in a unit test. */
#ifndef MERCHANTD_NETADDR_H
#define MERCHANTD_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

#define NETADDR_LIST_MAX  64 /* networks in one list */
#define NETADDR_TEXT_SIZE 64 /* an address as text, with its NUL */

/* An IPv4 or IPv6 address; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is
 * held as the IPv4 address it maps, so both spellings match alike. */
struct netaddr {
  int family; /* AF_INET or AF_INET6 */
  unsigned char bytes[16];
};

struct netaddr_net {
  struct netaddr addr; /* its bits past the prefix are zero */
  unsigned prefix;     /* 0..32 for IPv4, 0..128 for IPv6 */
};

struct netaddr_list {
  struct netaddr_net nets[NETADDR_LIST_MAX];
  size_t n;
};

/* Parses one address of `len` bytes: dotted IPv4, IPv6, IPv6 in brackets,
 * either with a ":port" after it (as some proxies write them). Nothing else
 * is accepted, spaces included. */
bool netaddr_parse(const char *s, size_t len, struct netaddr *out);

/* Writes the address in its canonical text form. */
void netaddr_format(const struct netaddr *a, char out[NETADDR_TEXT_SIZE]);

/* Parses a comma-separated list of addresses and networks (a.b.c.d/n,
 * x::y/n); spaces around items are allowed, an empty spec is an empty list.
 * On a bad item writes why into err and returns false. */
bool netaddr_list_parse(const char *spec, struct netaddr_list *out, char *err, size_t err_size);

bool netaddr_list_contains(const struct netaddr_list *list, const struct netaddr *a);

/* The client behind `peer` (the TCP peer's address as text). When the peer
 * is in `trusted`, the X-Forwarded-For values (`xff`, the headers in the
 * order they came, each a comma-separated list) are walked from the right:
 * the first address that is not itself trusted is the client. A malformed
 * entry ends the walk: every entry to its right was written by a trusted
 * proxy, which writes only addresses, so it and everything to its left came
 * from the client; the client is then the last trusted hop seen. When every
 * entry is trusted, it is the leftmost one. Otherwise the client is the
 * peer. Writes the canonical text ("unknown" for a peer that is not an
 * address). */
void netaddr_client(const struct netaddr_list *trusted, const char *peer, const char *const *xff,
                    size_t n_xff, char out[NETADDR_TEXT_SIZE]);

#endif
