/* Upload bodies (ROUTE_UPLOAD_BODY): a file sent raw with an "image/..."
 * Content-Type, or multipart/form-data (RFC 7578) with one "file" part and
 * the optional text fields "name" and "folder_id". The parts are found in
 * the accumulated body; nothing is copied. */
#ifndef MERCHANTD_UPLOAD_H
#define MERCHANTD_UPLOAD_H

#include "request.h"

#include <stddef.h>

/* The longest text field, in bytes. */
#define UPLOAD_FIELD_MAX 512

/* Reads rq->body into rq->upload: HTTP_STEP_OK, or the 400 or 415 is
 * queued. The body is changed in place (form fields get their NUL). */
enum http_step upload_read(struct http_request *rq);

/* The parser alone, for the fuzz harness and unit tests: content_type is
 * the request's; fills up and returns NULL, or what is wrong (then *field
 * names the part at fault, and *unsupported tells a 415). */
const char *upload_parse(const char *content_type, char *body, size_t len, struct http_upload *up,
                         const char **field, bool *unsupported);

#endif
