/* UTF-8 as the API stores it: what jansson and PostgreSQL accept. One
 * definition of a valid sequence for the request checks, error texts and
 * the log. */
#ifndef MERCHANTD_UTF8_H
#define MERCHANTD_UTF8_H

#include <stddef.h>

/* The length of the valid sequence at s (1 to 4): no overlong forms,
 * surrogates or code points past U+10FFFF; 0 when invalid, cut short, or
 * at the terminating NUL. */
size_t utf8_sequence(const unsigned char *s);

/* Counts characters (the input is known to be valid UTF-8). */
size_t utf8_length(const char *s, size_t bytes);

/* Makes s valid UTF-8 so that it can go into a reply: drops a sequence cut
 * short at the end (what a truncating snprintf leaves) and turns any other
 * invalid byte into '?'. */
void utf8_repair(char *s);

#endif
