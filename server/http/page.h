/* A list reply written as it is read: {"items": [...], "next_cursor": ...}.
 * Every list query asks for one row more than the page holds; that row is
 * not shown, it only tells that a next page exists. */
#ifndef MERCHANTD_PAGE_H
#define MERCHANTD_PAGE_H

#include "cursor.h"
#include "jsonout.h"
#include "request.h"

#include <stdbool.h>
#include <stdint.h>

struct page {
  struct jsonout out;
  int64_t limit, rows;
  struct cursor last; /* of the last row shown: the caller sets it */
};

/* Opens {"items": [ for a page of limit rows. */
void page_begin(struct page *pg, int64_t limit);
/* Counts a row the query returned; true when it goes on the page (the
 * caller then writes it and sets last). */
bool page_row(struct page *pg);
/* page_row for a list keyed by id alone: when the row goes on the page,
 * last becomes {0, id} and the caller writes the row. */
bool page_row_by_id(struct page *pg, int64_t id);
/* Closes the items and writes next_cursor, of kind, after last when a row
 * past the page came back; the object stays open for more members. */
void page_end(struct page *pg, char kind);
/* page_end, then the object closed and sent. */
enum MHD_Result page_reply(struct http_request *rq, struct page *pg, char kind);
/* page_reply when the read that filled the page succeeded (db_status >= 0),
 * else the read's error reply, the page freed. */
enum MHD_Result page_reply_read(struct http_request *rq, struct page *pg, int db_status, char kind);

#endif
