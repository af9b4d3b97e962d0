/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RFC 4648 encoders and decoders: the §10 test vectors, strictness, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/err.h"
#include "wire/codec.h"

struct vec {
	const char *plain;
	const char *b64;
	const char *b32hex; /* RFC 4648 §10, lowercased, padding removed */
	const char *hex;
};

static const struct vec vecs[] = {
    {"", "", "", ""},
    {"f", "Zg==", "co", "66"},
    {"fo", "Zm8=", "cpng", "666f"},
    {"foo", "Zm9v", "cpnmu", "666f6f"},
    {"foob", "Zm9vYg==", "cpnmuog", "666f6f62"},
    {"fooba", "Zm9vYmE=", "cpnmuoj1", "666f6f6261"},
    {"foobar", "Zm9vYmFy", "cpnmuoj1e8", "666f6f626172"},
};

static void test_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		size_t n = strlen(v->plain);
		char text[64];
		uint8_t bin[64];

		assert_int_equal(hf_base64_encode((const uint8_t *)v->plain, n, text, sizeof(text)),
		                 strlen(v->b64));
		assert_string_equal(text, v->b64);
		assert_int_equal(hf_base64_decode(v->b64, strlen(v->b64), bin, sizeof(bin)), n);
		assert_memory_equal(bin, v->plain, n);

		assert_int_equal(
		    hf_base32hex_encode((const uint8_t *)v->plain, n, text, sizeof(text)),
		    strlen(v->b32hex));
		assert_string_equal(text, v->b32hex);
		assert_int_equal(
		    hf_base32hex_decode(v->b32hex, strlen(v->b32hex), bin, sizeof(bin)), n);
		assert_memory_equal(bin, v->plain, n);

		assert_int_equal(hf_hex_encode((const uint8_t *)v->plain, n, text, sizeof(text)),
		                 strlen(v->hex));
		assert_string_equal(text, v->hex);
		assert_int_equal(hf_hex_decode(v->hex, strlen(v->hex), bin, sizeof(bin)), n);
		assert_memory_equal(bin, v->plain, n);
	}
}

static void test_all_octets(void **state)
{
	(void)state;
	uint8_t in[256], out[256];
	char text[1024];
	int n;

	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	for (size_t len = 0; len <= 256; len += 17) {
		n = hf_base64_encode(in, len, text, sizeof(text));
		assert_true(n >= 0);
		assert_int_equal(hf_base64_decode(text, (size_t)n, out, sizeof(out)), len);
		assert_memory_equal(in, out, len);
		n = hf_base32hex_encode(in, len, text, sizeof(text));
		assert_true(n >= 0);
		assert_int_equal(hf_base32hex_decode(text, (size_t)n, out, sizeof(out)), len);
		assert_memory_equal(in, out, len);
		n = hf_hex_encode(in, len, text, sizeof(text));
		assert_int_equal(n, 2 * len);
		assert_int_equal(hf_hex_decode(text, (size_t)n, out, sizeof(out)), len);
		assert_memory_equal(in, out, len);
	}
}

static void test_case(void **state)
{
	(void)state;
	uint8_t out[16];

	/* Output is lowercase; input takes either case. */
	assert_int_equal(hf_hex_decode("ABcd", 4, out, sizeof(out)), 2);
	assert_int_equal(out[0], 0xab);
	assert_int_equal(out[1], 0xcd);
	assert_int_equal(hf_base32hex_decode("CPNMUOJ1E8", 10, out, sizeof(out)), 6);
	assert_memory_equal(out, "foobar", 6);
}

static void test_bad_input(void **state)
{
	(void)state;
	uint8_t out[64];

	/* hex: odd length, bad digit, whitespace */
	assert_int_equal(hf_hex_decode("abc", 3, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_hex_decode("zz", 2, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_hex_decode("ab cd", 5, out, sizeof(out)), HF_ESYNTAX);
	/* base64: length, alphabet, padding in the middle, too much padding,
	 * non-zero bits under the padding */
	assert_int_equal(hf_base64_decode("Zm9", 3, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_base64_decode("Zm9*", 4, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_base64_decode("Zg==Zg==", 8, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_base64_decode("Z===", 4, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_base64_decode("=Zg=", 4, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_base64_decode("Zh==", 4, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_base64_decode("Zm9=", 4, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_base64_decode("Zg=a", 4, out, sizeof(out)), HF_ESYNTAX);
	/* base32hex: outside 0-9a-v, padding, impossible lengths, stray bits */
	assert_int_equal(hf_base32hex_decode("cw", 2, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_base32hex_decode("co======", 8, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_base32hex_decode("c", 1, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_base32hex_decode("cpn", 3, out, sizeof(out)), HF_ESYNTAX);
	assert_int_equal(hf_base32hex_decode("cp", 2, out, sizeof(out)), HF_ESYNTAX);
}

static void test_space(void **state)
{
	(void)state;
	const uint8_t in[] = {1, 2, 3, 4, 5};
	char text[16];
	uint8_t out[4];

	/* Room for the text but not the NUL is not enough. */
	assert_int_equal(hf_base64_encode(in, 5, text, 8), HF_ESPACE);
	assert_int_equal(hf_base64_encode(in, 5, text, 9), 8);
	assert_int_equal(hf_base32hex_encode(in, 5, text, 8), HF_ESPACE);
	assert_int_equal(hf_base32hex_encode(in, 5, text, 9), 8);
	assert_int_equal(hf_hex_encode(in, 5, text, 10), HF_ESPACE);
	assert_int_equal(hf_hex_encode(in, 5, text, 11), 10);
	assert_int_equal(hf_hex_encode(in, 0, text, 0), HF_ESPACE);
	assert_int_equal(hf_base64_decode("AQIDBAU=", 8, out, sizeof(out)), HF_ESPACE);
	assert_int_equal(hf_base32hex_decode("04106180", 8, out, sizeof(out)), HF_ESPACE);
	assert_int_equal(hf_hex_decode("0102030405", 10, out, sizeof(out)), HF_ESPACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors), cmocka_unit_test(test_all_octets),
	    cmocka_unit_test(test_case),    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_space),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
