/* Merchant growth (migrations/0035_growth.sql, docs/growth.md): the
 * staff's task and medal definitions, a shop's tasks and medal hall, and
 * the evaluation the job runs. The rules live in the SQL functions of
 * db/sql (growth_*.sql); each call here is one statement. Objects come
 * back as JSON text built by the database, copied into the reply as they
 * are; the text is valid only during the callback. */
#ifndef MERCHANTD_DB_GROWTH_H
#define MERCHANTD_DB_GROWTH_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* A document (NULL when there is none). */
typedef void db_growth_json_fn(const char *json, void *arg);
/* A row of a list: its id (the keyset) and the object. */
typedef void db_growth_row_fn(int64_t id, const char *json, void *arg);

/* Creates (id 0) or changes a task from body_json (checked by the
 * handler). code: "ok" (fn gets the task), "not_found", "key_taken". */
enum db_status db_growth_task_save(int64_t id, const char *body_json, int64_t staff_id, int64_t now,
                                   char code[DB_RESULT_CODE_SIZE], db_growth_json_fn *fn,
                                   void *arg);
/* DB_NONE when there is no such task. */
enum db_status db_growth_task_get(int64_t id, db_growth_json_fn *fn, void *arg);
/* Tasks by id after the id after (0: from the first); group NULL: any. */
enum db_status db_growth_tasks_page(const char *group, int64_t after, int limit,
                                    db_growth_row_fn *fn, void *arg);

/* Creates (id 0) or changes a medal. code: "ok" (fn gets the medal),
 * "not_found", "key_taken", "invalid_field" (fn gets {"errors": [...]}:
 * task keys that name no task). */
enum db_status db_growth_medal_save(int64_t id, const char *body_json, int64_t staff_id,
                                    int64_t now, char code[DB_RESULT_CODE_SIZE],
                                    db_growth_json_fn *fn, void *arg);
enum db_status db_growth_medal_get(int64_t id, db_growth_json_fn *fn, void *arg);
enum db_status db_growth_medals_page(int64_t after, int limit, db_growth_row_fn *fn, void *arg);

/* A shop's tasks with progress (group NULL: all groups) and its medal
 * hall. DB_NONE: no such shop of the merchant. */
enum db_status db_growth_shop(int64_t merchant_id, int64_t shop_id, const char *group,
                              db_growth_json_fn *fn, void *arg);
enum db_status db_growth_shop_medals(int64_t merchant_id, int64_t shop_id, db_growth_json_fn *fn,
                                     void *arg);

/* One evaluation of the shops with recent activity (growth_evaluate): the
 * shops looked at and the medals awarded. */
enum db_status db_growth_evaluate(int64_t now, int64_t *shops, int64_t *medals);
/* One batch of up to batch shops of the sweep of every shop after tasks or
 * medals changed (growth_sweep), one transaction; *done when no sweep is
 * left to do. */
enum db_status db_growth_sweep(int64_t now, int batch, int64_t *shops, int64_t *medals, bool *done);

#endif
