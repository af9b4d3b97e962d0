/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Domain names: text form both ways (escapes, origin, root, errors),
 * case-insensitive equality, canonical order (RFC 4034 §6.1), zone
 * membership, label counts and suffixes. Expected wire names are written as
 * C string literals, whose terminating NUL is the root label, so sizeof()
 * is the wire length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/err.h"
#include "wire/name.h"

#define assert_err(got, want)                                                                      \
	do {                                                                                       \
		int got_ = (got);                                                                  \
		assert_string_equal(hf_errname(got_ < 0 ? got_ : 0), hf_errname(want));            \
		assert_int_equal(got_, (want));                                                    \
	} while (0)

static int from_text(const char *text, const uint8_t *origin, uint8_t out[HF_NAME_MAX])
{
	return hf_name_from_text(text, strlen(text), origin, out);
}

/* text parses to wire[0..len); printed, the name reads as printed. */
static void check(const char *text, const uint8_t *origin, const char *wire, size_t len,
                  const char *printed)
{
	uint8_t name[HF_NAME_MAX], back[HF_NAME_MAX];
	char out[HF_NAME_TEXT_MAX];
	assert_int_equal(from_text(text, origin, name), len);
	assert_memory_equal(name, wire, len);
	assert_int_equal(hf_name_to_text(name, out, sizeof(out)), strlen(printed));
	assert_string_equal(out, printed);
	assert_int_equal(from_text(out, NULL, back), len);
	assert_memory_equal(back, wire, len);
}

#define CHECK(text, origin, wire, printed) check(text, origin, wire, sizeof(wire), printed)

static void test_text_plain(void **state)
{
	(void)state;
	CHECK("www.example.com.", NULL, "\3www\7example\3com", "www.example.com.");
	CHECK("WwW.Example.COM.", NULL, "\3WwW\7Example\3COM", "WwW.Example.COM.");
}

static void test_text_root(void **state)
{
	(void)state;
	CHECK(".", NULL, "", ".");
	uint8_t name[HF_NAME_MAX];
	assert_int_equal(from_text(".", (const uint8_t *)"\3com", name), 1);
	assert_int_equal(name[0], 0);
}

static void test_text_escaped_dot(void **state)
{
	(void)state;
	CHECK("a\\.b.example.", NULL, "\3a.b\7example", "a\\.b.example.");
	CHECK("\\..", NULL, "\1.", "\\..");
}

static void test_text_ddd(void **state)
{
	(void)state;
	CHECK("\\065bc.", NULL, "\3Abc", "Abc.");
	CHECK("\\000\\255\\032.", NULL, "\3\0\377 ", "\\000\\255\\032.");
	CHECK("a\\046b.", NULL, "\3a.b", "a\\.b.");
	CHECK("\\127\\126.", NULL, "\2\177~", "\\127~.");
}

static void test_text_backslash(void **state)
{
	(void)state;
	CHECK("a\\\\b.", NULL, "\3a\\b", "a\\\\b.");
	/* Any other escaped character stands for itself. */
	CHECK("\\a\\-.", NULL, "\2a-", "a-.");
}

static void test_text_specials_printed(void **state)
{
	(void)state;
	CHECK("\\\"\\(\\)\\;\\@\\$.", NULL, "\6\"();@$", "\\\"\\(\\)\\;\\@\\$.");
}

static void test_text_origin(void **state)
{
	(void)state;
	static const uint8_t origin[] = "\7example\3com";
	CHECK("@", origin, "\7example\3com", "example.com.");
	CHECK("@", NULL, "", ".");
	CHECK("www", origin, "\3www\7example\3com", "www.example.com.");
	CHECK("a.b", origin, "\1a\1b\7example\3com", "a.b.example.com.");
	CHECK("a.b", NULL, "\1a\1b", "a.b.");
	/* Absolute names ignore the origin. */
	CHECK("www.example.org.", origin, "\3www\7example\3org", "www.example.org.");
	/* An escaped final dot belongs to the label: still relative. */
	CHECK("a\\.", origin, "\2a.\7example\3com", "a\\..example.com.");
}

static void test_text_errors(void **state)
{
	(void)state;
	uint8_t name[HF_NAME_MAX];
	char text[400];
	assert_err(from_text("a..b", NULL, name), HF_ESYNTAX);
	assert_err(from_text(".a", NULL, name), HF_ESYNTAX);
	assert_err(from_text("..", NULL, name), HF_ESYNTAX);
	assert_err(from_text("", NULL, name), HF_ESYNTAX);
	assert_err(from_text("a\\25", NULL, name), HF_ESYNTAX);
	assert_err(from_text("\\25.", NULL, name), HF_ESYNTAX);
	assert_err(from_text("\\256.", NULL, name), HF_ESYNTAX);
	assert_err(from_text("a\\", NULL, name), HF_ESYNTAX);

	/* Label of 63 is fine, 64 is not. */
	memset(text, 'a', 64);
	strcpy(text + 63, ".");
	assert_int_equal(from_text(text, NULL, name), 65);
	memset(text, 'a', 64);
	strcpy(text + 64, ".");
	assert_err(from_text(text, NULL, name), HF_ELABEL);

	/* 63.63.63.61. is 255 octets; 63.63.63.62. is 256. */
	memset(text, 'a', sizeof(text));
	text[63] = text[127] = text[191] = '.';
	strcpy(text + 253, ".");
	assert_int_equal(from_text(text, NULL, name), 255);
	text[253] = 'a';
	strcpy(text + 254, ".");
	assert_err(from_text(text, NULL, name), HF_ENAMELEN);

	/* Too long only once the origin is appended. */
	static const uint8_t origin[] = "\7example\3com";
	text[253] = '\0';
	assert_int_equal(from_text(text, NULL, name), 255);
	assert_err(from_text(text, origin, name), HF_ENAMELEN);
}

static void test_to_text_space(void **state)
{
	(void)state;
	static const uint8_t name[] = "\3www\7example\3com";
	char out[HF_NAME_TEXT_MAX];
	assert_err(hf_name_to_text(name, out, 5), HF_ESPACE);
	assert_err(hf_name_to_text((const uint8_t *)"", out, 1), HF_ESPACE);
	assert_int_equal(hf_name_to_text(name, out, sizeof(out)), 16);
}

static void test_eq_case(void **state)
{
	(void)state;
	uint8_t a[HF_NAME_MAX], b[HF_NAME_MAX];
	assert_int_equal(from_text("Example.COM.", NULL, a), 13);
	assert_int_equal(from_text("eXAMPLE.com.", NULL, b), 13);
	assert_true(hf_name_eq(a, b));
	assert_int_equal(hf_name_cmp_canonical(a, b), 0);
	assert_int_equal(from_text("example.org.", NULL, b), 13);
	assert_false(hf_name_eq(a, b));
	assert_int_equal(from_text("example.com.com.", NULL, b), 17);
	assert_false(hf_name_eq(a, b));
	assert_false(hf_name_eq(b, a));
	/* Only ASCII letters fold: 0xC3 and 0xE3 differ by 0x20 too. */
	assert_int_equal(from_text("\\195.", NULL, a), 3);
	assert_int_equal(from_text("\\227.", NULL, b), 3);
	assert_false(hf_name_eq(a, b));
	/* '@' (0x40) and '`' (0x60) are not letters either. */
	assert_int_equal(from_text("\\@.", NULL, a), 3);
	assert_int_equal(from_text("`.", NULL, b), 3);
	assert_false(hf_name_eq(a, b));

	uint8_t low[HF_NAME_MAX];
	assert_int_equal(from_text("WwW.Example.COM.", NULL, low), 17);
	hf_name_lower(low);
	assert_memory_equal(low, "\3www\7example\3com", 17);
}

static void test_canonical_order(void **state)
{
	(void)state;
	/* RFC 4034 §6.1, in order. */
	static const char *const sorted[] = {
	    "example.",         "a.example.",      "yljkjljk.a.example.",
	    "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
	    "\\001.z.example.", "*.z.example.",    "\\200.z.example.",
	};
	enum { N = sizeof(sorted) / sizeof(sorted[0]) };
	uint8_t names[N][HF_NAME_MAX];
	for (size_t i = 0; i < N; i++)
		assert_true(from_text(sorted[i], NULL, names[i]) > 0);
	for (size_t i = 0; i < N; i++) {
		for (size_t j = 0; j < N; j++) {
			int c = hf_name_cmp_canonical(names[i], names[j]);
			if (i < j && c >= 0)
				fail_msg("%s should sort before %s (got %d)", sorted[i], sorted[j],
				         c);
			if (i > j && c <= 0)
				fail_msg("%s should sort after %s (got %d)", sorted[i], sorted[j],
				         c);
			if (i == j && c != 0)
				fail_msg("%s should equal itself (got %d)", sorted[i], c);
		}
	}
	/* The root sorts first; case does not matter. */
	uint8_t a[HF_NAME_MAX], b[HF_NAME_MAX];
	assert_int_equal(from_text(".", NULL, a), 1);
	assert_true(hf_name_cmp_canonical(a, names[0]) < 0);
	assert_int_equal(from_text("A.EXAMPLE.", NULL, a), 11);
	assert_int_equal(from_text("a.example.", NULL, b), 11);
	assert_int_equal(hf_name_cmp_canonical(a, b), 0);
}

static void test_in_zone(void **state)
{
	(void)state;
	uint8_t zone[HF_NAME_MAX], name[HF_NAME_MAX], root[HF_NAME_MAX];
	assert_int_equal(from_text("example.COM.", NULL, zone), 13);
	assert_int_equal(from_text(".", NULL, root), 1);
	assert_int_equal(from_text("WWW.Example.com.", NULL, name), 17);
	assert_true(hf_name_in_zone(name, zone));
	assert_true(hf_name_in_zone(zone, zone));
	assert_true(hf_name_in_zone(name, root));
	assert_true(hf_name_in_zone(root, root));
	assert_false(hf_name_in_zone(root, zone));
	assert_false(hf_name_in_zone(zone, name));
	/* Label boundaries matter. */
	assert_int_equal(from_text("wwwexample.com.", NULL, name), 16);
	assert_false(hf_name_in_zone(name, zone));
	assert_int_equal(from_text("a.b.example.org.", NULL, name), 17);
	assert_false(hf_name_in_zone(name, zone));
	assert_int_equal(from_text("com.", NULL, name), 5);
	assert_false(hf_name_in_zone(name, zone));
	assert_true(hf_name_in_zone(zone, name));
}

static void test_labels(void **state)
{
	(void)state;
	assert_int_equal(hf_name_labels((const uint8_t *)""), 0);
	assert_int_equal(hf_name_labels((const uint8_t *)"\1a\1b"), 2);
	assert_int_equal(hf_name_labels((const uint8_t *)"\3www\7example\3com"), 3);
	assert_int_equal(hf_name_len((const uint8_t *)""), 1);
	assert_int_equal(hf_name_len((const uint8_t *)"\3www\7example\3com"), 17);
}

static void test_suffix(void **state)
{
	(void)state;
	static const uint8_t name[] = "\3www\7example\3com";
	assert_ptr_equal(hf_name_suffix(name, 3), name);
	assert_ptr_equal(hf_name_suffix(name, 2), name + 4);
	assert_ptr_equal(hf_name_suffix(name, 1), name + 12);
	assert_ptr_equal(hf_name_suffix(name, 0), name + 16);
	assert_int_equal(*hf_name_suffix(name, 0), 0);
	assert_null(hf_name_suffix(name, 4));
	static const uint8_t root[1] = {0};
	assert_ptr_equal(hf_name_suffix(root, 0), root);
	assert_null(hf_name_suffix(root, 1));
}

static void test_unpack(void **state)
{
	(void)state;
	/* "example.com." at 0, "www" + pointer to 0 at 13, then a pointer to 13. */
	static const uint8_t msg[] = "\7example\3com\0\3www\300\0\300\15";
	uint8_t out[HF_NAME_MAX];
	size_t pos = 13;
	assert_int_equal(hf_name_unpack(msg, sizeof(msg) - 1, &pos, out), 17);
	assert_int_equal(pos, 19);
	assert_memory_equal(out, "\3www\7example\3com", 17);
	pos = 19;
	assert_int_equal(hf_name_skip(msg, sizeof(msg) - 1, &pos), 17);
	assert_int_equal(pos, 21);
	/* Truncated: the pointer's second octet is missing. */
	pos = 19;
	assert_err(hf_name_unpack(msg, 20, &pos, out), HF_ETRUNC);
	/* A pointer is not allowed in a bare name. */
	assert_err(hf_name_check(msg + 13, 6), HF_EPTRHERE);
	assert_int_equal(hf_name_check(msg, 13), 13);
	assert_err(hf_name_check(msg, 12), HF_ETRUNC);
}

static void test_unpack_pointer_rules(void **state)
{
	(void)state;
	uint8_t out[HF_NAME_MAX];
	size_t pos;
	/* A label whose octets run over the pointer that led to it: at 3 the
	 * pointer targets 2, where a 2-octet label would swallow the pointer. */
	static const uint8_t over[] = {0, 0, 2, 0xc0, 0x02, 0};
	pos = 3;
	assert_err(hf_name_unpack(over, sizeof(over), &pos, out), HF_EPTRLOOP);
	/* The target's name must end before the run that points at it began:
	 * "a" at 0 ends at 3 (root at 2); a run at 3 pointing to 0 is fine... */
	static const uint8_t fine[] = {1, 'a', 0, 1, 'b', 0xc0, 0x00};
	pos = 3;
	assert_int_equal(hf_name_unpack(fine, sizeof(fine), &pos, out), 5);
	assert_memory_equal(out, "\1b\1a", 5);
	/* ...but a target whose labels continue into the pointing run is not:
	 * at 0 a label of 3 covers 1..3, running into the run that starts at 2. */
	static const uint8_t overlap[] = {3, 'a', 1, 'b', 0xc0, 0x00};
	pos = 2;
	assert_err(hf_name_unpack(overlap, sizeof(overlap), &pos, out), HF_EPTRLOOP);
	/* Pointer to itself, and forward. */
	static const uint8_t self[] = {0xc0, 0x00};
	pos = 0;
	assert_err(hf_name_unpack(self, sizeof(self), &pos, out), HF_EPTRLOOP);
	static const uint8_t fwd[] = {0xc0, 0x02, 0};
	pos = 0;
	assert_err(hf_name_unpack(fwd, sizeof(fwd), &pos, out), HF_EPTRFWD);
}

/* The closest common ancestor's label count (case-insensitive), and "*." in front. */
static void test_common_labels_and_wildcard(void **state)
{
	(void)state;
	uint8_t a[HF_NAME_MAX], b[HF_NAME_MAX], w[HF_NAME_MAX];
	assert_true(from_text("a.b.Example.com.", NULL, a) > 0);
	assert_true(from_text("x.example.COM.", NULL, b) > 0);
	assert_int_equal(hf_name_common_labels(a, b), 2);
	assert_int_equal(hf_name_common_labels(a, a), 4);
	assert_true(from_text("org.", NULL, b) > 0);
	assert_int_equal(hf_name_common_labels(a, b), 0);
	assert_true(hf_name_wildcard(hf_name_suffix(a, 2), w));
	assert_true(from_text("*.example.com.", NULL, b) > 0);
	assert_true(hf_name_eq(w, b));
	/* 127 one-octet labels: no room for two more octets. */
	for (int i = 0; i < 127; i++) {
		b[2 * i] = 1;
		b[2 * i + 1] = 'x';
	}
	b[254] = 0;
	assert_false(hf_name_wildcard(b, w));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_plain),
	    cmocka_unit_test(test_text_root),
	    cmocka_unit_test(test_text_escaped_dot),
	    cmocka_unit_test(test_text_ddd),
	    cmocka_unit_test(test_text_backslash),
	    cmocka_unit_test(test_text_specials_printed),
	    cmocka_unit_test(test_text_origin),
	    cmocka_unit_test(test_text_errors),
	    cmocka_unit_test(test_to_text_space),
	    cmocka_unit_test(test_eq_case),
	    cmocka_unit_test(test_canonical_order),
	    cmocka_unit_test(test_in_zone),
	    cmocka_unit_test(test_labels),
	    cmocka_unit_test(test_suffix),
	    cmocka_unit_test(test_unpack),
	    cmocka_unit_test(test_unpack_pointer_rules),
	    cmocka_unit_test(test_common_labels_and_wildcard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
