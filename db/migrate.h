/* Schema migrations and SQL function files. The SQL files under migrations/
 * and db/sql/ are compiled into the binary (cmake/embed_migrations.cmake);
 * schema_migrations records the migrations a database has applied and
 * schema_functions the function files, each with a checksum of its text. */
#ifndef MERCHANTD_MIGRATE_H
#define MERCHANTD_MIGRATE_H

#include "db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct migrate_file {
  int version;
  const char *name;
  const char *sql;
  size_t length;
};

extern const struct migrate_file migrate_files[];
extern const size_t migrate_file_count;
/* The function files of db/sql in apply order (version: the position). */
extern const struct migrate_file migrate_functions[];
extern const size_t migrate_function_count;

/* The result codes SQL functions return (db/sql/result_codes.txt), each with
 * the problem code C answers it with ("ok" for ok). */
struct migrate_result_code {
  const char *code;
  const char *problem;
};
extern const struct migrate_result_code migrate_result_codes[];
extern const size_t migrate_result_code_count;

/* Applies every pending migration and then every function file, in one
 * transaction, under an advisory lock so that concurrent runs are safe;
 * does nothing when all are current. Progress goes to `out`.
 * Returns 0 on success, 1 on failure (reason logged to stderr). */
int migrate_apply(const char *conninfo, FILE *out);
/* Prints applied and pending migrations and the state of each function
 * file. Same return convention. */
int migrate_status(const char *conninfo, FILE *out);

struct migrate_state {
  int pending;   /* embedded files not yet applied */
  bool mismatch; /* an applied file's checksum differs from the embedded one */
  bool unknown;  /* the database has a version this binary does not know */
  int functions_stale;    /* function files the database lacks or holds another text of */
  bool functions_unknown; /* the database has a function file this binary does not know */
};

/* Compares the database with the embedded migrations, on the calling
 * thread's pooled connection. */
enum db_status migrate_state_get(struct migrate_state *st);
/* Same on a connection of its own, for the command line. 0 ok, 1 failure. */
int migrate_state_check(const char *conninfo, struct migrate_state *st);

#endif
