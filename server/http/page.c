#include "page.h"

#include "reply.h"

void page_begin(struct page *pg, int64_t limit)
{
  *pg = (struct page){.out = JSONOUT_INIT, .limit = limit};
  jsonout_begin_object(&pg->out);
  jsonout_key(&pg->out, "items");
  jsonout_begin_array(&pg->out);
}

bool page_row(struct page *pg)
{
  return ++pg->rows <= pg->limit;
}

void page_end(struct page *pg, char kind)
{
  jsonout_end_array(&pg->out);
  bool more = pg->rows > pg->limit;
  char next[CURSOR_TEXT_SIZE];
  if (more)
    cursor_encode(kind, &pg->last, next);
  jsonout_field_string(&pg->out, "next_cursor", more ? next : NULL);
}

enum MHD_Result page_reply(struct http_request *rq, struct page *pg, char kind)
{
  page_end(pg, kind);
  jsonout_end_object(&pg->out);
  return reply_jsonout(rq, MHD_HTTP_OK, &pg->out);
}

bool page_row_by_id(struct page *pg, int64_t id)
{
  if (!page_row(pg))
    return false;
  pg->last = (struct cursor){0, id};
  return true;
}

enum MHD_Result page_reply_read(struct http_request *rq, struct page *pg, int db_status, char kind)
{
  if (db_status < 0) {
    jsonout_free(&pg->out);
    return reply_db_error(rq, db_status);
  }
  return page_reply(rq, pg, kind);
}
