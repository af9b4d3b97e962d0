/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The record cache on disk (cache/persist.c): entries of every kind come
 * back after the cache is closed and opened again, with their expiry,
 * security status and DNSSEC records; the stored form parses back and
 * rejects hostile records; a garbage, damaged or cut-short file, a bad record and
 * another format version are moved aside and the cache starts empty; a
 * directory that cannot be used, or that another cache has open, leaves
 * the cache in memory; an entry the loader would refuse is not written; the
 * file stays within its size however much is written, a batch too big for
 * the room left included; the newest entries are loaded first; a full queue
 * drops writes and counts them; flushes reach the file.
 *
 * Times are real wall-clock seconds (the store's loader reads the clock):
 * entries are stored "T seconds ago" by passing now - T.
 */
#include <dirent.h>
#include <fcntl.h>
#include <lmdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache/cache.h"
#include "cache/impl.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/msgtext.h"
#include "wire/name.h"
#include "wire/pkt.h"
#include "wire/rrtype.h"

static char dir[64];

static struct hf_cache_opts opts(void)
{
	struct hf_cache_opts o = {
	    .max_bytes = 4 << 20,
	    .max_ttl = 86400,
	    .neg_max_ttl = 10800,
	    .path = dir,
	    .disk_bytes = 4 << 20,
	};
	return o;
}

static void rm_dir(const char *path)
{
	DIR *d = opendir(path);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	rmdir(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/hf-test-persist-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rm_dir(dir);
	return 0;
}

static void name_of(const char *text, uint8_t out[HF_NAME_MAX])
{
	assert_true(hf_name_from_text(text, strlen(text), NULL, out) > 0);
}

static void store(struct hf_cache *c, const char *text, int64_t now, enum hf_sec sec)
{
	uint8_t wire[4096], qname[HF_NAME_MAX];
	struct hf_pkt pkt;
	int line = 0;
	int len = hf_msg_from_text(text, strlen(text), wire, sizeof(wire), &line);
	if (len < 0)
		print_error("hf_msg_from_text: %s at line %d\n", hf_errname(len), line);
	assert_true(len > 0);
	assert_int_equal(hf_pkt_parse(&pkt, wire, (size_t)len, NULL), HF_OK);
	assert_true(hf_pkt_owner(&pkt, &pkt.rr[0], qname) > 0);
	assert_int_equal(hf_cache_store_response(c, &pkt, qname, pkt.rr[0].type, pkt.rr[0].rclass,
	                                         now, sec, UINT32_MAX),
	                 HF_OK);
	hf_pkt_clear(&pkt);
}

/*
 * Asks (qname, qtype, IN) with flags; returns the result and writes the
 * answer as text (the rcode, then the sections) and its security into text
 * and *sec. A miss leaves text empty.
 */
static int ask(struct hf_cache *c, const char *qname_text, uint16_t qtype, unsigned flags,
               int64_t now, char *text, size_t cap, enum hf_sec *sec)
{
	uint8_t buf[4096], qname[HF_NAME_MAX];
	name_of(qname_text, qname);
	struct hf_build b;
	hf_build_init(&b, buf, sizeof(buf));
	assert_int_equal(hf_build_header(&b, 1, HF_FLAG_QR | HF_FLAG_RD | HF_FLAG_RA), HF_OK);
	assert_int_equal(hf_build_question(&b, qname, qtype, HF_CLASS_IN), HF_OK);
	uint16_t rcode = 0;
	int r = hf_cache_answer(c, qname, qtype, HF_CLASS_IN, now, &b, &rcode, flags, sec);
	text[0] = '\0';
	if (r == HF_CACHE_MISS)
		return r;
	hf_build_set_flags(&b, (uint16_t)(HF_FLAG_QR | HF_FLAG_RD | HF_FLAG_RA | rcode));
	size_t len = hf_build_finish(&b);
	struct hf_pkt pkt;
	assert_int_equal(hf_pkt_parse(&pkt, buf, len, NULL), HF_OK);
	char all[8192];
	assert_true(hf_msg_to_text(&pkt, all, sizeof(all)) > 0);
	hf_pkt_clear(&pkt);
	const char *rc = strstr(all, "rcode ");
	const char *sections = strstr(all, ";; ANSWER\n");
	assert_non_null(rc);
	assert_non_null(sections);
	int rlen = 6 + (int)strcspn(rc + 6, " \n");
	snprintf(text, cap, "%.*s sec %d\n%s", rlen, rc, (int)*sec, sections);
	return r;
}

static struct hf_cache_stats stats(struct hf_cache *c)
{
	struct hf_cache_stats st;
	hf_cache_stats(c, &st);
	return st;
}

static bool file_exists(const char *name)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

static off_t file_size(const char *name)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* How many files the store moved aside (data.mdb.corrupt-*) are in the directory. */
static int moved_aside(void)
{
	int n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, "data.mdb.corrupt-", 17) == 0;
	closedir(d);
	return n;
}

/* --- what every kind of entry looks like after a restart -------------------------------- */

static const char *const scenario[] = {
    /* A secure RRset with its RRSIG (and one over another type that must stay out). */
    ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n"
    ";; QUESTION\nwww.example. IN A\n"
    ";; ANSWER\n"
    "www.example. 300 IN A 192.0.2.1\n"
    "www.example. 300 IN A 192.0.2.2\n"
    "www.example. 300 IN RRSIG A 13 2 300 20300101000000 20200101000000 1 example. AAAA\n"
    "www.example. 300 IN RRSIG AAAA 13 2 300 20300101000000 20200101000000 1 example. AAAA\n",
    /* NXDOMAIN with its signed SOA and NSEC proof. */
    ";; id 1 opcode QUERY rcode NXDOMAIN flags qr aa\n"
    ";; QUESTION\nnope.example. IN A\n"
    ";; ANSWER\n;; AUTHORITY\n"
    "example. 300 IN SOA ns. host. 1 2 3 4 300\n"
    "example. 300 IN RRSIG SOA 13 1 300 20300101000000 20200101000000 1 example. AAAA\n"
    "mail.example. 300 IN NSEC www.example. A\n"
    "mail.example. 300 IN RRSIG NSEC 13 2 300 20300101000000 20200101000000 1 example. AAAA\n",
    /* NODATA. */
    ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n"
    ";; QUESTION\nwww.example. IN MX\n"
    ";; ANSWER\n;; AUTHORITY\n"
    "example. 300 IN SOA ns. host. 1 2 3 4 120\n",
    /* A CNAME chain into another name. */
    ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n"
    ";; QUESTION\nalias.example. IN A\n"
    ";; ANSWER\n"
    "alias.example. 600 IN CNAME www2.example.\n"
    "www2.example. 300 IN A 192.0.2.3\n",
    /* A wildcard expansion: its proof goes into the authority section. */
    ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n"
    ";; QUESTION\na.w.example. IN TXT\n"
    ";; ANSWER\n"
    "a.w.example. 300 IN TXT \"wild\"\n"
    "a.w.example. 300 IN RRSIG TXT 13 2 300 20300101000000 20200101000000 1 example. AAAA\n"
    ";; AUTHORITY\n"
    "w.example. 300 IN NSEC x.example. TXT RRSIG NSEC\n"
    "w.example. 300 IN RRSIG NSEC 13 2 300 20300101000000 20200101000000 1 example. AAAA\n",
    /* A DNAME and the CNAME synthesized from it. */
    ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n"
    ";; QUESTION\nx.d.example. IN A\n"
    ";; ANSWER\n"
    "d.example. 300 IN DNAME t.example.\n"
    "x.d.example. 300 IN CNAME x.t.example.\n"
    "x.t.example. 300 IN A 192.0.2.9\n",
};

struct question {
	const char *name;
	uint16_t type;
};

static const struct question questions[] = {
    {"www.example.", HF_TYPE_A},   {"WWW.example.", HF_TYPE_A},   {"nope.example.", HF_TYPE_A},
    {"nope.example.", HF_TYPE_MX}, {"www.example.", HF_TYPE_MX},  {"alias.example.", HF_TYPE_A},
    {"a.w.example.", HF_TYPE_TXT}, {"x.d.example.", HF_TYPE_A},   {"d.example.", HF_TYPE_DNAME},
    {"x.t.example.", HF_TYPE_A},   {"www.example.", HF_TYPE_TXT},
};

#define NQ (sizeof(questions) / sizeof(questions[0]))

/* Every question asked with and without DO, at now, into answers[2 * NQ][1024]. */
static void ask_all(struct hf_cache *c, int64_t now, char answers[][1024])
{
	for (size_t i = 0; i < NQ; i++) {
		for (unsigned f = 0; f < 2; f++) {
			enum hf_sec sec = HF_SEC_INSECURE;
			ask(c, questions[i].name, questions[i].type, f ? HF_CACHE_DNSSEC : 0, now,
			    answers[2 * i + f], 1024, &sec);
		}
	}
}

static unsigned counted;
static void count_rdata(void *ctx, const uint8_t *rdata, uint16_t rdlen)
{
	(void)ctx;
	(void)rdata;
	(void)rdlen;
	counted++;
}

static void test_every_kind_survives(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	struct hf_cache_opts o = opts();
	struct hf_cache *c = hf_cache_new(&o);
	assert_non_null(c);
	assert_non_null(c->persist);
	assert_true(file_exists("data.mdb"));
	for (size_t i = 0; i < sizeof(scenario) / sizeof(scenario[0]); i++)
		store(c, scenario[i], now - 100, i < 2 ? HF_SEC_SECURE : HF_SEC_INSECURE);
	/* Infrastructure data: an NS set from a referral, never an answer. */
	uint8_t owner[HF_NAME_MAX], ns1[HF_NAME_MAX], ns2[HF_NAME_MAX];
	name_of("sub.example.", owner);
	name_of("ns1.sub.example.", ns1);
	name_of("ns2.sub.example.", ns2);
	const uint8_t *rdata[2] = {ns1, ns2};
	uint16_t rdlen[2] = {(uint16_t)hf_name_len(ns1), (uint16_t)hf_name_len(ns2)};
	assert_int_equal(
	    hf_cache_put_infra(c, owner, HF_TYPE_NS, HF_CLASS_IN, 3600, rdata, rdlen, 2, now - 100),
	    HF_OK);

	static char before[2 * NQ][1024], after[2 * NQ][1024];
	ask_all(c, now, before);
	struct hf_cache_stats st = stats(c);
	uint64_t entries = st.entries;
	assert_int_equal(st.disk_loaded, 0);
	hf_cache_free(c);

	c = hf_cache_new(&o);
	assert_non_null(c);
	st = stats(c);
	assert_int_equal(st.entries, entries);
	assert_int_equal(st.disk_loaded, entries);
	ask_all(c, now, after);
	for (size_t i = 0; i < 2 * NQ; i++) {
		if (strcmp(before[i], after[i]) != 0)
			print_error("question %zu (%s, DO %zu)\n", i / 2, questions[i / 2].name,
			            i % 2);
		assert_string_equal(before[i], after[i]);
	}
	/* The TTL kept counting: stored 100 s ago with 300, 200 are left. */
	char text[1024];
	enum hf_sec sec;
	assert_int_equal(ask(c, "www.example.", HF_TYPE_A, 0, now, text, sizeof(text), &sec),
	                 HF_CACHE_HIT);
	assert_string_equal(text, "rcode NOERROR sec 1\n;; ANSWER\n"
	                          "www.example. 200 IN A 192.0.2.1\n"
	                          "www.example. 200 IN A 192.0.2.2\n"
	                          ";; AUTHORITY\n;; ADDITIONAL\n");
	assert_int_equal(
	    ask(c, "nope.example.", HF_TYPE_A, HF_CACHE_DNSSEC, now, text, sizeof(text), &sec),
	    HF_CACHE_HIT);
	assert_int_equal(sec, HF_SEC_SECURE);
	assert_non_null(strstr(text, "mail.example. 200 IN NSEC www.example. A\n"));
	/* The infrastructure NS set came back as infrastructure: for the iterator, not clients. */
	assert_int_equal(ask(c, "sub.example.", HF_TYPE_NS, 0, now, text, sizeof(text), &sec),
	                 HF_CACHE_MISS);
	assert_int_equal(hf_cache_probe(c, owner, HF_TYPE_NS, HF_CLASS_IN, now, &sec),
	                 HF_PROBE_NONE);
	counted = 0;
	assert_int_equal(
	    hf_cache_get_rrset(c, owner, HF_TYPE_NS, HF_CLASS_IN, now, count_rdata, NULL), 3500);
	assert_int_equal(counted, 2);
	hf_cache_free(c);
}

/* Infrastructure data comes back with its records and remaining TTL. */
static void test_infra_survives(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	struct hf_cache_opts o = opts();
	struct hf_cache *c = hf_cache_new(&o);
	assert_non_null(c);
	uint8_t owner[HF_NAME_MAX], a[4] = {192, 0, 2, 53};
	name_of("ns1.example.", owner);
	const uint8_t *rdata[1] = {a};
	uint16_t rdlen[1] = {4};
	assert_int_equal(
	    hf_cache_put_infra(c, owner, HF_TYPE_A, HF_CLASS_IN, 600, rdata, rdlen, 1, now - 10),
	    HF_OK);
	hf_cache_free(c);
	c = hf_cache_new(&o);
	counted = 0;
	assert_int_equal(
	    hf_cache_get_rrset(c, owner, HF_TYPE_A, HF_CLASS_IN, now, count_rdata, NULL), 590);
	assert_int_equal(counted, 1);
	hf_cache_free(c);
}

/* Expired entries stay behind unless the stale window keeps them; remaining TTLs are capped. */
static void test_expiry_across_restart(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	struct hf_cache_opts o = opts();
	o.stale_window = 3600;
	o.stale_answer_ttl = 30;
	struct hf_cache *c = hf_cache_new(&o);
	assert_non_null(c);
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; QUESTION\nold.example. IN A\n"
	      ";; ANSWER\nold.example. 300 IN A 192.0.2.7\n",
	      now - 1000, HF_SEC_INSECURE);
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; QUESTION\nancient.example. IN "
	      "A\n;; ANSWER\nancient.example. 300 IN A 192.0.2.8\n",
	      now - 5000, HF_SEC_INSECURE);
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; QUESTION\nlong.example. IN A\n"
	      ";; ANSWER\nlong.example. 80000 IN A 192.0.2.9\n",
	      now, HF_SEC_INSECURE);
	hf_cache_free(c);

	/* With the stale window: the entry expired 700 s ago answers stale, the other is gone. */
	c = hf_cache_new(&o);
	assert_non_null(c);
	char text[1024];
	enum hf_sec sec;
	assert_int_equal(stats(c).disk_loaded, 2);
	assert_int_equal(
	    ask(c, "old.example.", HF_TYPE_A, HF_CACHE_USE_STALE, now, text, sizeof(text), &sec),
	    HF_CACHE_STALE);
	assert_non_null(strstr(text, "old.example. 30 IN A 192.0.2.7"));
	assert_int_equal(ask(c, "old.example.", HF_TYPE_A, 0, now, text, sizeof(text), &sec),
	                 HF_CACHE_MISS);
	assert_int_equal(ask(c, "ancient.example.", HF_TYPE_A, HF_CACHE_USE_STALE, now, text,
	                     sizeof(text), &sec),
	                 HF_CACHE_MISS);
	hf_cache_free(c);

	/* Without it, and with max-ttl lowered to 600 s: the long TTL is capped. */
	o.stale_window = 0;
	o.max_ttl = 600;
	c = hf_cache_new(&o);
	assert_int_equal(stats(c).disk_loaded, 1);
	assert_int_equal(
	    ask(c, "old.example.", HF_TYPE_A, HF_CACHE_USE_STALE, now, text, sizeof(text), &sec),
	    HF_CACHE_MISS);
	assert_int_equal(ask(c, "long.example.", HF_TYPE_A, 0, now, text, sizeof(text), &sec),
	                 HF_CACHE_HIT);
	assert_non_null(strstr(text, "long.example. 600 IN A 192.0.2.9"));
	hf_cache_free(c);
}

/* A name that got data after its NXDOMAIN is not NXDOMAIN after a restart. */
static void test_data_after_nxdomain(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	struct hf_cache_opts o = opts();
	struct hf_cache *c = hf_cache_new(&o);
	store(c,
	      ";; id 1 opcode QUERY rcode NXDOMAIN flags qr aa\n;; QUESTION\nnew.example. IN A\n"
	      ";; ANSWER\n;; AUTHORITY\nexample. 300 IN SOA ns. host. 1 2 3 4 300\n",
	      now - 20, HF_SEC_INSECURE);
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; QUESTION\nnew.example. IN A\n"
	      ";; ANSWER\nnew.example. 300 IN A 192.0.2.10\n",
	      now - 10, HF_SEC_INSECURE);
	hf_cache_free(c);
	c = hf_cache_new(&o);
	char text[1024];
	enum hf_sec sec;
	assert_int_equal(ask(c, "new.example.", HF_TYPE_A, 0, now, text, sizeof(text), &sec),
	                 HF_CACHE_HIT);
	assert_non_null(strstr(text, "rcode NOERROR"));
	hf_cache_free(c);
}

/* --- the stored form -------------------------------------------------------------------- */

/* Writes one raw record into the store's file (the store must be closed). */
static void raw_put(const char *db, const uint8_t *key, size_t klen, const uint8_t *val,
                    size_t vlen)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 2), 0);
	assert_int_equal(mdb_env_set_mapsize(env, 4 << 20), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, MDB_CREATE, &dbi), 0);
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key};
	MDB_val v = {.mv_size = vlen, .mv_data = (void *)val};
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* The key and value of www.example. A 192.0.2.1, stored at now with TTL 300. */
static size_t good_record(uint8_t *key, size_t *klen, int64_t now)
{
	static const uint8_t k[] = {7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,
	                            'w', 'w', 'w', 0,   0,   1,   0,   1};
	memcpy(key, k, sizeof(k));
	*klen = sizeof(k);
	uint8_t *v = key + 64;
	memset(v, 0, 26);
	hf_put32(v, (uint32_t)((uint64_t)(now + 300) >> 32));
	hf_put32(v + 4, (uint32_t)(now + 300));
	hf_put32(v + 8, 300);
	hf_put16(v + 12, 1); /* one record */
	hf_put16(v + 20, 4); /* of 4 octets */
	v[22] = 192;
	v[23] = 0;
	v[24] = 2;
	v[25] = 1;
	return 26;
}

static void expect_bad(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
                       const char *why_part)
{
	struct rr_entry *e = (struct rr_entry *)1;
	const char *why = NULL;
	assert_int_equal(hf_persist_parse(key, klen, val, vlen, &e, &why), HF_EMALF);
	assert_null(e);
	assert_non_null(why);
	if (strstr(why, why_part) == NULL)
		print_error("why: %s (wanted %s)\n", why, why_part);
	assert_non_null(strstr(why, why_part));
}

static void test_stored_form(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	uint8_t buf[128], val[64];
	size_t klen;
	size_t vlen = good_record(buf, &klen, now);
	memcpy(val, buf + 64, vlen);
	struct rr_entry *e;
	const char *why;
	assert_int_equal(hf_persist_parse(buf, klen, val, vlen, &e, &why), HF_OK);
	assert_int_equal(e->type, HF_TYPE_A);
	assert_int_equal(e->expire, now + 300);
	uint8_t name[HF_NAME_MAX];
	name_of("www.example.", name);
	assert_memory_equal(entry_owner(e), name, hf_name_len(name));
	/* Encoding gives back the same octets. */
	uint8_t key2[HF_PERSIST_KEY_MAX], val2[64];
	assert_int_equal(hf_persist_key(e, key2), klen);
	assert_memory_equal(key2, buf, klen);
	assert_int_equal(hf_persist_value_len(e), vlen);
	hf_persist_value(e, val2);
	assert_memory_equal(val2, val, vlen);
	hf_free(e);

	uint8_t k[128], v[64];
#define RESET()                                                                                    \
	do {                                                                                       \
		memcpy(k, buf, klen);                                                              \
		memcpy(v, val, vlen);                                                              \
	} while (0)
	RESET();
	expect_bad(k, 4, v, vlen, "key length");
	RESET();
	k[1] = 'E';
	expect_bad(k, klen, v, vlen, "lowercase");
	RESET();
	k[0] = 64;
	expect_bad(k, klen, v, vlen, "label");
	RESET();
	k[12] = 1;
	expect_bad(k, klen, v, vlen, "ends its name");
	RESET();
	expect_bad(k, klen, v, 19, "header");
	RESET();
	v[16] = 9;
	expect_bad(k, klen, v, vlen, "kind");
	RESET();
	v[17] = 2;
	expect_bad(k, klen, v, vlen, "security");
	RESET();
	v[19] = 1;
	expect_bad(k, klen, v, vlen, "reserved");
	RESET();
	hf_put32(v + 8, 0);
	expect_bad(k, klen, v, vlen, "TTL");
	RESET();
	v[0] = 0x80;
	expect_bad(k, klen, v, vlen, "expiry");
	RESET();
	hf_put16(v + 20, 5);
	expect_bad(k, klen, v, vlen, "past the value");
	RESET();
	hf_put16(v + 20, 3);
	expect_bad(k, klen, v, vlen, "match its type");
	RESET();
	hf_put16(v + 12, 0);
	expect_bad(k, klen, v, vlen, "number of records");
	RESET();
	hf_put16(v + 14, 1);
	expect_bad(k, klen, v, vlen, "DNSSEC");
	RESET();
	expect_bad(k, klen, v, vlen - 1, "past the value");
	RESET();
	v[16] = RR_NXDOMAIN;
	expect_bad(k, klen, v, vlen, "NXDOMAIN");
	RESET();
	k[klen - 1] = HF_TYPE_OPT;
	expect_bad(k, klen, v, vlen, "never cached");
	RESET();
	v[16] = RR_NODATA;
	expect_bad(k, klen, v, vlen, "SOA owner");
	RESET();
	k[klen - 1] = HF_TYPE_CNAME; /* 192.0.2.1 is no name */
	expect_bad(k, klen, v, vlen, "match its type");
	/* A DNSSEC record with a bad owner, then in a bad section. */
	uint8_t vx[64];
	memcpy(vx, val, vlen);
	static const uint8_t extra[] = {HF_SECTION_AUTHORITY, 3, 2, 'a', 'b', 0, 47, 0, 0};
	memcpy(vx + vlen, extra, sizeof(extra));
	hf_put16(vx + 14, sizeof(extra));
	expect_bad(buf, klen, vx, vlen + sizeof(extra), "owner is not a name");
	static const uint8_t extra2[] = {HF_SECTION_ADDITIONAL, 0, 0, 47, 0, 0};
	memcpy(vx + vlen, extra2, sizeof(extra2));
	hf_put16(vx + 14, sizeof(extra2));
	expect_bad(buf, klen, vx, vlen + sizeof(extra2), "section");
#undef RESET
}

/* An entry the loader would refuse is not written, so the file is never refused for it. */
static void test_unloadable_entry_not_written(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	struct hf_cache_opts o = opts();
	struct hf_cache *c = hf_cache_new(&o);
	uint8_t owner[HF_NAME_MAX], rd[1] = {0};
	name_of("odd.example.", owner);
	const uint8_t *rdata[1] = {rd};
	uint16_t rdlen[1] = {1};
	assert_int_equal(
	    hf_cache_put_infra(c, owner, HF_TYPE_OPT, HF_CLASS_IN, 600, rdata, rdlen, 1, now),
	    HF_OK);
	store(c, scenario[0], now, HF_SEC_SECURE);
	hf_cache_free(c);
	c = hf_cache_new(&o);
	assert_int_equal(stats(c).disk_loaded, 1);
	assert_int_equal(moved_aside(), 0);
	hf_cache_free(c);
}

/* --- files that cannot be used ---------------------------------------------------------- */

static void put_big(struct hf_cache *c, const char *prefix, int n, int64_t now);

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Stores www.example. A through a cache opened on dir, and closes it. */
static void store_one(int64_t now)
{
	struct hf_cache_opts o = opts();
	struct hf_cache *c = hf_cache_new(&o);
	assert_non_null(c->persist);
	store(c, scenario[0], now, HF_SEC_SECURE);
	hf_cache_free(c);
}

/* Opens dir expecting an empty cache that works (the file was moved aside). */
static void expect_fresh_start(int64_t now)
{
	struct hf_cache_opts o = opts();
	struct hf_cache *c = hf_cache_new(&o);
	assert_non_null(c);
	assert_non_null(c->persist);
	assert_int_equal(stats(c).disk_loaded, 0);
	assert_int_equal(stats(c).entries, 0);
	assert_int_equal(moved_aside(), 1);
	assert_true(file_exists("data.mdb"));
	/* And it is a working store again. */
	store(c, scenario[0], now, HF_SEC_SECURE);
	hf_cache_free(c);
	c = hf_cache_new(&o);
	assert_int_equal(stats(c).disk_loaded, 1);
	hf_cache_free(c);
	assert_int_equal(moved_aside(), 1);
}

static void test_garbage_file_moved_aside(void **state)
{
	(void)state;
	char junk[20000];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	write_file("data.mdb", junk, sizeof(junk));
	expect_fresh_start(hf_clock_wall());
}

/* An empty file (made, never written) is simply replaced; a missing lock file is made again. */
static void test_empty_file_and_no_lock_file(void **state)
{
	(void)state;
	write_file("data.mdb", "", 0);
	struct hf_cache_opts o = opts();
	struct hf_cache *c = hf_cache_new(&o);
	assert_non_null(c->persist);
	hf_cache_free(c);
	assert_int_equal(moved_aside(), 0);
	int64_t now = hf_clock_wall();
	store_one(now);
	char path[256];
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	assert_int_equal(unlink(path), 0);
	c = hf_cache_new(&o);
	assert_int_equal(stats(c).disk_loaded, 1);
	hf_cache_free(c);
	assert_int_equal(moved_aside(), 0);
}

static void test_bad_record_moved_aside(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	store_one(now);
	uint8_t buf[128];
	size_t klen;
	size_t vlen = good_record(buf, &klen, now);
	buf[64 + 16] = 7; /* no such kind */
	raw_put("rr", buf, klen, buf + 64, vlen);
	expect_fresh_start(now);
}

static void test_other_version_moved_aside(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	store_one(now);
	uint8_t v[4];
	hf_put32(v, 2);
	raw_put("meta", (const uint8_t *)"format", 6, v, 4);
	expect_fresh_start(now);
}

/* Pages overwritten behind LMDB's back: whatever LMDB makes of them, holdfast starts. */
static void test_damaged_pages_moved_aside(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	struct hf_cache_opts o = opts();
	struct hf_cache *c = hf_cache_new(&o);
	for (int i = 0; i < 2000; i++) {
		char text[512];
		snprintf(
		    text, sizeof(text),
		    ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; QUESTION\nn%d.example. "
		    "IN TXT\n;; ANSWER\nn%d.example. 300 IN TXT \"some text to fill pages %d\"\n",
		    i, i, i);
		store(c, text, now, HF_SEC_INSECURE);
	}
	hf_cache_free(c);
	off_t size = file_size("data.mdb");
	assert_true(size > 16 * 4096);
	char path[256];
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	static uint8_t page[4096];
	for (off_t off = 2 * 4096; off < size; off += 4096) {
		for (size_t i = 0; i < sizeof(page); i++)
			page[i] = (uint8_t)(off / 4096 * 131 + i * 17);
		assert_int_equal(pwrite(fd, page, sizeof(page), off), (ssize_t)sizeof(page));
	}
	close(fd);
	expect_fresh_start(now);
}

/* A file cut short: reading the pages past its end faults, in the process that checks it. */
static void test_truncated_file_moved_aside(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	struct hf_cache_opts o = opts();
	struct hf_cache *c = hf_cache_new(&o);
	put_big(c, "t", 4, now);
	hf_cache_free(c);
	off_t size = file_size("data.mdb");
	char path[256];
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	assert_int_equal(truncate(path, size - 3 * 4096), 0);
	expect_fresh_start(now);
}

/* Only the newest file moved aside is kept. */
static void test_one_file_kept_aside(void **state)
{
	(void)state;
	write_file("data.mdb.corrupt-20200101T000000Z", "old", 3);
	write_file("data.mdb", "junk", 4);
	expect_fresh_start(hf_clock_wall());
	assert_false(file_exists("data.mdb.corrupt-20200101T000000Z"));
}

/* A directory that cannot be made leaves the cache in memory, working. */
static void test_unusable_directory(void **state)
{
	(void)state;
	char path[128];
	write_file("plain", "x", 1);
	snprintf(path, sizeof(path), "%s/plain/cache", dir);
	struct hf_cache_opts o = opts();
	o.path = path;
	struct hf_cache *c = hf_cache_new(&o);
	assert_non_null(c);
	assert_null(c->persist);
	int64_t now = hf_clock_wall();
	store(c, scenario[0], now, HF_SEC_SECURE);
	char text[1024];
	enum hf_sec sec;
	assert_int_equal(ask(c, "www.example.", HF_TYPE_A, 0, now, text, sizeof(text), &sec),
	                 HF_CACHE_HIT);
	hf_cache_free(c);

	/* A missing directory (and its parents) is made, the last one 0700. */
	snprintf(path, sizeof(path), "%s/a/b", dir);
	o.path = path;
	c = hf_cache_new(&o);
	assert_non_null(c->persist);
	hf_cache_free(c);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	char file[160];
	snprintf(file, sizeof(file), "%s/data.mdb", path);
	unlink(file);
	snprintf(file, sizeof(file), "%s/lock.mdb", path);
	unlink(file);
	snprintf(file, sizeof(file), "%s/holdfast.lock", path);
	unlink(file);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a", dir);
	rmdir(path);
}

/* A directory another cache (another holdfast) has open is left alone. */
static void test_directory_in_use(void **state)
{
	(void)state;
	struct hf_cache_opts o = opts();
	struct hf_cache *a = hf_cache_new(&o);
	assert_non_null(a->persist);
	struct hf_cache *b = hf_cache_new(&o);
	assert_non_null(b);
	assert_null(b->persist);
	hf_cache_free(b);
	hf_cache_free(a);
	b = hf_cache_new(&o);
	assert_non_null(b->persist);
	hf_cache_free(b);
}

/* --- size, queue, flush ------------------------------------------------------------------ */

static void store_names(struct hf_cache *c, const char *prefix, int from, int to, int64_t now)
{
	for (int i = from; i < to; i++) {
		char text[512];
		snprintf(
		    text, sizeof(text),
		    ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; QUESTION\n%s%d.example. "
		    "IN TXT\n;; ANSWER\n%s%d.example. 30000 IN TXT \"filler filler filler %d\"\n",
		    prefix, i, prefix, i, i);
		store(c, text, now, HF_SEC_INSECURE);
	}
}

static void test_full_map(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	struct hf_cache_opts o = opts();
	o.disk_bytes = 256 * 1024;
	/* Far more than the file holds, in rounds of a restart each, newest last. */
	for (int round = 0; round < 30; round++) {
		struct hf_cache *c = hf_cache_new(&o);
		assert_non_null(c->persist);
		store_names(c, "n", round * 300, round * 300 + 300, now - 3000 + round * 60);
		hf_cache_free(c);
		assert_true(file_size("data.mdb") <= 256 * 1024);
	}
	assert_int_equal(moved_aside(), 0);
	struct hf_cache *c = hf_cache_new(&o);
	struct hf_cache_stats st = stats(c);
	assert_true(st.disk_loaded > 300);
	/* The newest round is there, the oldest trimmed away. */
	char text[1024];
	enum hf_sec sec;
	assert_int_equal(ask(c, "n8999.example.", HF_TYPE_TXT, 0, now, text, sizeof(text), &sec),
	                 HF_CACHE_HIT);
	assert_int_equal(ask(c, "n0.example.", HF_TYPE_TXT, 0, now, text, sizeof(text), &sec),
	                 HF_CACHE_MISS);
	hf_cache_free(c);

	/* cache.size lowered: the file shrinks to it. */
	o.disk_bytes = 128 * 1024;
	c = hf_cache_new(&o);
	assert_non_null(c->persist);
	assert_true(file_size("data.mdb") <= 128 * 1024);
	store_names(c, "m", 0, 50, now);
	hf_cache_free(c);
	assert_true(file_size("data.mdb") <= 128 * 1024);
	c = hf_cache_new(&o);
	assert_int_equal(ask(c, "m49.example.", HF_TYPE_TXT, 0, now, text, sizeof(text), &sec),
	                 HF_CACHE_HIT);
	hf_cache_free(c);
}

/* Puts n TXT entries of about 10 KB each (infrastructure data) named <prefix><i>.big. */
static void put_big(struct hf_cache *c, const char *prefix, int n, int64_t now)
{
	static uint8_t txt[10240];
	for (size_t i = 0; i < sizeof(txt); i += 256) {
		txt[i] = 255;
		memset(txt + i + 1, 'x', 255);
	}
	for (int i = 0; i < n; i++) {
		char text[64];
		uint8_t owner[HF_NAME_MAX];
		snprintf(text, sizeof(text), "%s%d.big.", prefix, i);
		name_of(text, owner);
		const uint8_t *rdata[1] = {txt};
		uint16_t rdlen[1] = {sizeof(txt)};
		assert_int_equal(hf_cache_put_infra(c, owner, HF_TYPE_TXT, HF_CLASS_IN, 200000,
		                                    rdata, rdlen, 1, now),
		                 HF_OK);
	}
}

/* One batch larger than the room left: the writer trims and retries, or drops and counts. */
static void test_map_full_in_a_batch(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	struct hf_cache_opts o = opts();
	o.disk_bytes = 128 * 1024;
	o.max_ttl = 604800;
	for (int round = 0; round < 4; round++) {
		struct hf_cache *c = hf_cache_new(&o);
		assert_non_null(c->persist);
		hf_persist_pause(c->persist, true); /* one batch of all of them */
		char prefix[16];
		snprintf(prefix, sizeof(prefix), "r%d-", round);
		put_big(c, prefix, 6, now - 100000 + round * 30000); /* an age bucket each */
		hf_cache_free(c);
		assert_true(file_size("data.mdb") <= 128 * 1024);
	}
	assert_int_equal(moved_aside(), 0);
	/* Some of the last round made it (which depends on how LMDB's free pages fell). */
	struct hf_cache *c = hf_cache_new(&o);
	assert_true(stats(c).disk_loaded >= 1);
	unsigned last = 0;
	for (int i = 0; i < 6; i++) {
		char text[32];
		uint8_t owner[HF_NAME_MAX];
		snprintf(text, sizeof(text), "r3-%d.big.", i);
		name_of(text, owner);
		last += hf_cache_get_rrset(c, owner, HF_TYPE_TXT, HF_CLASS_IN, now, count_rdata,
		                           NULL) > 0;
	}
	assert_true(last >= 1);
	hf_cache_free(c);
}

/* More than the memory cache holds: the most recently stored come back. */
static void test_newest_loaded_first(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	struct hf_cache_opts o = opts();
	struct hf_cache *c = hf_cache_new(&o);
	store_names(c, "old", 0, 2000, now - 2000);
	store_names(c, "new", 0, 2000, now - 10);
	hf_cache_free(c);
	o.max_bytes = 256 * 1024; /* room for about half */
	c = hf_cache_new(&o);
	struct hf_cache_stats st = stats(c);
	assert_true(st.disk_loaded >= 1000);
	assert_true(st.disk_loaded < 4000);
	char text[1024];
	enum hf_sec sec;
	unsigned new_hits = 0, old_hits = 0;
	for (int i = 0; i < 2000; i += 10) {
		char name[64];
		snprintf(name, sizeof(name), "new%d.example.", i);
		new_hits += ask(c, name, HF_TYPE_TXT, 0, now, text, sizeof(text), &sec) != 0;
		snprintf(name, sizeof(name), "old%d.example.", i);
		old_hits += ask(c, name, HF_TYPE_TXT, 0, now, text, sizeof(text), &sec) != 0;
	}
	assert_true(new_hits >= 190);
	assert_true(old_hits <= 10);
	hf_cache_free(c);
}

static void test_full_queue_drops(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	struct hf_cache_opts o = opts();
	o.disk_bytes = 1 << 20; /* a queue of 128 KiB */
	struct hf_cache *c = hf_cache_new(&o);
	hf_persist_pause(c->persist, true);
	store_names(c, "q", 0, 5000, now);
	struct hf_cache_stats st = stats(c);
	assert_true(st.disk_dropped > 0);
	assert_int_equal(st.entries, 5000); /* the memory cache has them all */
	hf_persist_pause(c->persist, false);
	for (int i = 0; i < 200; i++) {
		st = stats(c);
		if (st.disk_written + st.disk_dropped == 5000)
			break;
		usleep(20 * 1000);
	}
	assert_int_equal(st.disk_written + st.disk_dropped, 5000);
	hf_cache_free(c);
	c = hf_cache_new(&o);
	assert_int_equal(stats(c).disk_loaded, st.disk_written);
	hf_cache_free(c);
}

static void test_flush_reaches_file(void **state)
{
	(void)state;
	int64_t now = hf_clock_wall();
	struct hf_cache_opts o = opts();
	struct hf_cache *c = hf_cache_new(&o);
	for (size_t i = 0; i < sizeof(scenario) / sizeof(scenario[0]); i++)
		store(c, scenario[i], now, HF_SEC_INSECURE);
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; QUESTION\nwww.example.net. IN "
	      "A\n;; ANSWER\nwww.example.net. 300 IN A 192.0.2.20\n",
	      now, HF_SEC_INSECURE);
	store(c,
	      ";; id 1 opcode QUERY rcode NOERROR flags qr aa\n;; QUESTION\nexample2. IN A\n"
	      ";; ANSWER\nexample2. 300 IN A 192.0.2.21\n",
	      now, HF_SEC_INSECURE);
	uint8_t zone[HF_NAME_MAX];
	name_of("EXAMPLE.", zone);
	hf_cache_flush(c, zone);
	hf_cache_free(c);
	c = hf_cache_new(&o);
	assert_int_equal(stats(c).disk_loaded, 2);
	char text[1024];
	enum hf_sec sec;
	assert_int_equal(ask(c, "www.example.", HF_TYPE_A, 0, now, text, sizeof(text), &sec),
	                 HF_CACHE_MISS);
	assert_int_equal(ask(c, "www.example.net.", HF_TYPE_A, 0, now, text, sizeof(text), &sec),
	                 HF_CACHE_HIT);
	assert_int_equal(ask(c, "example2.", HF_TYPE_A, 0, now, text, sizeof(text), &sec),
	                 HF_CACHE_HIT);
	/* "." flushes everything. */
	name_of(".", zone);
	hf_cache_flush(c, zone);
	hf_cache_free(c);
	c = hf_cache_new(&o);
	assert_int_equal(stats(c).disk_loaded, 0);
	hf_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_every_kind_survives, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_infra_survives, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_expiry_across_restart, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_data_after_nxdomain, setup, teardown),
	    cmocka_unit_test(test_stored_form),
	    cmocka_unit_test_setup_teardown(test_unloadable_entry_not_written, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_garbage_file_moved_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_file_and_no_lock_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_record_moved_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_version_moved_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_damaged_pages_moved_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_file_moved_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_file_kept_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unusable_directory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_directory_in_use, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_map, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_full_in_a_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newest_loaded_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_queue_drops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flush_reaches_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
