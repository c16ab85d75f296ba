#include "jobs.h"

#include "accounts.h"
#include "buyer_orders.h"
#include "campaigns.h"
#include "clock.h"
#include "community.h"
#include "config.h"
#include "event_log.h"
#include "growth.h"
#include "idempotency_keys.h"
#include "images.h"
#include "job_schedule.h"
#include "letters.h"
#include "live.h"
#include "log.h"
#include "mediastore.h"
#include "page_views.h"
#include "payout_job.h"
#include "promotions.h"
#include "reconcile.h"
#include "review.h"
#include "share_links.h"
#include "stats.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_US (86400 * CLOCK_US_PER_SEC)

struct job {
  const char *name;
  int64_t interval_us;
  enum db_status (*run)(int64_t now);
};

/* A step that counts what it did: "done N what" is logged when it
 * succeeded and did something. */
static enum db_status counted(enum db_status st, int64_t n, const char *done, const char *what)
{
  if (st >= DB_NONE && n > 0)
    log_info("%s %lld %s", done, (long long)n, what);
  return st;
}

/* Ended and expired sessions are kept a week: long enough for the old
 * device to be told it was logged out elsewhere. */
static enum db_status purge_sessions(int64_t now)
{
  int64_t deleted = 0;
  return counted(db_sessions_purge(now - 7 * DAY_US, &deleted), deleted, "purged", "old sessions");
}

static enum db_status purge_login_throttle(int64_t now)
{
  return db_throttle_purge(now, (int64_t)config.login_window_seconds * CLOCK_US_PER_SEC);
}

/* Replies to Idempotency-Key requests are kept a day. */
static enum db_status purge_idempotency_keys(int64_t now)
{
  return db_idem_purge(now - DAY_US);
}

/* The order jobs work in batches of this many orders, each batch its own
 * transaction, until a batch comes back short. */
#define ORDER_JOB_BATCH 500

/* Runs batch(arg, limit, &n), each call one transaction, until a batch
 * comes back short; logs "<done> N <what>" when anything was done. */
static enum db_status in_batches(const char *done, const char *what, int64_t arg, int limit,
                                 enum db_status (*batch)(int64_t, int, int64_t *))
{
  int64_t n, total = 0;
  enum db_status st;
  do {
    n = 0;
    st = batch(arg, limit, &n);
    total += n;
  } while (st >= DB_NONE && n >= limit);
  if (total > 0)
    log_info("%s %lld %s", done, (long long)total, what);
  return st;
}

static enum db_status order_batches(const char *what, int64_t now,
                                    enum db_status (*batch)(int64_t, int, int64_t *))
{
  return in_batches(what, "orders", now, ORDER_JOB_BATCH, batch);
}

/* Unpaid orders close at their payment deadline and their stock goes back
 * on sale (paying after it closes the order too, should this lag). */
static enum db_status expire_unpaid_orders(int64_t now)
{
  return order_batches("closed unpaid", now, db_orders_expire);
}

/* Shipped orders the buyer has not confirmed complete ten days on. */
static enum db_status autocomplete_shipped_orders(int64_t now)
{
  return order_batches("auto-completed", now, db_orders_autocomplete);
}

/* Held orders whose review deadline has come are released, recorded as
 * done by the system; several instances share the work (SKIP LOCKED). */
static enum db_status release_due_reviews(int64_t now)
{
  return order_batches("auto-released", now, db_reviews_release_due);
}

/* Letters about review actions go out on the hour, 06:00 to 22:00 in
 * MERCHANTD_TZ: each run delivers the notices due by now, in batches of
 * notices like the order jobs. It runs after the auto-release above, so a
 * release at a delivery hour goes out in that hour's letter. */
static enum db_status letters_batch(int64_t now, int limit, int64_t *delivered)
{
  return db_letters_deliver(now, config.time_zone, limit, delivered);
}

static enum db_status deliver_letters(int64_t now)
{
  return in_batches("delivered", "review notices as letters", now, ORDER_JOB_BATCH, letters_batch);
}

/* Promotion report letters (docs/promotion.md "Report letters"):
 * yesterday's and last week's reports, on the hour from 06:00 to 22:00 in
 * MERCHANTD_TZ, once per shop and period whatever the instances. */
static enum db_status promotion_report_letters(int64_t now)
{
  int64_t written = 0;
  return counted(db_promotion_report_letters(now, config.time_zone, &written), written, "delivered",
                 "promotion report letters");
}

/* Search ranks by 30-day sales (docs/promotion.md "Search"): after
 * midnight in MERCHANTD_TZ, the day that left the 30 is taken off every
 * product it sold. */
static enum db_status roll_product_sales(int64_t now)
{
  int64_t changed = 0;
  return counted(db_product_sales_roll(now, &changed), changed, "moved the 30-day sales of",
                 "products to a new day");
}

/* Red packets close 24 hours after they were handed out, recording what
 * was left unclaimed; no money moves (docs/live.md). A batch is one
 * transaction. */
static enum db_status expire_red_packets(int64_t now)
{
  return in_batches("expired", "red packets", now, ORDER_JOB_BATCH, db_red_packets_expire);
}

/* Presence that lapsed (no join within MERCHANTD_LIVE_PRESENCE_SECONDS)
 * and viewers of ended rooms: the counts never include them, so this only
 * keeps live_viewers small. */
static enum db_status live_viewers_batch(int64_t now, int limit, int64_t *deleted)
{
  return db_live_viewers_purge(now, (int)config.live_presence_seconds, limit, deleted);
}

static enum db_status purge_live_viewers(int64_t now)
{
  return in_batches("purged", "live room viewers", now, ORDER_JOB_BATCH * 10, live_viewers_batch);
}

/* Chat events are kept a week: a client that reconnects later starts
 * afresh (its Last-Event-ID replays what is left). */
static enum db_status purge_events(int64_t now)
{
  return in_batches("purged", "old chat events", now - 7 * DAY_US, ORDER_JOB_BATCH * 10,
                    db_events_purge);
}

/* Image files no entry names any more go, once they are an hour old: an
 * upload stores its files before its row commits, and storing a file that
 * exists renews its time, so a young file may be about to be named. Files
 * old and unnamed when listed may still be stored again by an upload
 * meanwhile, which then names them: each picture is asked about again
 * under its lock (db_image_collectable), and its files are removed while
 * the lock is held, so that such an upload either is seen to name them or
 * finds them gone before it commits. Several instances sharing the
 * directory may run this at once; removing a file twice is harmless. */
#define MEDIA_GC_GRACE_S 3600
#define MEDIA_GC_BATCH   256

struct media_gc {
  char sha[MEDIA_GC_BATCH][65];
  const char *list[MEDIA_GC_BATCH];
  int n;
  char unnamed[MEDIA_GC_BATCH][65]; /* of the batch, what no row names */
  int n_unnamed;
  long long removed;
  enum db_status st;
};

static void note_unnamed(const char *sha256, void *arg)
{
  struct media_gc *gc = arg;
  if (gc->n_unnamed < MEDIA_GC_BATCH)
    snprintf(gc->unnamed[gc->n_unnamed++], sizeof gc->unnamed[0], "%.64s", sha256);
}

/* One picture, in a transaction holding its lock: its files go when it is
 * still unnamed. */
struct media_blob {
  const char *sha256;
  bool removed;
};

static enum db_status collect_blob(void *arg, bool last)
{
  struct media_blob *b = arg;
  bool collectable;
  b->removed = false;
  enum db_status st = db_image_collectable(b->sha256, &collectable);
  if (st < DB_NONE || !collectable)
    return st;
  static const char *const tails[] = {".jpg", ".png", ".webp", ".gif", "_800.webp", "_200.webp"};
  for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
    char name[MEDIASTORE_NAME_SIZE];
    snprintf(name, sizeof name, "%.64s%s", b->sha256, tails[i]);
    mediastore()->remove(name);
  }
  b->removed = true;
  return st;
}

static bool media_gc_flush(struct media_gc *gc)
{
  if (gc->n > 0) {
    gc->n_unnamed = 0;
    gc->st = db_images_unnamed(gc->list, gc->n, note_unnamed, gc);
    gc->n = 0;
    for (int i = 0; i < gc->n_unnamed && gc->st >= DB_NONE; i++) {
      struct media_blob b = {gc->unnamed[i], false};
      gc->st = db_txn_run(collect_blob, &b);
      gc->removed += b.removed;
    }
  }
  return gc->st >= DB_NONE;
}

static bool media_gc_file(const char *name, int64_t age_s, void *arg)
{
  struct media_gc *gc = arg;
  if (age_s < MEDIA_GC_GRACE_S)
    return true;
  /* The three files of a blob come one after the other in a listing most
   * of the time; each SHA-256 is asked about once per batch. */
  for (int i = 0; i < gc->n; i++)
    if (strncmp(gc->sha[i], name, 64) == 0)
      return true;
  snprintf(gc->sha[gc->n], sizeof gc->sha[0], "%.64s", name);
  gc->list[gc->n] = gc->sha[gc->n];
  if (++gc->n == MEDIA_GC_BATCH)
    return media_gc_flush(gc);
  return true;
}

static enum db_status collect_media(int64_t now)
{
  struct media_gc *gc = calloc(1, sizeof *gc);
  if (gc == NULL)
    return DB_HARD_ERROR;
  gc->st = DB_NONE;
  if (!mediastore()->each(media_gc_file, gc))
    log_warn("could not list the media directory");
  media_gc_flush(gc);
  enum db_status st = gc->st;
  if (gc->removed > 0)
    log_info("removed the files of %lld images no entry names", gc->removed);
  free(gc);
  return st;
}

static void log_difference(const char *check, const char *subject, const char *detail, void *arg)
{
  (void)arg;
  log_error("funds check %s: %s: %s", check, subject, detail);
}

/* The ledger reconciled against itself every night (the same checks as
 * `merchantd funds check`); each difference is logged as an error and the
 * count goes to /metrics (merchantd_funds_check_failures). */
static enum db_status check_funds(int64_t now)
{
  (void)now;
  int64_t differences;
  enum db_status st = reconcile_run("job", log_difference, NULL, &differences);
  if (st >= DB_NONE && differences > 0)
    log_error("funds check found %lld differences", (long long)differences);
  return st;
}

/* The data pages' rollups (docs/data.md): each fold adds what was written
 * since the last one. It runs every MERCHANTD_STATS_FOLD_SECONDS, between
 * the other jobs' looks (see loop). A fold running on another instance
 * takes in the same writes: this one then returns at once. */
static enum db_status fold_stats(int64_t now)
{
  int64_t as_of;
  enum db_status st = db_stats_fold(now, &as_of);
  /* A rebuild in progress (the first fold starts one) moves on a day per
   * transaction, for a second of each run. */
  int64_t until = clock_mono_us() + CLOCK_US_PER_SEC;
  char day[11] = "";
  while (st >= DB_NONE && clock_mono_us() < until) {
    st = db_stats_rebuild_step(now, day);
    if (day[0] == '\0')
      break;
  }
  return st;
}

/* Minute buckets and per-day state past their retention. */
static enum db_status prune_stats(int64_t now)
{
  int64_t deleted = 0;
  return counted(db_stats_prune(now, &deleted), deleted, "pruned",
                 "rollup rows past their retention");
}

/* page_views keeps a partition per day of MERCHANTD_TZ (docs/data.md):
 * those from yesterday to three days ahead are made ahead of need, so that
 * an insert never waits for one (a view whose day has none is still
 * stored: views_ingest creates it), and the days that ended more than
 * MERCHANTD_VIEWS_RETENTION_DAYS ago are dropped whole. */
static enum db_status page_view_partitions(int64_t now)
{
  int64_t created = 0, dropped = 0;
  enum db_status st = db_page_views_partitions_ensure(now - DAY_US, now + 3 * DAY_US, &created);
  if (st >= DB_NONE)
    st = db_page_views_partitions_drop(now - (int64_t)config.views_retention_days * DAY_US,
                                       &dropped);
  if (created > 0 || dropped > 0)
    log_info("page_views: created %lld daily partitions, dropped %lld", (long long)created,
             (long long)dropped);
  return st;
}

/* Campaigns whose end has come give their unsold stock back to the SKUs.
 * Checkout stops the campaign price at the end by itself (it checks the
 * run window at each order): this job only returns the stock, at its next
 * look after the end (every second; the job thread looks every
 * MERCHANTD_JOB_INTERVAL_SECONDS). */
static enum db_status end_campaigns(int64_t now)
{
  return in_batches("ended", "campaigns, their unsold stock returned", now, ORDER_JOB_BATCH,
                    db_campaigns_end);
}

/* Who was counted on a day of a share link is needed only while visits
 * of that day may still come; a week is kept (docs/data.md "Share
 * links"). The counts themselves stay. */
static enum db_status prune_share_visitors(int64_t now)
{
  return in_batches("pruned", "share link day visitors", now - 7 * DAY_US, ORDER_JOB_BATCH * 10,
                    db_share_link_visitors_prune);
}

/* The community's hot feed reads hot_rank, the articles' score with its
 * time decay, in index order; the score of every article of the last 30
 * days is recomputed here every minute (docs/community.md). */
static enum db_status community_hot(int64_t now)
{
  int64_t updated = 0;
  enum db_status st = db_community_hot_refresh(now, &updated);
  if (updated > 0)
    log_debug("community: %lld hot ranks recomputed", (long long)updated);
  return st;
}

/* A read counts once per account and day: only the current day's rows of
 * community_views are needed, yesterday's are kept for the reads around
 * midnight (docs/community.md). The counts themselves stay. */
static enum db_status prune_community_views(int64_t now)
{
  return in_batches("pruned", "community article views", now - DAY_US, ORDER_JOB_BATCH * 10,
                    db_community_views_prune);
}

/* Shops per transaction of the growth sweep. */
#define GROWTH_SWEEP_BATCH 1000

/* Growth (docs/growth.md "Progress"): the progress of shops with recent
 * activity and the medals they earned, within a minute of the writes; then,
 * after tasks or medals changed, every shop in batches. A deadlock with
 * another instance's run is tried again. */
static enum db_status evaluate_growth(int64_t now)
{
  int64_t shops = 0, medals = 0, swept = 0, n = 0, m = 0;
  bool done = false;
  enum db_status st;
  int tries = 0;
  do
    st = db_growth_evaluate(now, &shops, &medals);
  while (st == DB_SOFT_ERROR && ++tries < 3);
  for (tries = 0; st >= DB_NONE && !done && tries < 3;) {
    st = db_growth_sweep(now, GROWTH_SWEEP_BATCH, &n, &m, &done);
    if (st == DB_SOFT_ERROR) {
      tries++;
      st = DB_NONE;
      continue;
    }
    swept += n;
    medals += m;
  }
  if (st >= DB_NONE && (medals > 0 || swept > 0))
    log_info("evaluated growth of %lld shops (%lld in the sweep), awarded %lld medals",
             (long long)(shops + swept), (long long)swept, (long long)medals);
  return st;
}

static const struct job jobs[] = {
    {"purge_idempotency_keys", 3600 * CLOCK_US_PER_SEC, purge_idempotency_keys},
    {"purge_sessions", 3600 * CLOCK_US_PER_SEC, purge_sessions},
    {"purge_login_throttle", 600 * CLOCK_US_PER_SEC, purge_login_throttle},
    {"expire_unpaid_orders", 60 * CLOCK_US_PER_SEC, expire_unpaid_orders},
    {"autocomplete_shipped_orders", 600 * CLOCK_US_PER_SEC, autocomplete_shipped_orders},
    {"release_due_reviews", 60 * CLOCK_US_PER_SEC, release_due_reviews},
    {"deliver_letters", 60 * CLOCK_US_PER_SEC, deliver_letters},
    {"promotion_report_letters", 60 * CLOCK_US_PER_SEC, promotion_report_letters},
    {"roll_product_sales", 60 * CLOCK_US_PER_SEC, roll_product_sales},
    {"purge_events", 3600 * CLOCK_US_PER_SEC, purge_events},
    {"expire_red_packets", 60 * CLOCK_US_PER_SEC, expire_red_packets},
    {"purge_live_viewers", 600 * CLOCK_US_PER_SEC, purge_live_viewers},
    {"collect_media", 3600 * CLOCK_US_PER_SEC, collect_media},
    {"check_funds", DAY_US, check_funds},
    /* At every look (the sandbox settles payouts within seconds); the one
     * second keeps instances waking together from running it twice. */
    {"payouts", CLOCK_US_PER_SEC, payout_job_run},
    /* After a data key rotation: the numbers an older key sealed. */
    {"reseal_bank_accounts", 3600 * CLOCK_US_PER_SEC, payout_job_reseal},
    {"fold_stats", CLOCK_US_PER_SEC, fold_stats},
    {"prune_stats", 3600 * CLOCK_US_PER_SEC, prune_stats},
    {"page_view_partitions", 3600 * CLOCK_US_PER_SEC, page_view_partitions},
    {"end_campaigns", CLOCK_US_PER_SEC, end_campaigns},
    {"prune_share_visitors", 3600 * CLOCK_US_PER_SEC, prune_share_visitors},
    {"community_hot", 60 * CLOCK_US_PER_SEC, community_hot},
    {"prune_community_views", 3600 * CLOCK_US_PER_SEC, prune_community_views},
    {"evaluate_growth", 60 * CLOCK_US_PER_SEC, evaluate_growth},
};

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool running, stopping;

/* Runs the job when it is due (whatever its schedule when forced). */
static bool run_job(const struct job *j, bool force)
{
  int64_t now = clock_now_us();
  enum db_status st = db_job_claim(j->name, now, j->interval_us, force);
  if (st == DB_NONE)
    return true;
  if (st < DB_NONE)
    return false;
  int64_t started = clock_mono_us();
  st = j->run(now);
  if (st < DB_NONE)
    log_error("job %s failed", j->name);
  db_job_finished(j->name, (clock_mono_us() - started) / 1000);
  return st >= DB_NONE;
}

/* Runs the due jobs (all of them when forced). The fold runs on its own
 * cadence (MERCHANTD_STATS_FOLD_SECONDS, 0: only when forced). */
static bool run_jobs(bool force)
{
  bool ok = true;
  for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
    if (jobs[i].run == fold_stats && config.stats_fold_seconds == 0 && !force)
      continue;
    ok = run_job(&jobs[i], force) && ok;
  }
  return ok;
}

static const struct job *fold_job(void)
{
  for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
    if (jobs[i].run == fold_stats)
      return &jobs[i];
  return NULL;
}

/* Every job is looked at each MERCHANTD_JOB_INTERVAL_SECONDS; in between,
 * the fold alone, every MERCHANTD_STATS_FOLD_SECONDS, so that the data
 * pages trail the writes by seconds. */
static void *loop(void *unused)
{
  (void)unused;
  const int64_t all_us = (int64_t)config.job_interval_seconds * CLOCK_US_PER_SEC;
  const int64_t fold_us = (int64_t)config.stats_fold_seconds * CLOCK_US_PER_SEC;
  int64_t next_all = clock_mono_us();
  pthread_mutex_lock(&lock);
  while (!stopping) {
    pthread_mutex_unlock(&lock);
    int64_t mono = clock_mono_us();
    if (mono >= next_all) {
      run_jobs(false);
      next_all = mono + all_us;
    } else if (fold_us > 0) {
      run_job(fold_job(), false);
    }
    int64_t wait_us = next_all - mono;
    if (fold_us > 0 && fold_us < wait_us)
      wait_us = fold_us;
    pthread_mutex_lock(&lock);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += wait_us / CLOCK_US_PER_SEC;
    until.tv_nsec += (long)(wait_us % CLOCK_US_PER_SEC) * 1000;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    while (!stopping && pthread_cond_timedwait(&wake, &lock, &until) == 0)
      ;
  }
  pthread_mutex_unlock(&lock);
  db_thread_done();
  return NULL;
}

bool jobs_start(void)
{
  if (pthread_create(&thread, NULL, loop, NULL) != 0) {
    log_error("could not start the job thread");
    return false;
  }
  running = true;
  return true;
}

void jobs_stop(void)
{
  if (!running)
    return;
  pthread_mutex_lock(&lock);
  stopping = true;
  pthread_cond_signal(&wake);
  pthread_mutex_unlock(&lock);
  pthread_join(thread, NULL);
  running = false;
}

bool jobs_prepare(void)
{
  bool ok = page_view_partitions(clock_now_us()) >= DB_NONE;
  db_thread_done();
  return ok;
}

/* A forced run (the test endpoint) leaves no rebuild half done: whoever
 * forced it reads the figures next. */
static bool finish_rebuild(void)
{
  char day[11];
  do {
    if (db_stats_rebuild_step(clock_now_us(), day) < DB_NONE)
      return false;
  } while (day[0] != '\0');
  return true;
}

bool jobs_run_all(void)
{
  bool ok = run_jobs(true);
  return finish_rebuild() && ok;
}
