/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The record cache on disk: every entry the memory cache files is written
 * through to an LMDB file under cache.path, and loaded back at start, so the
 * cache survives a restart, a crash or a `kill -9`. What this file decides:
 *
 * Memory stays the primary store. A lookup never touches LMDB; only
 * hf_cache_new() reads the file (once), and one writer thread writes it.
 * rrcache.c calls hf_persist_put() once per entry it files (positive,
 * negative, infrastructure, synthesized: all of them, with their security
 * status and DNSSEC records), hf_persist_del() when it drops an NXDOMAIN for
 * a name that now has data, and hf_persist_flush() from hf_cache_flush().
 *
 * Writing. An entry is encoded on the caller's thread into one allocation
 * and put on a queue bounded in bytes (an eighth of the file, 64 KiB..8 MiB)
 * under one mutex: that is all an insert pays. The writer wakes when the
 * queue gets its first entry, lets a batch gather for BATCH_MS (50 ms), or
 * less once the queue is half full, and writes it in as few transactions as
 * it can (at most max_ops changes and a sixteenth of the map each, so a
 * transaction's dirty pages stay a small part of the map). When the queue is
 * full a put is dropped and counted (hf_cache_stats().disk_dropped): the
 * resolver never waits for the disk. A flush is never dropped. The writer
 * checks each entry as the loader will (persist_rec.c) and drops one it
 * would refuse, so no entry can get the whole file moved aside later.
 *
 * Durability. The file is opened with MDB_NOSYNC | MDB_NOMETASYNC: a commit
 * hands its pages to the kernel with write() and does not wait for the
 * disk. A killed process (even SIGKILL) so loses only what was still queued,
 * at most the last BATCH_MS or so. An operating-system crash or power loss
 * can lose the commits since the last sync, which the writer forces every
 * SYNC_MS (30 s) and at a clean shutdown, or leave the file damaged, which
 * the next start then finds and moves aside (below). It is a cache: losing
 * the last seconds costs upstream queries, nothing else.
 *
 * Format. One named database "rr" holds the records, "meta" the key
 * "format" (FORMAT_VERSION, 4 octets, big-endian). A file with another
 * version is moved aside like a corrupt one, so a future layout change
 * needs no migration code. A record's key is the owner name with its labels
 * reversed, then class and type, so a name and everything below it are one
 * range of keys; its value is the entry as rrcache.c lays it out, behind a
 * small header with the absolute expiry (wall clock), so TTLs keep counting
 * down while holdfast is stopped. persist_rec.c has the layout and checks.
 *
 * Loading. Entries expired longer ago than the stale window are skipped;
 * remaining TTLs are capped at the stored TTL and cache.max-ttl (a clock
 * that moved back, or a lowered max-ttl). When the file holds more than the
 * memory cache's budget, the most recently stored entries win: a first pass
 * counts bytes by age (buckets a quarter of a power of two wide), the load
 * takes the newest buckets that fit. An NXDOMAIN entry is left out when the
 * same name got data stored later (the deletion that should have removed it
 * may have been dropped from a full queue).
 *
 * Hostile files. The file is trusted for nothing: every record is checked as
 * hostile input (lengths, names, counts, kinds, RDATA against its type;
 * persist_rec.c) before it becomes an entry. A damaged B-tree could still crash LMDB
 * itself, which trusts its pages, so before the process maps the file a
 * child process (fork) opens it, walks every database including the
 * free-page list, checks every record and reports back through a pipe. If
 * the child finds a problem, crashes or hangs (CHECK_MS), or the file cannot
 * be opened, is not LMDB, or has another format version, the file is renamed
 * data.mdb.corrupt-<UTC time> (older such files are removed, so at most one
 * is kept), the log says which file, what was wrong and where it went, and
 * the cache starts empty. holdfast never refuses to start because of the
 * file. A directory that cannot be created or used, or a file that cannot be
 * moved aside, leaves the cache in memory only, with a warning; so does a
 * directory another holdfast is using (holdfast.lock, flock()ed while the
 * store is open): one process per file, so nothing trims, moves or remakes
 * it under another.
 *
 * Size. The map size is cache.size: the file never grows past it. After
 * each transaction, when the records fill more than HIGH_WATER percent of
 * the map, the writer trims them to LOW_WATER percent: entries past the
 * stale window, then the oldest stored (whole age buckets, then the first
 * entries in key order of the next), in small transactions, since LMDB
 * copies every page it changes. The headroom keeps transactions able to
 * commit; should one still meet MDB_MAP_FULL (large entries in a small map:
 * LMDB wants contiguous pages for them), the writer trims at least a
 * quarter, commits twice more (LMDB reuses a freed page two transactions
 * later), retries once, then drops the run (counted). Anything else that
 * fails while writing starts the file afresh. A file larger than cache.size
 * (the size was lowered) is trimmed and compacted at start.
 *
 * Not persisted: the packet cache and the NSEC index (RFC 8198), which
 * refill from the record cache and from traffic, and the statistics.
 */
#include "cache/impl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lmdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

#define FORMAT_VERSION 1
#define BATCH_MS       50
#define SYNC_MS        30000
#define CHECK_MS       120000 /* longest the check of a file may take */
#define QUEUE_MIN      (64 * 1024)
#define QUEUE_MAX      (8 * 1024 * 1024)
#define HIGH_WATER     70 /* percent of the map the records may fill before a trim */
#define LOW_WATER      50 /* ... and what a trim brings them down to */
#define MAP_MIN_PAGES  32
#define AGE_BUCKETS    192
#define NODE_OVERHEAD  16 /* LMDB's node header and slot, per record, roughly */
#define WHY_MAX        256

/* --- ages ---------------------------------------------------------------------------- */

/* Buckets of how long ago an entry was stored: a quarter of a power of two wide. */
static unsigned age_bucket(int64_t age)
{
	if (age <= 0)
		return 0;
	uint64_t a = (uint64_t)age;
	unsigned lg = 63u - (unsigned)__builtin_clzll(a);
	unsigned sub = (unsigned)(lg >= 2 ? a >> (lg - 2) : a << (2 - lg)) & 3u;
	unsigned b = 1 + lg * 4 + sub;
	return b < AGE_BUCKETS ? b : AGE_BUCKETS - 1;
}

static bool dead(int64_t expire, int64_t now, uint32_t stale_window)
{
	return now >= expire + (int64_t)stale_window;
}

/* --- the handle -------------------------------------------------------------------------- */

enum op_what { OP_PUT, OP_DEL, OP_FLUSH };

/* One queued change: key (and value) in data[]. */
struct op {
	struct op *next;
	uint32_t vlen;
	uint16_t klen;
	uint8_t what; /* enum op_what */
	uint8_t data[];
};

struct hf_persist {
	struct hf_cache *cache;
	char *dir;
	char *data_path; /* dir/data.mdb */
	char *lock_path; /* dir/lock.mdb */
	int owner_fd;    /* dir/holdfast.lock, flock()ed: one holdfast per directory */
	MDB_env *env;    /* NULL once the file is lost for good: the writer drops everything */
	MDB_dbi rr, meta;
	size_t map_bytes; /* cache.size, in whole pages */
	size_t psize;
	size_t map_pages; /* what LMDB has mapped, in pages */
	unsigned max_ops; /* changes per write transaction (and at most a 16th of the map) */

	pthread_mutex_t lock; /* the queue and the flags below */
	pthread_cond_t wake;
	struct op *head, **tail;
	size_t queued, queue_max; /* bytes */
	uint64_t first_ms;        /* when the oldest queued change came */
	bool stop, paused;

	pthread_t writer;
	bool writer_running;
	uint64_t synced_ms; /* writer only */
	bool unsynced;
	uint64_t dropped_logged;
	bool refused_logged; /* an entry the loader would refuse was logged */

	_Atomic uint64_t loaded, written, dropped;
};

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + 1 + strlen(name) + 1;
	char *s = hf_malloc(n);
	if (s != NULL)
		snprintf(s, n, "%s/%s", dir, name);
	return s;
}

/* Errors that say nothing about the file: try again on the next start, keep it. */
static bool transient(int rc)
{
	return rc == ENOMEM || rc == EAGAIN || rc == EMFILE || rc == ENFILE || rc == EINTR ||
	       rc == MDB_READERS_FULL;
}

/* --- opening a store ---------------------------------------------------------------------- */

enum verdict_state { V_OK, V_BAD, V_TRANSIENT };

/* What a look at a file found: sent from the checking child as it is. */
struct verdict {
	int state; /* enum verdict_state */
	uint64_t records;
	uint64_t live;                    /* not past the stale window */
	uint64_t mem_by_age[AGE_BUCKETS]; /* memory the live entries would take, by age_bucket() */
	char why[WHY_MAX];                /* V_BAD, V_TRANSIENT: what is wrong */
};

static int env_create(struct hf_persist *p, unsigned flags, MDB_env **out)
{
	MDB_env *env;
	int rc = mdb_env_create(&env);
	if (rc != 0)
		return rc;
	rc = mdb_env_set_maxdbs(env, 2);
	if (rc == 0)
		rc = mdb_env_set_mapsize(env, p->map_bytes);
	if (rc == 0)
		rc = mdb_env_open(env, p->dir, flags, 0600);
	if (rc != 0) {
		mdb_env_close(env);
		return rc;
	}
	*out = env;
	return 0;
}

/* Reads the format version in txn (dbis open): V_OK, or V_BAD with why. */
static int check_format(MDB_txn *txn, MDB_dbi meta, char why[WHY_MAX])
{
	MDB_val k = {.mv_size = 6, .mv_data = "format"}, v;
	int rc = mdb_get(txn, meta, &k, &v);
	if (rc != 0) {
		snprintf(why, WHY_MAX, "has no format version (%s)", mdb_strerror(rc));
		return V_BAD;
	}
	uint32_t version = v.mv_size == 4 ? hf_get32(v.mv_data) : 0;
	if (version != FORMAT_VERSION) {
		snprintf(why, WHY_MAX, "has format version %" PRIu32 ", this holdfast reads %d",
		         version, FORMAT_VERSION);
		return V_BAD;
	}
	return V_OK;
}

/*
 * Walks a database in txn to the end, touching the last octet of every
 * value (one that runs past the end of the file faults here, in the child);
 * 0 or an LMDB error.
 */
static int walk_all(MDB_txn *txn, MDB_dbi dbi)
{
	static volatile uint8_t sink;
	MDB_cursor *cur;
	int rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		return rc;
	MDB_val k, v;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (v.mv_size != 0)
			sink = ((const uint8_t *)v.mv_data)[v.mv_size - 1];
	}
	(void)sink;
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static void check_records(MDB_txn *txn, MDB_dbi rr, int64_t now, uint32_t stale_window,
                          struct verdict *v)
{
	MDB_cursor *cur;
	int rc = mdb_cursor_open(txn, rr, &cur);
	if (rc != 0)
		goto fail;
	MDB_val k, val;
	for (rc = mdb_cursor_get(cur, &k, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
		struct hf_persist_rec r;
		const char *why;
		v->records++;
		if (hf_persist_read(k.mv_data, k.mv_size, val.mv_data, val.mv_size, &r, &why) !=
		    HF_OK) {
			char name[HF_NAME_TEXT_MAX];
			if (r.owner_len == 0 || hf_name_to_text(r.owner, name, sizeof(name)) < 0)
				snprintf(name, sizeof(name), "?");
			snprintf(v->why, WHY_MAX,
			         "has a bad record (number %" PRIu64 ", %.80s): %s", v->records,
			         name, why);
			v->state = V_BAD;
			mdb_cursor_close(cur);
			return;
		}
		if (dead(r.expire, now, stale_window))
			continue;
		v->live++;
		v->mem_by_age[age_bucket(now - (r.expire - r.ttl))] +=
		    sizeof(struct rr_entry) + 2u * r.nrr + r.owner_len + r.soa_owner_len +
		    r.rdtotal + r.extra_len;
	}
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		return;
fail:
	snprintf(v->why, WHY_MAX, "cannot be read (%s)", mdb_strerror(rc));
	v->state = V_BAD;
}

/*
 * Looks at the file read-only, every page of it: can it be opened, does it
 * hold our format, does every record parse. Fills v; allocates nothing of
 * its own (it runs in a child process).
 */
static void check_store(struct hf_persist *p, int64_t now, struct verdict *v)
{
	MDB_env *env;
	MDB_txn *txn = NULL;
	MDB_dbi meta, rr;
	int rc = env_create(p, MDB_RDONLY | MDB_NOTLS, &env);
	if (rc != 0) {
		v->state = transient(rc) ? V_TRANSIENT : V_BAD;
		snprintf(v->why, WHY_MAX, "cannot be opened (%s)", mdb_strerror(rc));
		return;
	}
	rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
	if (rc != 0) {
		v->state = transient(rc) ? V_TRANSIENT : V_BAD;
		snprintf(v->why, WHY_MAX, "cannot be read (%s)", mdb_strerror(rc));
		goto out;
	}
	/* The free-page list and the table of databases: what the writer will walk later. */
	rc = walk_all(txn, 0);
	if (rc == 0)
		rc = walk_all(txn, 1);
	if (rc != 0) {
		v->state = V_BAD;
		snprintf(v->why, WHY_MAX, "has damaged pages (%s)", mdb_strerror(rc));
		goto out;
	}
	int rc_meta = mdb_dbi_open(txn, "meta", 0, &meta);
	int rc_rr = mdb_dbi_open(txn, "rr", 0, &rr);
	if (rc_meta == MDB_NOTFOUND && rc_rr == MDB_NOTFOUND)
		goto out; /* created, never written: empty */
	if (rc_meta != 0 || rc_rr != 0) {
		v->state = V_BAD;
		snprintf(v->why, WHY_MAX, "lacks the holdfast cache's databases (%s)",
		         mdb_strerror(rc_meta != 0 ? rc_meta : rc_rr));
		goto out;
	}
	v->state = check_format(txn, meta, v->why);
	if (v->state == V_OK)
		check_records(txn, rr, now, p->cache->opts.stale_window, v);
out:
	if (txn != NULL)
		mdb_txn_abort(txn);
	mdb_env_close(env);
}

/* Reads exactly n octets from fd within deadline_ms (monotonic); false on timeout or EOF. */
static bool read_within(int fd, void *buf, size_t n, uint64_t deadline_ms, bool *timed_out)
{
	size_t got = 0;
	while (got < n) {
		uint64_t now = hf_clock_mono_ms();
		if (now >= deadline_ms) {
			*timed_out = true;
			return false;
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int r = poll(&pfd, 1, (int)(deadline_ms - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return false;
		if (r == 0)
			continue;
		ssize_t k = read(fd, (uint8_t *)buf + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		got += (size_t)k;
	}
	return true;
}

/*
 * check_store() in a child process, so that a file damaged in a way that
 * makes LMDB read out of bounds takes the child down, not holdfast. Without
 * fork() the check runs here.
 */
static void check_in_child(struct hf_persist *p, int64_t now, struct verdict *v)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		check_store(p, now, v);
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		check_store(p, now, v);
		return;
	}
	if (pid == 0) {
		/* A fault must end the child, whatever handler the parent had installed. */
		static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
		for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
			signal(faults[i], SIG_DFL);
		struct verdict cv;
		memset(&cv, 0, sizeof(cv));
		close(fds[0]);
		check_store(p, now, &cv);
		ssize_t w = write(fds[1], &cv, sizeof(cv));
		_exit(w == (ssize_t)sizeof(cv) ? 0 : 1);
	}
	close(fds[1]);
	bool timed_out = false;
	bool got = read_within(fds[0], v, sizeof(*v), hf_clock_mono_ms() + CHECK_MS, &timed_out);
	close(fds[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	pid_t w;
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	if (got && (w < 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 0))) {
		v->why[WHY_MAX - 1] = '\0';
		return;
	}
	memset(v, 0, sizeof(*v));
	v->state = V_BAD;
	if (timed_out)
		snprintf(v->why, WHY_MAX, "took more than %d s to check", CHECK_MS / 1000);
	else if (w == pid && WIFSIGNALED(status))
		snprintf(v->why, WHY_MAX, "crashed the process that checked it (%s)",
		         strsignal(WTERMSIG(status)));
	else
		snprintf(v->why, WHY_MAX, "could not be checked");
}

/* Removes files an earlier start moved aside: one is kept, the newest. */
static void remove_old_aside(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "data.mdb.corrupt-", 17) == 0)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/* Moves data.mdb aside (and removes its lock file) after logging why; HF_OK or -errno. */
static int move_aside(struct hf_persist *p, const char *why)
{
	char stamp[32], aside[4096];
	time_t t = (time_t)hf_clock_wall();
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	remove_old_aside(p->dir);
	snprintf(aside, sizeof(aside), "%s.corrupt-%s", p->data_path, stamp);
	if (rename(p->data_path, aside) != 0) {
		int err = errno;
		hf_log_warn(
		    "cache file %s %s, and it cannot be moved aside (%s): keeping the cache "
		    "in memory only",
		    p->data_path, why, strerror(err));
		return -err;
	}
	unlink(p->lock_path);
	hf_log_warn("cache file %s %s: moved it to %s and started with an empty cache",
	            p->data_path, why, aside);
	return HF_OK;
}

/* Opens the file for writing (creating it) and checks or writes its format version. */
static int open_store(struct hf_persist *p, char why[WHY_MAX])
{
	MDB_txn *txn = NULL;
	int rc = env_create(p, MDB_NOSYNC | MDB_NOMETASYNC, &p->env);
	if (rc != 0) {
		snprintf(why, WHY_MAX, "cannot be opened (%s)", mdb_strerror(rc));
		return transient(rc) ? V_TRANSIENT : V_BAD;
	}
	int dead_readers;
	mdb_reader_check(p->env, &dead_readers);
	rc = mdb_txn_begin(p->env, NULL, 0, &txn);
	if (rc == 0)
		rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &p->meta);
	if (rc == 0)
		rc = mdb_dbi_open(txn, "rr", MDB_CREATE, &p->rr);
	if (rc != 0) {
		snprintf(why, WHY_MAX, "cannot be read (%s)", mdb_strerror(rc));
		goto fail;
	}
	MDB_stat st;
	MDB_val k = {.mv_size = 6, .mv_data = "format"}, v;
	rc = mdb_get(txn, p->meta, &k, &v);
	if (rc == MDB_NOTFOUND && mdb_stat(txn, p->rr, &st) == 0 && st.ms_entries == 0) {
		uint8_t version[4];
		hf_put32(version, FORMAT_VERSION);
		v = (MDB_val){.mv_size = 4, .mv_data = version};
		rc = mdb_put(txn, p->meta, &k, &v, 0);
		if (rc != 0) {
			snprintf(why, WHY_MAX, "cannot be written (%s)", mdb_strerror(rc));
			goto fail;
		}
	} else if (check_format(txn, p->meta, why) != V_OK) {
		rc = MDB_INVALID;
		goto fail;
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0) {
		snprintf(why, WHY_MAX, "cannot be written (%s)", mdb_strerror(rc));
		goto fail;
	}
	MDB_envinfo info;
	mdb_env_info(p->env, &info);
	mdb_env_stat(p->env, &st);
	p->map_pages = info.me_mapsize / st.ms_psize;
	return V_OK;
fail:
	if (txn != NULL)
		mdb_txn_abort(txn);
	mdb_env_close(p->env);
	p->env = NULL;
	return transient(rc) ? V_TRANSIENT : V_BAD;
}

/* mkdir -p, the last directory 0700. HF_OK or -errno. */
static int make_dir(const char *dir)
{
	char path[4096];
	size_t len = strlen(dir);
	if (len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char c = path[i];
		path[i] = '\0';
		if (mkdir(path, c == '\0' ? 0700 : 0755) != 0 && errno != EEXIST)
			return -errno;
		path[i] = c;
	}
	struct stat st;
	if (stat(path, &st) != 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? HF_OK : -ENOTDIR;
}

/* The newest age buckets whose entries fit the memory cache (budget: 90% of it). */
static unsigned load_cutoff(const struct verdict *v, uint64_t budget)
{
	uint64_t sum = 0;
	unsigned b = 0;
	while (b < AGE_BUCKETS && sum + v->mem_by_age[b] <= budget)
		sum += v->mem_by_age[b++];
	return b;
}

/* Remaining TTL no longer than the stored TTL or the configured maximum. */
static void cap_expiry(const struct hf_cache_opts *o, struct rr_entry *e, int64_t now)
{
	bool negative = e->kind == RR_NODATA || e->kind == RR_NXDOMAIN;
	uint32_t cap = negative ? o->neg_max_ttl : o->max_ttl;
	if (e->ttl < cap)
		cap = e->ttl;
	if (e->expire > now + (int64_t)cap)
		e->expire = now + (int64_t)cap;
}

/* Same name and class: the keys share everything but the type. */
static bool same_name(const struct rr_entry *a, const struct hf_persist_rec *r)
{
	struct rr_entry *e = (struct rr_entry *)a;
	return e->rclass == r->rclass && e->owner_len == r->owner_len &&
	       memcmp(entry_owner(e), r->owner, r->owner_len) == 0;
}

static void file_loaded(struct hf_persist *p, struct hf_cache *c, struct rr_entry *e)
{
	hf_rrcache_file(c, e);
	atomic_fetch_add(&p->loaded, 1);
}

/*
 * Loads the live entries the memory cache has room for into c. HF_OK, or
 * HF_EMALF with why when a record does not parse after all (the file changed
 * since the check) or the file cannot be read. Out of memory ends the load
 * early, keeping what is loaded.
 */
static int load(struct hf_persist *p, struct hf_cache *c, const struct verdict *v, int64_t now,
                char why[WHY_MAX])
{
	unsigned cutoff = load_cutoff(v, c->opts.max_bytes / 10 * 9);
	struct rr_entry *nx = NULL; /* an NXDOMAIN entry waiting to see its name's other entries */
	MDB_txn *txn;
	MDB_cursor *cur;
	int rc = mdb_txn_begin(p->env, NULL, MDB_RDONLY, &txn);
	if (rc != 0)
		goto fail;
	rc = mdb_cursor_open(txn, p->rr, &cur);
	if (rc != 0) {
		mdb_txn_abort(txn);
		goto fail;
	}
	bool bad = false;
	MDB_val k, val;
	for (rc = mdb_cursor_get(cur, &k, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
		struct hf_persist_rec r;
		const char *what;
		if (hf_persist_read(k.mv_data, k.mv_size, val.mv_data, val.mv_size, &r, &what) !=
		    HF_OK) {
			snprintf(why, WHY_MAX, "has a bad record: %s", what);
			bad = true;
			break;
		}
		if (nx != NULL && !same_name(nx, &r)) {
			cap_expiry(&c->opts, nx, now);
			file_loaded(p, c, nx);
			nx = NULL;
		}
		int64_t stored = r.expire - r.ttl;
		if (nx != NULL && (r.kind == RR_POSITIVE || r.kind == RR_SYNTH) &&
		    stored >= nx->expire - nx->ttl) {
			/* Data stored after the NXDOMAIN: storing it dropped the NXDOMAIN. */
			hf_free(nx);
			nx = NULL;
		}
		if (dead(r.expire, now, c->opts.stale_window) || age_bucket(now - stored) >= cutoff)
			continue;
		struct rr_entry *e = hf_persist_rec_entry(&r);
		if (e == NULL)
			break; /* out of memory: keep what is loaded */
		if (e->kind == RR_NXDOMAIN) {
			nx = e;
			continue;
		}
		cap_expiry(&c->opts, e, now);
		file_loaded(p, c, e);
	}
	if (nx != NULL && !bad) {
		cap_expiry(&c->opts, nx, now);
		file_loaded(p, c, nx);
	} else {
		hf_free(nx);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (bad)
		return HF_EMALF;
	if (rc == 0 || rc == MDB_NOTFOUND)
		return HF_OK;
fail:
	snprintf(why, WHY_MAX, "cannot be read (%s)", mdb_strerror(rc));
	return HF_EMALF;
}

/* --- writing ----------------------------------------------------------------------------- */

static uint64_t used_pages(struct hf_persist *p)
{
	MDB_txn *txn;
	MDB_stat st;
	uint64_t pages = 0;
	if (p->env == NULL || mdb_txn_begin(p->env, NULL, MDB_RDONLY, &txn) != 0)
		return 0;
	if (mdb_stat(txn, p->rr, &st) == 0)
		pages = st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
	mdb_txn_abort(txn);
	return pages;
}

static void reopen_empty(struct hf_persist *p, const char *why);

/* Which records a trim removes: past the stale window, or stored at least this long ago. */
struct trim_plan {
	int64_t now;
	uint32_t stale_window;
	unsigned cutoff;  /* age bucket from which live entries go; AGE_BUCKETS: none */
	uint64_t partial; /* and of the bucket before it, the first entries of this many bytes */
};

static uint64_t record_bytes(const MDB_val *k, const MDB_val *v)
{
	return k->mv_size + v->mv_size + NODE_OVERHEAD;
}

static void value_times(const MDB_val *v, int64_t *expire, int64_t *stored)
{
	hf_persist_value_times(v->mv_data, expire, stored);
}

/* Does t doom the record? Asked once per record in key order (the partial share counts down). */
static bool doomed(struct trim_plan *t, const MDB_val *k, const MDB_val *v)
{
	if (v->mv_size < HF_PERSIST_VALUE_HEAD)
		return true;
	int64_t expire, stored;
	value_times(v, &expire, &stored);
	unsigned b = age_bucket(t->now - stored);
	if (dead(expire, t->now, t->stale_window) || b >= t->cutoff)
		return true;
	if (b + 1 != t->cutoff || t->partial == 0)
		return false;
	uint64_t bytes = record_bytes(k, v);
	t->partial = t->partial > bytes ? t->partial - bytes : 0;
	return true;
}

/*
 * Deletes what t dooms among the keys starting with prefix (all keys with
 * plen 0), in transactions of at most max_ops deletions (each may copy a
 * page, and what a transaction frees is not free until two later). Returns the
 * entries deleted, or -1 when the file could not take it (then started
 * afresh).
 */
static int64_t delete_where(struct hf_persist *p, struct trim_plan *t, const uint8_t *prefix,
                            size_t plen)
{
	uint8_t resume[512];
	size_t rlen = plen;
	if (plen != 0)
		memcpy(resume, prefix, plen);
	int64_t deleted = 0;
	for (bool done = false; !done;) {
		MDB_txn *txn;
		MDB_cursor *cur = NULL;
		int rc = mdb_txn_begin(p->env, NULL, 0, &txn);
		if (rc == 0)
			rc = mdb_cursor_open(txn, p->rr, &cur);
		MDB_val k = {.mv_size = rlen, .mv_data = resume}, v;
		MDB_cursor_op op = rlen != 0 ? MDB_SET_RANGE : MDB_FIRST;
		unsigned n = 0;
		while (rc == 0) {
			rc = mdb_cursor_get(cur, &k, &v, op);
			op = MDB_NEXT;
			if (rc != 0)
				break;
			if (plen != 0 &&
			    (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)) {
				rc = MDB_NOTFOUND;
				break;
			}
			if (n == p->max_ops) {
				/* Resume here in a new transaction; nothing past the prefix was
				 * freed. */
				rlen = k.mv_size <= sizeof(resume) ? k.mv_size : sizeof(resume);
				memcpy(resume, k.mv_data, rlen);
				break;
			}
			if (t == NULL || doomed(t, &k, &v)) {
				rc = mdb_cursor_del(cur, 0);
				n++;
			}
		}
		done = rc == MDB_NOTFOUND;
		if (cur != NULL)
			mdb_cursor_close(cur);
		if (rc == 0 || rc == MDB_NOTFOUND) {
			rc = mdb_txn_commit(txn);
		} else if (txn != NULL) {
			mdb_txn_abort(txn);
		}
		if (rc != 0) {
			reopen_empty(p, mdb_strerror(rc));
			return -1;
		}
		deleted += n;
	}
	return deleted;
}

/*
 * Brings the records down to pct percent of the map: those past the stale
 * window first, then the oldest stored. With force at least a quarter go.
 */
static void trim(struct hf_persist *p, unsigned pct, bool force)
{
	struct trim_plan t = {.now = hf_clock_wall(),
	                      .stale_window = p->cache->opts.stale_window,
	                      .cutoff = AGE_BUCKETS};
	uint64_t by_age[AGE_BUCKETS] = {0}, total = 0, doomed_bytes = 0;
	MDB_txn *txn;
	MDB_cursor *cur;
	if (p->env == NULL || mdb_txn_begin(p->env, NULL, MDB_RDONLY, &txn) != 0)
		return;
	if (mdb_cursor_open(txn, p->rr, &cur) != 0) {
		mdb_txn_abort(txn);
		return;
	}
	MDB_val k, v;
	int rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t bytes = record_bytes(&k, &v);
		total += bytes;
		int64_t expire, stored;
		if (doomed(&t, &k, &v)) {
			doomed_bytes += bytes;
		} else {
			value_times(&v, &expire, &stored);
			by_age[age_bucket(t.now - stored)] += bytes;
		}
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	uint64_t pages = used_pages(p);
	uint64_t target_pages = p->map_pages * pct / 100;
	uint64_t need = 0;
	if (pages > target_pages)
		need = (uint64_t)((double)total * (double)(pages - target_pages) / (double)pages);
	if (force && need < total / 4)
		need = total / 4;
	/* The oldest buckets whole, then the first (by key) of the next. */
	uint64_t freed = doomed_bytes;
	while (freed < need && t.cutoff > 0) {
		uint64_t b = by_age[t.cutoff - 1];
		if (freed + b > need) {
			t.partial = need - freed;
			break;
		}
		freed += b;
		t.cutoff--;
	}
	int64_t n = delete_where(p, &t, NULL, 0);
	if (n > 0)
		hf_log_debug("cache file %s: trimmed %" PRId64 " entries to keep within cache.size",
		             p->data_path, n);
}

/* Writes ops[0..n) (puts and deletions) in one transaction; an LMDB error or 0. */
static int write_ops(struct hf_persist *p, struct op *const *ops, size_t n)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(p->env, NULL, 0, &txn);
	for (size_t i = 0; i < n && rc == 0; i++) {
		MDB_val k = {.mv_size = ops[i]->klen, .mv_data = ops[i]->data};
		if (ops[i]->what == OP_PUT) {
			MDB_val v = {.mv_size = ops[i]->vlen,
			             .mv_data = ops[i]->data + ops[i]->klen};
			rc = mdb_put(txn, p->rr, &k, &v, 0);
		} else {
			rc = mdb_del(txn, p->rr, &k, NULL);
			if (rc == MDB_NOTFOUND)
				rc = 0;
		}
	}
	if (rc == 0)
		return mdb_txn_commit(txn);
	if (txn != NULL)
		mdb_txn_abort(txn);
	return rc;
}

static size_t count_puts(struct op *const *ops, size_t n)
{
	size_t puts = 0;
	for (size_t i = 0; i < n; i++)
		puts += ops[i]->what == OP_PUT;
	return puts;
}

/* Commits a small change (the time of the last trim), moving LMDB's transaction id on. */
static void touch(struct hf_persist *p)
{
	MDB_txn *txn;
	uint8_t when[8];
	hf_put32(when, (uint32_t)((uint64_t)hf_clock_wall() >> 32));
	hf_put32(when + 4, (uint32_t)hf_clock_wall());
	MDB_val k = {.mv_size = 7, .mv_data = "trimmed"}, v = {.mv_size = 8, .mv_data = when};
	if (mdb_txn_begin(p->env, NULL, 0, &txn) != 0)
		return;
	if (mdb_put(txn, p->meta, &k, &v, 0) == 0)
		mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
}

/* Writes one run of puts and deletions, trimming and retrying once if the map is full. */
static void write_run(struct hf_persist *p, struct op *const *ops, size_t n)
{
	size_t puts = count_puts(ops, n);
	if (p->env == NULL) {
		atomic_fetch_add(&p->dropped, puts);
		return;
	}
	int rc = write_ops(p, ops, n);
	if (rc == MDB_MAP_FULL) {
		trim(p, LOW_WATER, true);
		/* Pages a transaction frees are free for the one after next (LMDB keeps the last
		 * two snapshots): two small commits later the trimmed room is there. */
		for (int i = 0; i < 2 && p->env != NULL; i++)
			touch(p);
		rc = p->env != NULL ? write_ops(p, ops, n) : rc;
	}
	if (rc != 0) {
		atomic_fetch_add(&p->dropped, puts);
		if (rc != MDB_MAP_FULL && rc != MDB_TXN_FULL)
			reopen_empty(p, mdb_strerror(rc));
		return;
	}
	atomic_fetch_add(&p->written, puts);
	p->unsynced = true;
	if (used_pages(p) * 100 > (uint64_t)p->map_pages * HIGH_WATER)
		trim(p, LOW_WATER, false);
}

static void flush_prefix(struct hf_persist *p, const uint8_t *prefix, size_t plen)
{
	if (p->env == NULL)
		return;
	if (plen == 0) {
		MDB_txn *txn;
		int rc = mdb_txn_begin(p->env, NULL, 0, &txn);
		if (rc == 0) {
			rc = mdb_drop(txn, p->rr, 0);
			if (rc == 0)
				rc = mdb_txn_commit(txn);
			else
				mdb_txn_abort(txn);
		}
		if (rc != 0)
			reopen_empty(p, mdb_strerror(rc));
	} else {
		delete_where(p, NULL, prefix, plen);
	}
	p->unsynced = true;
}

/*
 * Would the loader take this put back? Anything it would refuse would have
 * the whole file moved aside at the next start, so it is not written (and
 * is counted as dropped).
 */
static bool readable(struct hf_persist *p, const struct op *o)
{
	struct hf_persist_rec r;
	const char *why;
	if (o->what != OP_PUT ||
	    hf_persist_read(o->data, o->klen, o->data + o->klen, o->vlen, &r, &why) == HF_OK)
		return true;
	atomic_fetch_add(&p->dropped, 1);
	char name[HF_NAME_TEXT_MAX];
	if (r.owner_len == 0 || hf_name_to_text(r.owner, name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "?");
	if (!p->refused_logged)
		hf_log_warn("cache file %s: an entry for %s is not written (%s); it would not "
		            "load again",
		            p->data_path, name, why);
	else
		hf_log_debug("cache file %s: an entry for %s is not written (%s)", p->data_path,
		             name, why);
	p->refused_logged = true;
	return false;
}

/* Applies a list of changes in order, in runs of at most max_ops, and frees it. */
static void apply(struct hf_persist *p, struct op *list)
{
	struct op *run[512];
	while (list != NULL) {
		if (list->what == OP_FLUSH) {
			struct op *o = list;
			list = o->next;
			flush_prefix(p, o->data, o->klen);
			hf_free(o);
			continue;
		}
		size_t n = 0, bytes = 0;
		while (list != NULL && list->what != OP_FLUSH && n < p->max_ops &&
		       (n == 0 || bytes + list->klen + list->vlen <= p->map_bytes / 16)) {
			struct op *o = list;
			list = o->next;
			if (!readable(p, o)) {
				hf_free(o);
				continue;
			}
			bytes += o->klen + o->vlen;
			run[n++] = o;
		}
		if (n == 0)
			continue;
		write_run(p, run, n);
		for (size_t i = 0; i < n; i++)
			hf_free(run[i]);
	}
}

/* The file could not take a change or a trim: start it afresh, or give it up. */
static void reopen_empty(struct hf_persist *p, const char *why)
{
	char err[WHY_MAX];
	mdb_env_close(p->env);
	p->env = NULL;
	unlink(p->data_path);
	unlink(p->lock_path);
	if (open_store(p, err) != V_OK) {
		hf_log_error("cache file %s failed (%s) and cannot be made again (%s): the cache "
		             "stays in memory only",
		             p->data_path, why, err);
		return;
	}
	hf_log_warn("cache file %s failed (%s): started it afresh, empty", p->data_path, why);
}

static void deadline_in(struct timespec *ts, uint64_t at_ms)
{
	ts->tv_sec = (time_t)(at_ms / 1000);
	ts->tv_nsec = (long)(at_ms % 1000) * 1000000L;
}

static void *writer_main(void *arg)
{
	struct hf_persist *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && (p->head == NULL || p->paused)) {
			if (!p->unsynced) {
				pthread_cond_wait(&p->wake, &p->lock);
				continue;
			}
			struct timespec ts;
			deadline_in(&ts, p->synced_ms + SYNC_MS);
			if (pthread_cond_timedwait(&p->wake, &p->lock, &ts) == ETIMEDOUT)
				break;
		}
		/* Let a batch gather. */
		struct timespec ts;
		deadline_in(&ts, p->first_ms + BATCH_MS);
		while (!p->stop && p->head != NULL && !p->paused && p->queued < p->queue_max / 2 &&
		       pthread_cond_timedwait(&p->wake, &p->lock, &ts) != ETIMEDOUT) {
		}
		struct op *list = p->paused && !p->stop ? NULL : p->head;
		if (list != NULL) {
			p->head = NULL;
			p->tail = &p->head;
			p->queued = 0;
		}
		bool stop = p->stop;
		pthread_mutex_unlock(&p->lock);
		apply(p, list);
		uint64_t dropped = atomic_load(&p->dropped);
		if (dropped >= p->dropped_logged * 2 + 1) { /* at 1, 3, 7, 15, ... */
			hf_log_warn("cache file %s: %" PRIu64 " entries not written so far (the "
			            "write queue was full, or the file had no room for them)",
			            p->data_path, dropped);
			p->dropped_logged = dropped;
		}
		uint64_t now = hf_clock_mono_ms();
		if (p->env != NULL && p->unsynced && (stop || now >= p->synced_ms + SYNC_MS)) {
			mdb_env_sync(p->env, 1);
			p->unsynced = false;
			p->synced_ms = now;
		}
		pthread_mutex_lock(&p->lock);
		if (stop && p->head == NULL)
			break;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void enqueue(struct hf_persist *p, struct op *o, bool must)
{
	size_t size = sizeof(*o) + o->klen + o->vlen;
	pthread_mutex_lock(&p->lock);
	if (!must && p->queued + size > p->queue_max) {
		pthread_mutex_unlock(&p->lock);
		hf_free(o);
		atomic_fetch_add(&p->dropped, 1);
		return;
	}
	o->next = NULL;
	*p->tail = o;
	p->tail = &o->next;
	p->queued += size;
	if (p->head == o)
		p->first_ms = hf_clock_mono_ms();
	if (p->head == o || (p->queued >= p->queue_max / 2 && p->queued - size < p->queue_max / 2))
		pthread_cond_signal(&p->wake); /* the first change, or enough for a batch now */
	pthread_mutex_unlock(&p->lock);
}

static struct op *new_op(enum op_what what, size_t klen, size_t vlen)
{
	struct op *o = hf_malloc(sizeof(*o) + klen + vlen);
	if (o == NULL)
		return NULL;
	o->what = (uint8_t)what;
	o->klen = (uint16_t)klen;
	o->vlen = (uint32_t)vlen;
	return o;
}

void hf_persist_put(struct hf_persist *p, struct rr_entry *e)
{
	if (p == NULL)
		return;
	size_t klen = e->owner_len + 4u;
	size_t vlen = hf_persist_value_len(e);
	struct op *o = new_op(OP_PUT, klen, vlen);
	if (o == NULL) {
		atomic_fetch_add(&p->dropped, 1);
		return;
	}
	hf_persist_key(e, o->data);
	hf_persist_value(e, o->data + klen);
	enqueue(p, o, false);
}

void hf_persist_del(struct hf_persist *p, const uint8_t *name, uint16_t type, uint16_t rclass)
{
	if (p == NULL)
		return;
	size_t len = hf_name_len(name);
	struct op *o = new_op(OP_DEL, len + 4, 0);
	if (o == NULL)
		return;
	size_t n = hf_persist_rev_name(name, o->data);
	o->data[n] = 0;
	hf_put16(o->data + n + 1, rclass);
	hf_put16(o->data + n + 3, type);
	enqueue(p, o, false);
}

void hf_persist_flush(struct hf_persist *p, const uint8_t *name)
{
	if (p == NULL)
		return;
	uint8_t key[HF_NAME_MAX];
	memcpy(key, name, hf_name_len(name));
	hf_name_lower(key);
	struct op *o = new_op(OP_FLUSH, hf_name_len(key) - 1, 0);
	if (o == NULL) {
		hf_log_error("cache file %s: out of memory: a flush did not reach the file",
		             p->data_path);
		return;
	}
	hf_persist_rev_name(key, o->data);
	enqueue(p, o, true);
}

void hf_persist_pause(struct hf_persist *p, bool paused)
{
	pthread_mutex_lock(&p->lock);
	p->paused = paused;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void hf_persist_stats(struct hf_persist *p, struct hf_cache_stats *out)
{
	if (p == NULL)
		return;
	out->disk_loaded = atomic_load(&p->loaded);
	out->disk_written = atomic_load(&p->written);
	out->disk_dropped = atomic_load(&p->dropped);
}

/* --- open and close -------------------------------------------------------------------- */

static void persist_free(struct hf_persist *p)
{
	if (p->env != NULL)
		mdb_env_close(p->env);
	if (p->owner_fd >= 0)
		close(p->owner_fd); /* and with it the lock */
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	hf_free(p->dir);
	hf_free(p->data_path);
	hf_free(p->lock_path);
	hf_free(p);
}

static int init_sync(struct hf_persist *p)
{
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0)
		return HF_ENOMEM;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&p->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0)
		return HF_ENOMEM;
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		pthread_cond_destroy(&p->wake);
		return HF_ENOMEM;
	}
	return HF_OK;
}

/*
 * A file larger than the map (cache.size was lowered) is trimmed, then
 * copied compactly in place of itself, so it shrinks to the new size.
 */
static void shrink(struct hf_persist *p)
{
	struct stat st;
	if (stat(p->data_path, &st) != 0 || (uint64_t)st.st_size <= p->map_bytes)
		return;
	/* Trim against the new map, the one the compacted copy gets. */
	size_t map_pages = p->map_pages;
	p->map_pages = p->map_bytes / p->psize;
	trim(p, LOW_WATER, false);
	p->map_pages = map_pages;
	if (p->env == NULL)
		return;
	char *tmp = join(p->dir, "data.mdb.compact");
	int fd = tmp != NULL ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
	int rc = fd >= 0 ? mdb_env_copyfd2(p->env, fd, MDB_CP_COMPACT) : errno;
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = errno;
	char why[WHY_MAX];
	if (rc == 0) {
		mdb_env_close(p->env);
		p->env = NULL;
		rc = rename(tmp, p->data_path) == 0 ? 0 : errno;
		if (open_store(p, why) != V_OK) {
			hf_log_warn("cache file %s cannot be opened after compacting (%s)",
			            p->data_path, why);
			reopen_empty(p, why);
		}
	}
	if (tmp != NULL)
		unlink(tmp);
	hf_free(tmp);
	if (rc != 0)
		hf_log_warn(
		    "cache file %s is larger than cache.size and could not be compacted (%s)",
		    p->data_path, mdb_strerror(rc));
	else
		hf_log_info("cache file %s compacted to fit cache.size", p->data_path);
}

struct hf_persist *hf_persist_open(struct hf_cache *c)
{
	const struct hf_cache_opts *o = &c->opts;
	struct hf_persist *p = hf_calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	if (init_sync(p) != HF_OK) {
		hf_free(p);
		return NULL;
	}
	p->cache = c;
	p->tail = &p->head;
	p->owner_fd = -1;
	p->dir = hf_malloc(strlen(o->path) + 1);
	if (p->dir != NULL)
		memcpy(p->dir, o->path, strlen(o->path) + 1);
	p->data_path = join(o->path, "data.mdb");
	p->lock_path = join(o->path, "lock.mdb");
	if (p->dir == NULL || p->data_path == NULL || p->lock_path == NULL)
		goto fail;
	uint64_t want = o->disk_bytes != 0 ? o->disk_bytes : o->max_bytes;
	long page = sysconf(_SC_PAGESIZE);
	size_t psize = page > 0 ? (size_t)page : 4096;
	p->psize = psize;
	if (want > SIZE_MAX / 2)
		want = SIZE_MAX / 2;
	p->map_bytes = (size_t)want / psize * psize;
	if (p->map_bytes < MAP_MIN_PAGES * psize)
		p->map_bytes = MAP_MIN_PAGES * psize;
	p->map_pages = p->map_bytes / psize;
	p->queue_max = p->map_bytes / 8;
	p->queue_max = p->queue_max < QUEUE_MIN   ? QUEUE_MIN
	               : p->queue_max > QUEUE_MAX ? QUEUE_MAX
	                                          : p->queue_max;
	size_t ops = p->map_pages / 16; /* a transaction dirties a small part of the map */
	p->max_ops = (unsigned)(ops < 8 ? 8 : ops > 512 ? 512 : ops);

	int rc = make_dir(p->dir);
	if (rc != HF_OK) {
		hf_log_warn(
		    "cache directory %s cannot be used (%s): keeping the cache in memory only",
		    p->dir, strerror(-rc));
		goto fail;
	}
	/* Two processes on one file would trim, move and remake it under each other. */
	char *owner = join(p->dir, "holdfast.lock");
	p->owner_fd = owner != NULL ? open(owner, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
	hf_free(owner);
	if (p->owner_fd < 0 || flock(p->owner_fd, LOCK_EX | LOCK_NB) != 0) {
		hf_log_warn("cache directory %s %s: keeping the cache in memory only", p->dir,
		            p->owner_fd >= 0 && errno == EWOULDBLOCK
		                ? "is in use by another holdfast"
		                : "cannot be locked");
		goto fail;
	}
	int64_t now = hf_clock_wall();
	struct verdict v;
	memset(&v, 0, sizeof(v));
	struct stat st;
	if (stat(p->data_path, &st) == 0 && st.st_size == 0)
		unlink(p->data_path); /* made, never written: nothing to keep or report */
	if (stat(p->data_path, &st) == 0) {
		check_in_child(p, now, &v);
		if (v.state == V_TRANSIENT) {
			hf_log_warn("cache file %s %s: keeping the cache in memory only this time",
			            p->data_path, v.why);
			goto fail;
		}
		if (v.state == V_BAD) {
			if (move_aside(p, v.why) != HF_OK)
				goto fail;
			memset(&v, 0, sizeof(v));
		}
	}
	char why[WHY_MAX];
	rc = open_store(p, why);
	if (rc == V_BAD && stat(p->data_path, &st) == 0) {
		if (move_aside(p, why) != HF_OK)
			goto fail;
		memset(&v, 0, sizeof(v));
		rc = open_store(p, why);
	}
	if (rc != V_OK) {
		hf_log_warn("cache file %s %s: keeping the cache in memory only", p->data_path,
		            why);
		goto fail;
	}
	if (v.records != 0 && load(p, c, &v, now, why) != HF_OK) {
		/* Changed since it was checked: forget what came from it. */
		hf_cache_flush(c, (const uint8_t *)"");
		atomic_store(&p->loaded, 0);
		mdb_env_close(p->env);
		p->env = NULL;
		if (move_aside(p, why) != HF_OK || open_store(p, why) != V_OK)
			goto fail;
	}
	shrink(p);
	if (p->env == NULL)
		goto fail;
	p->synced_ms = hf_clock_mono_ms();
	if (pthread_create(&p->writer, NULL, writer_main, p) != 0) {
		hf_log_warn("cache file %s: cannot start its writer thread: keeping the cache in "
		            "memory only",
		            p->data_path);
		goto fail;
	}
	p->writer_running = true;
	if (v.records != 0)
		hf_log_info("cache file %s: %" PRIu64 " entries loaded, %" PRIu64
		            " left out (expired, or more than the cache holds)",
		            p->data_path, atomic_load(&p->loaded),
		            v.records - atomic_load(&p->loaded));
	else
		hf_log_info("cache file %s: starting empty", p->data_path);
	return p;
fail:
	persist_free(p);
	return NULL;
}

void hf_persist_close(struct hf_persist *p)
{
	if (p == NULL)
		return;
	if (p->writer_running) {
		pthread_mutex_lock(&p->lock);
		p->stop = true;
		pthread_cond_signal(&p->wake);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->writer, NULL);
	}
	if (p->env != NULL)
		mdb_env_sync(p->env, 1);
	for (struct op *o = p->head; o != NULL;) {
		struct op *next = o->next;
		hf_free(o);
		o = next;
	}
	persist_free(p);
}
