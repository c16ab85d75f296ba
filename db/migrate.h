/* Schema migrations. The SQL files under migrations/ are compiled into the
 * binary (cmake/embed_migrations.cmake); schema_migrations records what a
 * database has applied, with a checksum of each file. */
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

/* Applies every pending migration, each in its own transaction, under an
 * advisory lock so that concurrent runs are safe. Progress goes to `out`.
 * Returns 0 on success, 1 on failure (reason logged to stderr). */
int migrate_apply(const char *conninfo, FILE *out);
/* Prints applied and pending migrations. Same return convention. */
int migrate_status(const char *conninfo, FILE *out);

struct migrate_state {
  int pending;   /* embedded files not yet applied */
  bool mismatch; /* an applied file's checksum differs from the embedded one */
  bool unknown;  /* the database has a version this binary does not know */
};

/* Compares the database with the embedded migrations, on the calling
 * thread's pooled connection. */
enum db_status migrate_state_get(struct migrate_state *st);
/* Same on a connection of its own, for the command line. 0 ok, 1 failure. */
int migrate_state_check(const char *conninfo, struct migrate_state *st);

#endif
