/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RDATA of every typed type: text -> wire -> text round trips (expected
 * text taken from dnspython 2.3, to_text(chunksize=0)), malformed wire
 * RDATA, text syntax and range errors, decompression rules, canonical form,
 * and whole records (rr.h).
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/alloc.h"
#include "util/err.h"
#include "wire/codec.h"
#include "wire/name.h"
#include "wire/rdata.h"
#include "wire/rr.h"
#include "wire/rrtype.h"

static uint16_t type_of(const char *name)
{
	uint16_t type = 0;

	assert_int_equal(hf_rrtype_from_text(name, strlen(name), &type), HF_OK);
	return type;
}

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	int n = hf_hex_decode(hex, strlen(hex), out, cap);

	assert_true(n >= 0);
	return (size_t)n;
}

static void name_of(const char *text, uint8_t out[HF_NAME_MAX])
{
	assert_true(hf_name_from_text(text, strlen(text), NULL, out) > 0);
}

/* --- round trips ---------------------------------------------------------- */

struct rt_case {
	const char *type;
	const char *input;
	const char *text; /* what hf_rdata_to_text prints (dnspython's form) */
	const char *wire; /* hex */
};

static const struct rt_case rt_cases[] = {
    {"A", "1.2.3.4", "1.2.3.4", "01020304"},
    {"A", "\\# 4 01020304", "1.2.3.4", "01020304"},
    {"AAAA", "2001:db8::1", "2001:db8::1", "20010db8000000000000000000000001"},
    {"AAAA", "::ffff:1.2.3.4", "::ffff:1.2.3.4", "00000000000000000000ffff01020304"},
    {"AAAA", "2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", "20010db8000000000001000000000001"},
    {"NS", "ns1.Example.com.", "ns1.Example.com.", "036e7331074578616d706c6503636f6d00"},
    {"CNAME", "a\\.b.example.", "a\\.b.example.", "03612e62076578616d706c6500"},
    {"DNAME", "foo.", "foo.", "03666f6f00"},
    {"PTR", "x.", "x.", "017800"},
    {"SOA", "ns.example. host.example. 1 2 3 4 5", "ns.example. host.example. 1 2 3 4 5",
     "026e73076578616d706c650004686f7374076578616d706c6500000000010000000200000003000000040000000"
     "5"},
    {"SOA", "ns.example. host.example. ( 2023010101 1h 30m 1w 3600 )",
     "ns.example. host.example. 2023010101 3600 1800 604800 3600",
     "026e73076578616d706c650004686f7374076578616d706c65007894af3500000e100000070800093a8000000e1"
     "0"},
    {"MX", "10 Foo.", "10 Foo.", "000a03466f6f00"},
    {"TXT", "\"a\\\"b\\\\c\" \"\" \"\\255x\" ab\\065", "\"a\\\"b\\\\c\" \"\" \"\\255x\" \"abA\"",
     "056122625c630002ff7803616241"},
    {"TXT", "\"héllo\"", "\"h\\195\\169llo\"", "0668c3a96c6c6f"},
    {"TXT", "\"\"", "\"\"", "00"},
    {"TXT", "\"a;b(c)\"", "\"a;b(c)\"", "06613b62286329"},
    {"SRV", "0 5 5060 sip.example.com.", "0 5 5060 sip.example.com.",
     "0000000513c403736970076578616d706c6503636f6d00"},
    {"NAPTR", "100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:x@y!\" _sip._udp.example.com.",
     "100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:x@y!\" _sip._udp.example.com.",
     "0064000a0153075349502b4432550e215e2e2a24217369703a78407921045f736970045f756470076578616d706c6"
     "503636f6d00"},
    {"NAPTR", "100 10 \"\" \"\" \"\" .", "100 10 \"\" \"\" \"\" .", "0064000a00000000"},
    {"DS", "12345 8 2 49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC1234",
     "12345 8 2 49fd46e6c4b45c55d4ac49fd46e6c4b45c55d4ac49fd46e6c4b45c55d4ac1234",
     "3039080249fd46e6c4b45c55d4ac49fd46e6c4b45c55d4ac49fd46e6c4b45c55d4ac1234"},
    {"DS", "12345 8 1 49FD46E6C4B45C55D4AC49FD46E6 C4B45C55D4AC",
     "12345 8 1 49fd46e6c4b45c55d4ac49fd46e6c4b45c55d4ac",
     "3039080149fd46e6c4b45c55d4ac49fd46e6c4b45c55d4ac"},
    {"CDS", "0 0 0 00", "0 0 0 00", "0000000000"},
    {"DNSKEY",
     "256 3 13 "
     "oJMRESz5E4gYzS/q6XDrvU1qMPYIjCWzJaOau8XNEZeqCYKD5ar0IRd8KqXXFJkqmVfRvMGPmM1x8fGAa2XhSA==",
     "256 3 13 "
     "oJMRESz5E4gYzS/q6XDrvU1qMPYIjCWzJaOau8XNEZeqCYKD5ar0IRd8KqXXFJkqmVfRvMGPmM1x8fGAa2XhSA==",
     "0100030da09311112cf9138818cd2feae970ebbd4d6a30f6088c25b325a39abbc5cd1197aa098283e5aaf421177c2"
     "aa5d714992a9957d1bcc18f98cd71f1f1806b65e148"},
    {"CDNSKEY", "0 3 0 AA==", "0 3 0 AA==", "0000030000"},
    {"RRSIG", "A 8 2 3600 20230101000000 20221201000000 12345 Example. AQID",
     "A 8 2 3600 20230101000000 20221201000000 12345 Example. AQID",
     "0001080200000e1063b0cd006387ee803039074578616d706c6500010203"},
    {"RRSIG", "TYPE65000 8 2 3600 1700000000 1600000000 12345 . AQIDBA==",
     "TYPE65000 8 2 3600 20231114221320 20200913122640 12345 . AQIDBA==",
     "fde8080200000e106553f1005f5e100030390001020304"},
    {"RRSIG", "NSEC3 13 3 1d 21060207062815 19700101000000 0 example.com. AAAA",
     "NSEC3 13 3 86400 21060207062815 19700101000000 0 example.com. AAAA",
     "00320d0300015180ffffffff000000000000076578616d706c6503636f6d00000000"},
    {"NSEC", "a.Example. A NS TYPE1234 CAA", "a.Example. A NS CAA TYPE1234",
     "0161074578616d706c6500000160010140041b00000000000000000000000000000000000000000000000000002"
     "0"},
    {"NSEC", "a.Example.", "a.Example.", "0161074578616d706c6500"},
    {"NSEC", "\\000.example. A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY TYPE65535",
     "\\000.example. A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY TYPE65535",
     "0100076578616d706c6500000762018008000380ff200000000000000000000000000000000000000000000000000"
     "000000000000001"},
    {"NSEC3", "1 1 12 - 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG",
     "1 1 12 - 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG",
     "0101000c001417f3df17b2b2adaef615257de4d2020b80ac6c7c0006400000000002"},
    {"NSEC3", "1 1 12 AABBCC 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S",
     "1 1 12 aabbcc 2vptu5timamqttgl4luu9kg21e0aor3s",
     "0101000c03aabbcc1417f3df17b2b2adaef615257de4d2020b80ac6c7c"},
    {"NSEC3",
     "1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s NS SOA RRSIG DNSKEY NSEC3PARAM CAA TYPE4000",
     "1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s NS SOA RRSIG DNSKEY NSEC3PARAM CAA TYPE4000",
     "01000000001417f3df17b2b2adaef615257de4d2020b80ac6c7c0007220000000002900101400f150000000000000"
     "00000000000000000000000000080"},
    {"NSEC3PARAM", "1 0 12 -", "1 0 12 -", "0100000c00"},
    {"NSEC3PARAM", "1 0 12 aabb", "1 0 12 aabb", "0100000c02aabb"},
    {"TLSA", "3 1 1 ABCD", "3 1 1 abcd", "030101abcd"},
    {"TLSA", "3 1 1 ab cd", "3 1 1 abcd", "030101abcd"},
    {"ZONEMD",
     "2018031500 1 1 "
     "FEBE3D4CE2EC2FFA4BA99D46CD69D6D29711E55217057BEE7EB1A7B641A47BA7FED2DD5B97AE499FAFA4F22C6BD64"
     "7DE",
     "2018031500 1 1 "
     "febe3d4ce2ec2ffa4ba99d46cd69d6d29711e55217057bee7eb1a7b641a47ba7fed2dd5b97ae499fafa4f22c6bd64"
     "7de",
     "7848b78c0101febe3d4ce2ec2ffa4ba99d46cd69d6d29711e55217057bee7eb1a7b641a47ba7fed2dd5b97ae499fa"
     "fa4f22c6bd647de"},
    {"CAA", "128 issue \"ca.example.net; foo\"", "128 issue \"ca.example.net; foo\"",
     "8005697373756563612e6578616d706c652e6e65743b20666f6f"},
    {"CAA", "0 tag \"\"", "0 tag \"\"", "0003746167"},
    {"CAA", "0 iodef \"mailto:x@y\\\"z\\\\\"", "0 iodef \"mailto:x@y\\\"z\\\\\"",
     "0005696f6465666d61696c746f3a784079227a5c"},
    {"CAA", "0 issue ca.example", "0 issue \"ca.example\"", "0005697373756563612e6578616d706c65"},
    {"SVCB",
     "1 . mandatory=alpn,port alpn=\"h2,h3\" no-default-alpn port=53 ipv4hint=1.2.3.4,5.6.7.8 "
     "ech=AAAA ipv6hint=::1 key65000=abc",
     "1 . mandatory=\"alpn,port\" alpn=\"h2,h3\" no-default-alpn port=\"53\" "
     "ipv4hint=\"1.2.3.4,5.6.7.8\" ech=\"AAAA\" ipv6hint=\"::1\" key65000=\"abc\"",
     "000100000000040001000300010006026832026833000200000003000200350004000801020304050607080005000"
     "30000000006001000000000000000000000000000000001fde80003616263"},
    {"SVCB", "1 . alpn=\"a\\\\,b,c\"", "1 . alpn=\"a\\\\,b,c\"", "0001000001000603612c620163"},
    {"SVCB", "1 . alpn=a\\\\,b,c", "1 . alpn=\"a\\\\,b,c\"", "0001000001000603612c620163"},
    {"SVCB", "1 . alpn=\"a\\\\\\\"b,c\\\\\\\\d,\\\\001\"",
     "1 . alpn=\"a\\\\\\\"b,c\\\\\\\\d,\\\\001\"", "0001000001000a0361226203635c640101"},
    {"SVCB", "1 . key65000", "1 . key65000", "000100fde80000"},
    {"SVCB", "1 . key65000=\"a\\\"b\\\\c\\001\"", "1 . key65000=\"a\\\"b\\\\c\\001\"",
     "000100fde800066122625c6301"},
    {"SVCB", "0 foo.", "0 foo.", "000003666f6f00"},
    {"SVCB", "1 foo. port=\"53\" alpn=h2", "1 foo. alpn=\"h2\" port=\"53\"",
     "000103666f6f0000010003026832000300020035"},
    {"HTTPS",
     "1 . alpn=\"h3\" "
     "ech=\"AEn+DQBFKwAgACABWIHUGj4u+"
     "PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50bHMtZWNoLmRldgAA\"",
     "1 . alpn=\"h3\" "
     "ech=\"AEn+DQBFKwAgACABWIHUGj4u+"
     "PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50bHMtZWNoLmRldgAA\"",
     "000100000100030268330005004b0049fe0d00452b00200020015881d41a3e2ef8f2208185dc479245d20624ddd09"
     "18a8056f2e26af47e26280008000100010001000340127075626c69632e746c732d6563682e6465760000"},
    {"HTTPS", "1 . ipv6hint=\"2001:db8::1,2001:db8::53:1\"",
     "1 . ipv6hint=\"2001:db8::1,2001:db8::53:1\"",
     "0001000006002020010db800000000000000000000000120010db8000000000000000000530001"},
    {"HTTPS", "1 . mandatory=\"key65000,alpn\" alpn=h2 key65000=x",
     "1 . mandatory=\"alpn,key65000\" alpn=\"h2\" key65000=\"x\"",
     "000100000000040001fde800010003026832fde8000178"},
    {"TYPE65280", "\\# 3 abcdef", "\\# 3 abcdef", "abcdef"},
    {"TYPE65280", "\\# 0", "\\# 0", ""},
    {"TXT", "a b c", "\"a\" \"b\" \"c\"", "016101620163"},
    {"SVCB", "2 svc.example. alpn=h2 ipv4hint=\"192.0.2.1\" port=8443 key7=\"/dns-query{?dns}\"",
     "2 svc.example. alpn=\"h2\" port=\"8443\" ipv4hint=\"192.0.2.1\" key7=\"/dns-query{?dns}\"",
     "000203737663076578616d706c6500000100030268320003000220fb00040004c0000201000700102f646e732d717"
     "56572797b3f646e737d"},
    {"HTTPS", "1 . no-default-alpn alpn=h2", "1 . alpn=\"h2\" no-default-alpn",
     "0001000001000302683200020000"},
    {"NSEC3", "1 1 0 - 00000000000000000000000000000000",
     "1 1 0 - 00000000000000000000000000000000",
     "0101000000140000000000000000000000000000000000000000"},
    {"RRSIG", "CAA 8 0 0 19700101000000 19700101000000 65535 a. AA==",
     "CAA 8 0 0 19700101000000 19700101000000 65535 a. AA==",
     "01010800000000000000000000000000ffff01610000"},
    {"RRSIG", "A 8 2 3600 20240229235959 20000229000000 1 example. AQID",
     "A 8 2 3600 20240229235959 20000229000000 1 example. AQID",
     "0001080200000e1065e11a7f38bb0c000001076578616d706c6500010203"},
    {"RRSIG", "A 8 2 3600 4294967295 0 1 example. AQID",
     "A 8 2 3600 21060207062815 19700101000000 1 example. AQID",
     "0001080200000e10ffffffff000000000001076578616d706c6500010203"},
    {"SVCB", "1 . alpn=h2 mandatory=alpn", "1 . mandatory=\"alpn\" alpn=\"h2\"",
     "00010000000002000100010003026832"},
    {"SVCB", "65535 . key65535 key3=\"\\000\\053\"", "65535 . port=\"53\" key65535",
     "ffff00000300020035ffff0000"},
    /* dnspython prints a non-printable alpn octet as "\\DDD" (two levels) */
    {"SVCB", "1 . alpn=\"h\\\\216,x\"", "1 . alpn=\"h\\\\216,x\"", "000100000100050268d80178"},
    {"OPT", "\\# 8 000a000401020304", "\\# 8 000a000401020304", "000a000401020304"},
    {"OPT", "\\# 0", "\\# 0", ""},
    {"HINFO", "\\# 4 01410142", "\"A\" \"B\"", "01410142"},
    {"HINFO", "\"PC\" \"Linux 6\"", "\"PC\" \"Linux 6\"", "025043074c696e75782036"},
    {"RP", "mbox.example. txt.example.", "mbox.example. txt.example.",
     "046d626f78076578616d706c650003747874076578616d706c6500"},
    {"AFSDB", "1 afs.example.", "1 afs.example.", "000103616673076578616d706c6500"},
    {"RT", "10 relay.example.", "10 relay.example.", "000a0572656c6179076578616d706c6500"},
    {"PX", "10 map.example. x400.example.", "10 map.example. x400.example.",
     "000a036d6170076578616d706c65000478343030076578616d706c6500"},
    {"TYPE0", "\\# 1 ( 00 )", "\\# 1 00", "00"},
};

static void test_roundtrip(void **state)
{
	(void)state;
	uint8_t *want = hf_malloc(HF_RDATA_MAX);
	uint8_t *got = hf_malloc(HF_RDATA_MAX);
	uint8_t *msg = hf_malloc(HF_RDATA_MAX + 16);
	char *text = hf_malloc(200000);

	assert_non_null(want);
	assert_non_null(got);
	assert_non_null(msg);
	assert_non_null(text);
	for (size_t i = 0; i < sizeof(rt_cases) / sizeof(rt_cases[0]); i++) {
		const struct rt_case *c = &rt_cases[i];
		uint16_t type = type_of(c->type);
		size_t wlen = unhex(c->wire, want, HF_RDATA_MAX);
		int n;

		print_message("%s %s\n", c->type, c->input);
		/* text -> wire */
		n = hf_rdata_from_text(type, c->input, strlen(c->input), NULL, got, HF_RDATA_MAX);
		assert_int_equal(n, wlen);
		assert_memory_equal(got, want, wlen);
		assert_int_equal(hf_rdata_check(type, got, wlen), HF_OK);
		/* wire -> text */
		n = hf_rdata_to_text(type, want, wlen, text, 200000);
		assert_true(n >= 0);
		assert_string_equal(text, c->text);
		assert_int_equal((size_t)n, strlen(c->text));
		/* printed text -> the same wire */
		n = hf_rdata_from_text(type, text, strlen(text), NULL, got, HF_RDATA_MAX);
		assert_int_equal(n, wlen);
		assert_memory_equal(got, want, wlen);
		/* the generic form of the same RDATA parses to the same wire */
		{
			int m = snprintf(text, 200000, "\\# %zu ", wlen);

			assert_true(hf_hex_encode(want, wlen, text + m, 200000 - (size_t)m) >= 0);
			n = hf_rdata_from_text(type, text, strlen(text), NULL, got, HF_RDATA_MAX);
			assert_int_equal(n, wlen);
			assert_memory_equal(got, want, wlen);
		}
		/* unpack from a message (nothing compressed): identity */
		memset(msg, 0xee, 12);
		memcpy(msg + 12, want, wlen);
		n = hf_rdata_unpack(msg, 12 + wlen, 12, wlen, type, got, HF_RDATA_MAX);
		assert_int_equal(n, wlen);
		assert_memory_equal(got, want, wlen);
		/* a too small output buffer */
		if (wlen > 0) {
			n = hf_rdata_unpack(msg, 12 + wlen, 12, wlen, type, got, wlen - 1);
			assert_int_equal(n, HF_ESPACE);
			n = hf_rdata_from_text(type, c->input, strlen(c->input), NULL, got,
			                       wlen - 1);
			assert_int_equal(n, HF_ESPACE);
		}
		/* text output one octet short */
		n = hf_rdata_to_text(type, want, wlen, text, strlen(c->text));
		assert_int_equal(n, HF_ESPACE);
	}
	hf_free(want);
	hf_free(got);
	hf_free(msg);
	hf_free(text);
}

/* Relative names in RDATA take the origin; "@" is the origin. */
static void test_origin(void **state)
{
	(void)state;
	uint8_t origin[HF_NAME_MAX], rd[512];
	char text[512];
	int n;

	name_of("example.com.", origin);
	n = hf_rdata_from_text(HF_TYPE_MX, "10 mail", 7, origin, rd, sizeof(rd));
	assert_true(n > 0);
	assert_true(hf_rdata_to_text(HF_TYPE_MX, rd, (size_t)n, text, sizeof(text)) > 0);
	assert_string_equal(text, "10 mail.example.com.");
	n = hf_rdata_from_text(HF_TYPE_SOA, "@ hostmaster 1 2 3 4 5", 22, origin, rd, sizeof(rd));
	assert_true(n > 0);
	assert_true(hf_rdata_to_text(HF_TYPE_SOA, rd, (size_t)n, text, sizeof(text)) > 0);
	assert_string_equal(text, "example.com. hostmaster.example.com. 1 2 3 4 5");
}

/* A long TXT (many strings) and base64 split over many tokens and lines. */
static void test_long_values(void **state)
{
	(void)state;
	char *text = hf_malloc(100000);
	uint8_t *rd = hf_malloc(HF_RDATA_MAX);
	char *out = hf_malloc(200000);
	size_t pos = 0;
	int n;

	assert_non_null(text);
	assert_non_null(rd);
	assert_non_null(out);
	/* 200 strings of 255 octets: 51200 octets of RDATA */
	for (int s = 0; s < 200; s++) {
		text[pos++] = '"';
		for (int i = 0; i < 255; i++)
			text[pos++] = (char)('a' + (s + i) % 26);
		text[pos++] = '"';
		text[pos++] = s % 10 == 9 ? '\n' : ' ';
	}
	text[pos] = '\0';
	/* the newlines end the entry unless grouped */
	assert_int_equal(hf_rdata_from_text(HF_TYPE_TXT, text, pos, NULL, rd, HF_RDATA_MAX),
	                 HF_ESYNTAX);
	memmove(text + 1, text, pos);
	text[0] = '(';
	text[pos + 1] = ')';
	n = hf_rdata_from_text(HF_TYPE_TXT, text, pos + 2, NULL, rd, HF_RDATA_MAX);
	assert_int_equal(n, 200 * 256);
	assert_true(hf_rdata_to_text(HF_TYPE_TXT, rd, (size_t)n, out, 200000) > 0);

	/* DNSKEY with 3000 octets of key in chunks of 7 base64 characters */
	uint8_t key[3000];
	char b64[4100];
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7);
	assert_int_equal(hf_base64_encode(key, sizeof(key), b64, sizeof(b64)), 4000);
	pos = (size_t)snprintf(text, 100000, "257 3 8 (\n");
	for (size_t i = 0; i < 4000; i += 7) {
		size_t k = 4000 - i < 7 ? 4000 - i : 7;

		memcpy(text + pos, b64 + i, k);
		pos += k;
		text[pos++] = i % 70 == 63 ? '\n' : ' ';
	}
	text[pos++] = ')';
	n = hf_rdata_from_text(HF_TYPE_DNSKEY, text, pos, NULL, rd, HF_RDATA_MAX);
	assert_int_equal(n, 4 + 3000);
	assert_memory_equal(rd + 4, key, 3000);
	n = hf_rdata_to_text(HF_TYPE_DNSKEY, rd, (size_t)n, out, 200000);
	assert_int_equal(n, 8 + 4000);
	assert_memory_equal(out + 8, b64, 4000);
	hf_free(text);
	hf_free(rd);
	hf_free(out);
}

/* --- malformed wire RDATA --------------------------------------------------- */

struct bad_wire {
	const char *type;
	const char *wire;
	const char *why;
	bool ok_in_msg; /* a pointer that is fine where decompression is allowed */
};

static const struct bad_wire bad_wires[] = {
    {"A", "010203", "3 octets"},
    {"A", "0102030405", "5 octets"},
    {"A", "", "empty"},
    {"AAAA", "20010db80000000000000000000000", "15 octets"},
    {"NS", "", "empty"},
    {"NS", "03616263", "name runs past the end"},
    {"NS", "0361626300ff", "octet after the name"},
    {"NS", "c00c", "compression pointer", true},
    {"NS", "4061626300", "reserved label type"},
    {"CNAME",
     "0361626300"
     "00",
     "octet after the name"},
    {"SOA", "016100016200000000010000000200000003000000040000", "truncated SOA"},
    {"SOA", "0161000162000000000100000002000000030000000400000005ff", "SOA plus one"},
    {"PTR", "03616263", "no root label"},
    {"MX", "000a", "no exchange"},
    {"MX", "00", "short preference"},
    {"TXT", "", "no string"},
    {"TXT", "0561", "string length past end"},
    {"TXT",
     "0161"
     "03",
     "second string past end"},
    {"SRV", "000000000000", "no target"},
    {"NAPTR", "0064000a0153", "flags but no more"},
    {"NAPTR", "0064000a05", "string length past end"},
    {"DNAME", "c000", "pointer", true},
    {"DS", "303908", "short header"},
    {"CDS", "3039", "short header"},
    {"DNSKEY", "010103", "short header"},
    {"CDNSKEY", "01", "short header"},
    {"RRSIG", "0001080200000e1063b0cd006387ee803039", "no signer"},
    {"RRSIG", "0001080200000e1063b0cd006387ee803039c000", "pointer signer"},
    {"NSEC", "", "empty"},
    {"NSEC",
     "00"
     "0000",
     "window of length 0"},
    {"NSEC",
     "00"
     "0021"
     "4000000000000000000000000000000000000000000000000000000000000000"
     "01",
     "window longer than 32"},
    {"NSEC",
     "00"
     "010140"
     "000140",
     "windows out of order"},
    {"NSEC",
     "00"
     "000140"
     "000140",
     "window repeated"},
    {"NSEC",
     "00"
     "00024000",
     "trailing zero octet"},
    {"NSEC",
     "00"
     "000140"
     "01",
     "lone octet after the bitmap"},
    {"NSEC",
     "00"
     "0002400000",
     "block length past end"},
    {"NSEC",
     "c00c"
     "000140",
     "pointer in next name"},
    {"NSEC3",
     "0101000c00"
     "00",
     "empty hash"},
    {"NSEC3", "0101000c05aabb", "salt past end"},
    {"NSEC3",
     "0101000c00"
     "0511",
     "hash past end"},
    {"NSEC3",
     "0101000c00"
     "0111"
     "0000",
     "bad bitmap"},
    {"NSEC3PARAM", "0100000c00ff", "octet after salt"},
    {"NSEC3PARAM", "0100000c02aa", "salt past end"},
    {"NSEC3PARAM", "0100", "short"},
    {"TLSA", "0301", "short"},
    {"ZONEMD", "7848b78c01", "short"},
    {"CAA", "00", "no tag"},
    {"CAA", "0000", "empty tag"},
    {"CAA", "0002692d", "tag not alphanumeric"},
    {"CAA", "000569737375", "tag past end"},
    {"SVCB", "0001", "no target"},
    {"SVCB", "0001c00c", "pointer in target"},
    {"SVCB",
     "000100"
     "0003",
     "truncated key"},
    {"SVCB",
     "000100"
     "00030002",
     "value past end"},
    {"SVCB",
     "000100"
     "000300020035"
     "000100030268 32",
     "keys out of order"},
    {"SVCB",
     "000100"
     "000300020035"
     "000300020035",
     "key repeated"},
    {"SVCB",
     "000100"
     "00000002"
     "0000",
     "mandatory lists itself"},
    {"SVCB",
     "000100"
     "00000004"
     "00030001",
     "mandatory not ascending"},
    {"SVCB",
     "000100"
     "00000004"
     "00010001",
     "mandatory repeated"},
    {"SVCB",
     "000100"
     "00000000",
     "mandatory empty"},
    {"SVCB",
     "000100"
     "00000003"
     "000100",
     "mandatory odd length"},
    {"SVCB",
     "000100"
     "00010000",
     "alpn empty"},
    {"SVCB",
     "000100"
     "00010003"
     "026832"
     "00",
     "alpn empty id"},
    {"SVCB",
     "000100"
     "00010003"
     "036832",
     "alpn id past end"},
    {"SVCB",
     "000100"
     "00020001"
     "00",
     "no-default-alpn with value"},
    {"SVCB",
     "000100"
     "00030001"
     "35",
     "port 1 octet"},
    {"SVCB",
     "000100"
     "00030003"
     "003500",
     "port 3 octets"},
    {"SVCB",
     "000100"
     "00040005"
     "0102030405",
     "ipv4hint 5 octets"},
    {"SVCB",
     "000100"
     "00040000",
     "ipv4hint empty"},
    {"SVCB",
     "000100"
     "00060004"
     "00000001",
     "ipv6hint 4 octets"},
    {"HTTPS",
     "000100"
     "0006000000",
     "truncated header"},
    {"OPT",
     "000a0005"
     "01",
     "option past end"},
    {"OPT", "000a00", "truncated option header"},
};

static void test_bad_wire(void **state)
{
	(void)state;
	uint8_t rd[512], msg[600], out[600];
	char text[2048];

	for (size_t i = 0; i < sizeof(bad_wires) / sizeof(bad_wires[0]); i++) {
		const struct bad_wire *c = &bad_wires[i];
		char hex[600];
		size_t h = 0;
		uint16_t type = type_of(c->type);
		size_t n;

		for (const char *p = c->wire; *p != '\0'; p++) {
			if (*p != ' ')
				hex[h++] = *p;
		}
		hex[h] = '\0';
		n = unhex(hex, rd, sizeof(rd));
		print_message("%s %s: %s\n", c->type, hex, c->why);
		assert_int_equal(hf_rdata_check(type, rd, n), HF_ERDATA);
		assert_int_equal(hf_rdata_to_text(type, rd, n, text, sizeof(text)), HF_ERDATA);
		/* In a message, with the header's bytes in front (pointers to
		 * offset 12 land on a name "ab."). */
		memset(msg, 0, 12);
		memcpy(msg + 12,
		       "\x02"
		       "ab"
		       "\x00",
		       4);
		memcpy(msg + 16, rd, n);
		int rc = hf_rdata_unpack(msg, 16 + n, 16, n, type, out, sizeof(out));
		if (c->ok_in_msg)
			assert_true(rc > 0);
		else
			assert_true(rc < 0);
		/* The same as generic text is refused too. */
		int m = snprintf(text, sizeof(text), "\\# %zu %s", n, hex);
		assert_int_equal(hf_rdata_from_text(type, text, (size_t)m, NULL, out, sizeof(out)),
		                 HF_ERDATA);
	}
}

/* --- text errors ------------------------------------------------------------ */

struct bad_text {
	const char *type;
	const char *text;
	int err;
};

static const struct bad_text bad_texts[] = {
    {"A", "1.2.3", HF_ESYNTAX},
    {"A", "1.2.3.4 5", HF_ESYNTAX},
    {"A", "256.1.1.1", HF_ESYNTAX},
    {"A", "", HF_ESYNTAX},
    {"AAAA", "1.2.3.4", HF_ESYNTAX},
    {"AAAA", "2001:db8:::1", HF_ESYNTAX},
    {"NS", "a..b.", HF_ESYNTAX},
    {"MX", "65536 a.", HF_ERANGE},
    {"MX", "99999999999999999999 a.", HF_ERANGE},
    {"MX", "-1 a.", HF_ESYNTAX},
    {"MX", "1x a.", HF_ESYNTAX},
    {"MX", "10", HF_ESYNTAX},
    {"SOA", "a. b. 1 2 3 4 4294967296", HF_ERANGE},
    {"SOA", "a. b. 4294967296 2 3 4 5", HF_ERANGE},
    {"SOA", "a. b. 1 2 3 4 1h30", HF_ESYNTAX},
    {"SOA", "a. b. 1 2 3 4 1x", HF_ESYNTAX},
    {"SOA", "a. b. 1 2 3 4 7102w", HF_ERANGE},
    {"SOA", "a. b. 1 2 3 4", HF_ESYNTAX},
    {"TXT", "", HF_ESYNTAX},
    {"TXT", "\"a", HF_ESYNTAX},
    {"TXT", "\"a\nb\"", HF_ESYNTAX},
    {"TXT", "\"\\256\"", HF_ESYNTAX},
    {"TXT", "\"\\25\"", HF_ESYNTAX},
    {"TXT", "(\"a\"", HF_ESYNTAX},
    {"TXT", "\"a\")", HF_ESYNTAX},
    {"TXT", "a\\", HF_ESYNTAX},
    {"SRV", "1 2 65536 a.", HF_ERANGE},
    {"NAPTR", "1 2 S SIP \"\"", HF_ESYNTAX},
    {"DS", "1 2 3 abc", HF_ESYNTAX},
    {"DS", "1 2 3 xyz0", HF_ESYNTAX},
    {"DS", "65536 2 3 00", HF_ERANGE},
    {"DS", "1 256 3 00", HF_ERANGE},
    {"DNSKEY", "257 3 8 AQID*", HF_ESYNTAX},
    {"DNSKEY", "257 3 8 AQ== AQ==", HF_ESYNTAX},
    {"RRSIG", "A 8 2 3600 20231301000000 20221201000000 1 a. AQID", HF_ERANGE},
    {"RRSIG", "A 8 2 3600 20230230000000 20221201000000 1 a. AQID", HF_ERANGE},
    {"RRSIG", "A 8 2 3600 20230101240000 20221201000000 1 a. AQID", HF_ERANGE},
    {"RRSIG", "A 8 2 3600 19691231235959 20221201000000 1 a. AQID", HF_ERANGE},
    {"RRSIG", "A 8 2 3600 21060207062816 20221201000000 1 a. AQID", HF_ERANGE},
    {"RRSIG", "A 8 2 3600 4294967296 20221201000000 1 a. AQID", HF_ERANGE},
    {"RRSIG", "A 8 2 3600 2023010100000 20221201000000 1 a. AQID", HF_ESYNTAX},
    {"RRSIG", "A 8 2 3600 2023010100000x 20221201000000 1 a. AQID", HF_ESYNTAX},
    {"RRSIG", "FOO 8 2 3600 0 0 1 a. AQID", HF_ETYPE},
    {"RRSIG", "A 8 256 3600 0 0 1 a. AQID", HF_ERANGE},
    {"NSEC", "a. A FOO", HF_ETYPE},
    {"NSEC", "a. TYPE65536", HF_ETYPE},
    {"NSEC3", "1 1 12 zz 2vptu5timamqttgl4luu9kg21e0aor3s", HF_ESYNTAX},
    {"NSEC3", "1 1 12 - 2vptu5timamqttgl4luu9kg21e0aor3", HF_ESYNTAX},
    {"NSEC3", "1 1 12 - 2vptu5timamqttgl4luu9kg21e0aor3w", HF_ESYNTAX},
    {"NSEC3", "1 1 12 -", HF_ESYNTAX},
    {"NSEC3", "1 1 65536 - 2vptu5timamqttgl4luu9kg21e0aor3s", HF_ERANGE},
    {"NSEC3PARAM", "1 0 12", HF_ESYNTAX},
    {"NSEC3PARAM", "1 0 12 - -", HF_ESYNTAX},
    {"TLSA", "3 1 1 abc", HF_ESYNTAX},
    {"CAA", "0 is-sue \"x\"", HF_ESYNTAX},
    {"CAA", "256 issue \"x\"", HF_ERANGE},
    {"CAA", "0 \"\" \"x\"", HF_ESYNTAX},
    {"CAA", "0 issue", HF_ESYNTAX},
    {"CAA", "0 issue \"a\" \"b\"", HF_ESYNTAX},
    {"SVCB", "1 . alpn=h2 alpn=h3", HF_ESYNTAX},
    {"SVCB", "1 . mandatory=mandatory", HF_ESYNTAX},
    {"SVCB", "1 . mandatory=alpn,alpn alpn=h2", HF_ESYNTAX},
    {"SVCB", "1 . mandatory=foo", HF_ESYNTAX},
    {"SVCB", "1 . port=65536", HF_ERANGE},
    {"SVCB", "1 . port=5x", HF_ESYNTAX},
    {"SVCB", "1 . port", HF_ESYNTAX},
    {"SVCB", "1 . port=53,54", HF_ESYNTAX},
    {"SVCB", "1 . no-default-alpn=x", HF_ESYNTAX},
    {"SVCB", "1 . alpn=", HF_ESYNTAX},
    {"SVCB", "1 . alpn= \"h2\"", HF_ESYNTAX},
    {"SVCB", "1 . alpn=h2,,h3", HF_ESYNTAX},
    {"SVCB", "1 . alpn", HF_ESYNTAX},
    {"SVCB", "1 . ipv4hint=1.2.3.4,", HF_ESYNTAX},
    {"SVCB", "1 . ipv4hint=::1", HF_ESYNTAX},
    {"SVCB", "1 . ipv6hint=1.2.3.4", HF_ESYNTAX},
    {"SVCB", "1 . ech=AQ=", HF_ESYNTAX},
    {"SVCB", "1 . key012=x", HF_ESYNTAX},
    {"SVCB", "1 . key65536=x", HF_ESYNTAX},
    {"SVCB", "1 . foo=x", HF_ESYNTAX},
    {"SVCB", "1 . =x", HF_ESYNTAX},
    {"SVCB", "1 . \"alpn=h2\"", HF_ESYNTAX},
    {"SVCB", "1 . key1=\"\\002h\"", HF_ESYNTAX},
    {"SVCB", "65536 .", HF_ERANGE},
    {"TYPE65280", "\\# 3 abcd", HF_ESYNTAX},
    {"TYPE65280", "\\# 2 abcdef", HF_ESYNTAX},
    {"TYPE65280", "\\# 65536", HF_ERANGE},
    {"TYPE65280", "\\#", HF_ESYNTAX},
    {"TYPE65280", "\\# 1 zz", HF_ESYNTAX},
    {"TYPE65280", "00", HF_ESYNTAX},
    {"OPT", "000a0000", HF_ESYNTAX},
    {"A", "\\# 3 010203", HF_ERDATA},
};

static void test_bad_text(void **state)
{
	(void)state;
	uint8_t rd[1024];

	for (size_t i = 0; i < sizeof(bad_texts) / sizeof(bad_texts[0]); i++) {
		const struct bad_text *c = &bad_texts[i];

		print_message("%s %s\n", c->type, c->text);
		assert_int_equal(hf_rdata_from_text(type_of(c->type), c->text, strlen(c->text),
		                                    NULL, rd, sizeof(rd)),
		                 c->err);
	}
}

/* --- decompression ------------------------------------------------------------ */

/* header(12) | 07 example 03 com 00 (offset 12, 13 octets) | RDATA at 25 */
static size_t msg_with(uint8_t *msg, const char *rdata_hex)
{
	memset(msg, 0, 12);
	memcpy(msg + 12,
	       "\x07"
	       "example"
	       "\x03"
	       "com"
	       "\x00",
	       13);
	return 25 + unhex(rdata_hex, msg + 25, 512);
}

static void test_unpack(void **state)
{
	(void)state;
	uint8_t msg[600], out[600], want[600];
	size_t len;
	int n;

	/* MX: preference, then "mail" + pointer to example.com. */
	len = msg_with(msg, "000a"
	                    "046d61696c"
	                    "c00c");
	n = hf_rdata_unpack(msg, len, 25, len - 25, HF_TYPE_MX, out, sizeof(out));
	assert_int_equal(n, unhex("000a046d61696c076578616d706c6503636f6d00", want, sizeof(want)));
	assert_memory_equal(out, want, (size_t)n);

	/* SOA: both names compressed */
	len = msg_with(msg, "c00c"
	                    "02686dc00c"
	                    "0000000100000002000000030000000400000005");
	n = hf_rdata_unpack(msg, len, 25, len - 25, HF_TYPE_SOA, out, sizeof(out));
	assert_int_equal(n, 13 + 16 + 20);

	/* SRV, NAPTR and DNAME are decompressed too (RFC 3597 §4) */
	len = msg_with(msg, "000100020003"
	                    "c00c");
	n = hf_rdata_unpack(msg, len, 25, len - 25, HF_TYPE_SRV, out, sizeof(out));
	assert_int_equal(n, 6 + 13);
	len = msg_with(msg, "c00c");
	n = hf_rdata_unpack(msg, len, 25, len - 25, HF_TYPE_DNAME, out, sizeof(out));
	assert_int_equal(n, 13);
	len = msg_with(msg, "00010002"
	                    "0153"
	                    "00"
	                    "00"
	                    "c00c");
	n = hf_rdata_unpack(msg, len, 25, len - 25, HF_TYPE_NAPTR, out, sizeof(out));
	assert_int_equal(n, 8 + 13);

	/* Never for NSEC, RRSIG, SVCB: HF_ERDATA */
	len = msg_with(msg, "c00c"
	                    "000140");
	n = hf_rdata_unpack(msg, len, 25, len - 25, HF_TYPE_NSEC, out, sizeof(out));
	assert_int_equal(n, HF_ERDATA);
	len = msg_with(msg, "0001080200000e1063b0cd006387ee803039"
	                    "c00c"
	                    "010203");
	n = hf_rdata_unpack(msg, len, 25, len - 25, HF_TYPE_RRSIG, out, sizeof(out));
	assert_int_equal(n, HF_ERDATA);
	len = msg_with(msg, "0001"
	                    "c00c");
	n = hf_rdata_unpack(msg, len, 25, len - 25, HF_TYPE_SVCB, out, sizeof(out));
	assert_int_equal(n, HF_ERDATA);
	/* ... and unknown types are opaque: copied as they are */
	n = hf_rdata_unpack(msg, len, 25, len - 25, 65280, out, sizeof(out));
	assert_int_equal(n, 4);

	/* A name running past RDLENGTH (into bytes that follow) is HF_ERDATA */
	len = msg_with(msg, "03616263"
	                    "00");
	n = hf_rdata_unpack(msg, len, 25, 4, HF_TYPE_NS, out, sizeof(out));
	assert_int_equal(n, HF_ERDATA);
	/* A name ending before RDLENGTH is HF_ERDATA too */
	n = hf_rdata_unpack(msg, len, 25, 5, HF_TYPE_A, out, sizeof(out));
	assert_int_equal(n, HF_ERDATA);
	len = msg_with(msg, "c00c"
	                    "00");
	n = hf_rdata_unpack(msg, len, 25, 3, HF_TYPE_CNAME, out, sizeof(out));
	assert_int_equal(n, HF_ERDATA);

	/* Pointer errors come through as name errors */
	len = msg_with(msg, "c019");
	n = hf_rdata_unpack(msg, len, 25, 2, HF_TYPE_NS, out, sizeof(out));
	assert_true(n == HF_EPTRLOOP || n == HF_EPTRFWD);
	len = msg_with(msg, "c040");
	n = hf_rdata_unpack(msg, len, 25, 2, HF_TYPE_NS, out, sizeof(out));
	assert_true(n < 0);

	/* The uncompressed form may be longer than RDLENGTH; cap limits it */
	len = msg_with(msg, "c00c");
	n = hf_rdata_unpack(msg, len, 25, 2, HF_TYPE_PTR, out, 12);
	assert_int_equal(n, HF_ESPACE);
	n = hf_rdata_unpack(msg, len, 25, 2, HF_TYPE_PTR, out, 13);
	assert_int_equal(n, 13);

	/* RDLENGTH past the message */
	n = hf_rdata_unpack(msg, len, 25, 3, HF_TYPE_PTR, out, sizeof(out));
	assert_true(n < 0);
}

/* --- canonical form ------------------------------------------------------------ */

static void canon(uint16_t type, const char *text, const char *want)
{
	uint8_t rd[1024];
	char out[2048];
	int n = hf_rdata_from_text(type, text, strlen(text), NULL, rd, sizeof(rd));

	assert_true(n >= 0);
	hf_rdata_canonicalize(type, rd, (size_t)n);
	assert_true(hf_rdata_to_text(type, rd, (size_t)n, out, sizeof(out)) >= 0);
	assert_string_equal(out, want);
}

static void test_canonicalize(void **state)
{
	(void)state;
	/* RFC 4034 §6.2 item 3 lists NS, CNAME, SOA, PTR, MX, SRV, NAPTR, DNAME, RRSIG... */
	canon(HF_TYPE_NS, "NS1.Example.COM.", "ns1.example.com.");
	canon(HF_TYPE_CNAME, "A.B.", "a.b.");
	canon(HF_TYPE_PTR, "A.B.", "a.b.");
	canon(HF_TYPE_DNAME, "A.B.", "a.b.");
	canon(HF_TYPE_MX, "10 MX.Example.", "10 mx.example.");
	canon(HF_TYPE_SRV, "1 2 3 SIP.Example.", "1 2 3 sip.example.");
	canon(HF_TYPE_NAPTR, "1 2 \"S\" \"SIP\" \"!A!B!\" SIP.Example.",
	      "1 2 \"S\" \"SIP\" \"!A!B!\" sip.example.");
	canon(HF_TYPE_SOA, "NS.Example. Host.Example. 1 2 3 4 5",
	      "ns.example. host.example. 1 2 3 4 5");
	canon(HF_TYPE_RRSIG, "A 8 2 3600 20230101000000 20221201000000 1 Example.COM. QUJD",
	      "A 8 2 3600 20230101000000 20221201000000 1 example.com. QUJD");
	/* ... but RFC 6840 §5.1 took NSEC out: its next name keeps its case */
	canon(HF_TYPE_NSEC, "B.Example. A", "B.Example. A");
	/* Types outside the list are left alone */
	canon(HF_TYPE_SVCB, "1 Svc.Example. alpn=H2", "1 Svc.Example. alpn=\"H2\"");
	canon(HF_TYPE_TXT, "\"ABC\"", "\"ABC\"");
	canon(HF_TYPE_CAA, "0 ISSUE \"CA\"", "0 ISSUE \"CA\"");
	canon(65280, "\\# 2 4142", "\\# 2 4142");
	/* Octets that only look like letters are untouched (escaped name) */
	canon(HF_TYPE_NS, "\\195\\137.X.", "\\195\\137.x.");
}

static void test_cmp(void **state)
{
	(void)state;
	const uint8_t a[] = {1, 2, 3};
	const uint8_t b[] = {1, 2, 4};

	assert_true(hf_rdata_cmp(a, 3, b, 3) < 0);
	assert_true(hf_rdata_cmp(b, 3, a, 3) > 0);
	assert_int_equal(hf_rdata_cmp(a, 3, a, 3), 0);
	/* a prefix sorts first */
	assert_true(hf_rdata_cmp(a, 2, a, 3) < 0);
	assert_true(hf_rdata_cmp(a, 3, a, 2) > 0);
	assert_int_equal(hf_rdata_cmp(a, 0, b, 0), 0);
}

static void test_compressible_names(void **state)
{
	(void)state;
	uint8_t rd[512];
	uint16_t offs[2];
	int n;

	n = hf_rdata_from_text(HF_TYPE_SOA, "ns.a. h.a. 1 2 3 4 5", 20, NULL, rd, sizeof(rd));
	assert_true(n > 0);
	assert_int_equal(hf_rdata_compressible_names(HF_TYPE_SOA, rd, (size_t)n, offs), 2);
	assert_int_equal(offs[0], 0);
	assert_int_equal(offs[1], 6);
	n = hf_rdata_from_text(HF_TYPE_MX, "10 mx.a.", 8, NULL, rd, sizeof(rd));
	assert_int_equal(hf_rdata_compressible_names(HF_TYPE_MX, rd, (size_t)n, offs), 1);
	assert_int_equal(offs[0], 2);
	n = hf_rdata_from_text(HF_TYPE_NS, "a.", 2, NULL, rd, sizeof(rd));
	assert_int_equal(hf_rdata_compressible_names(HF_TYPE_NS, rd, (size_t)n, offs), 1);
	assert_int_equal(offs[0], 0);
	/* Written uncompressed: SRV, NAPTR, DNAME, RRSIG, NSEC, SVCB, unknown */
	n = hf_rdata_from_text(HF_TYPE_SRV, "1 2 3 a.", 8, NULL, rd, sizeof(rd));
	assert_int_equal(hf_rdata_compressible_names(HF_TYPE_SRV, rd, (size_t)n, offs), 0);
	n = hf_rdata_from_text(HF_TYPE_DNAME, "a.", 2, NULL, rd, sizeof(rd));
	assert_int_equal(hf_rdata_compressible_names(HF_TYPE_DNAME, rd, (size_t)n, offs), 0);
	n = hf_rdata_from_text(HF_TYPE_NSEC, "a. A", 4, NULL, rd, sizeof(rd));
	assert_int_equal(hf_rdata_compressible_names(HF_TYPE_NSEC, rd, (size_t)n, offs), 0);
	assert_int_equal(hf_rdata_compressible_names(65280, rd, 3, offs), 0);
	/* Bad RDATA */
	assert_int_equal(hf_rdata_compressible_names(HF_TYPE_NS, rd, 1, offs), HF_ERDATA);
}

/* --- whole records ------------------------------------------------------------ */

static void rr_ok(const char *text, const uint8_t *origin, const char *want)
{
	struct hf_rrdata *rr = hf_malloc(sizeof(*rr));
	char out[1024];
	int n;

	assert_non_null(rr);
	print_message("%s\n", text);
	assert_int_equal(hf_rr_from_text(text, strlen(text), origin, 86400, rr), HF_OK);
	n = hf_rr_to_text(rr->owner, rr->type, rr->rclass, rr->ttl, rr->rdata, rr->rdlen, out,
	                  sizeof(out));
	assert_true(n > 0);
	assert_string_equal(out, want);
	assert_int_equal((size_t)n, strlen(want));
	hf_free(rr);
}

static void rr_err(const char *text, int err)
{
	struct hf_rrdata *rr = hf_malloc(sizeof(*rr));

	assert_non_null(rr);
	print_message("%s\n", text);
	assert_int_equal(hf_rr_from_text(text, strlen(text), NULL, 3600, rr), err);
	hf_free(rr);
}

static void test_rr_text(void **state)
{
	(void)state;
	uint8_t origin[HF_NAME_MAX];

	name_of("example.com.", origin);
	rr_ok("www.example.com. 300 IN A 192.0.2.1", NULL, "www.example.com. 300 IN A 192.0.2.1");
	rr_ok("www 1w2d3h4m5s A 192.0.2.1", origin, "www.example.com. 788645 IN A 192.0.2.1");
	rr_ok("www IN 1H A 192.0.2.1", origin, "www.example.com. 3600 IN A 192.0.2.1");
	rr_ok("www CH TXT \"x\"", origin, "www.example.com. 86400 CH TXT \"x\"");
	rr_ok("@ CLASS42 TYPE65280 \\# 0", origin, "example.com. 86400 CLASS42 TYPE65280 \\# 0");
	rr_ok("a. 0 in mx 10 b.", NULL, "a. 0 IN MX 10 b.");
	rr_ok("example.com. 3600 IN SOA ns.example.com. hostmaster.example.com. (\n"
	      "\t2023010101 ; serial\n"
	      "\t2h         ; refresh\n"
	      "\t1h ; retry\n"
	      "\t1w ; expire\n"
	      "\t300 )      ; minimum\n"
	      "; trailing comment line\n\n",
	      NULL,
	      "example.com. 3600 IN SOA ns.example.com. hostmaster.example.com. 2023010101 "
	      "7200 3600 604800 300");
	rr_ok("a. ( 60 IN\n A ) 1.2.3.4", NULL, "a. 60 IN A 1.2.3.4");
	rr_ok("a. 60 IN TXT \"semi;colon\" \"paren(\" ; real comment", NULL,
	      "a. 60 IN TXT \"semi;colon\" \"paren(\"");
	rr_ok("a. IN HTTPS 1 . alpn=h2 port=443", NULL,
	      "a. 86400 IN HTTPS 1 . alpn=\"h2\" port=\"443\"");

	rr_err("a. 300 IN FOO 1.2.3.4", HF_ETYPE);
	rr_err("a. 300 IN", HF_ESYNTAX);
	rr_err("a.", HF_ESYNTAX);
	rr_err("", HF_ESYNTAX);
	rr_err("a. 4294967296 IN A 1.2.3.4", HF_ERANGE);
	rr_err("a. 1x IN A 1.2.3.4", HF_ESYNTAX);
	rr_err("a. 300 IN A 1.2.3.4\nb. 300 IN A 1.2.3.5", HF_ESYNTAX);
	rr_err("a. 300 IN A ( 1.2.3.4", HF_ESYNTAX);
	rr_err("a. 300 300 IN A 1.2.3.4", HF_ETYPE);
	rr_err("a. IN CH A 1.2.3.4", HF_ETYPE);
	rr_err("a..b. A 1.2.3.4", HF_ESYNTAX);
	rr_err("\"a.\" A 1.2.3.4", HF_ESYNTAX);
}

static void test_rr_to_text_space(void **state)
{
	(void)state;
	uint8_t owner[HF_NAME_MAX];
	const uint8_t rd[] = {1, 2, 3, 4};
	const char *want = "a.example. 300 IN A 1.2.3.4";
	char out[64];

	name_of("a.example.", owner);
	for (size_t cap = 0; cap <= strlen(want); cap++)
		assert_int_equal(hf_rr_to_text(owner, HF_TYPE_A, HF_CLASS_IN, 300, rd, 4, out, cap),
		                 HF_ESPACE);
	assert_int_equal(
	    hf_rr_to_text(owner, HF_TYPE_A, HF_CLASS_IN, 300, rd, 4, out, strlen(want) + 1),
	    strlen(want));
	assert_int_equal(hf_rr_to_text(owner, HF_TYPE_A, HF_CLASS_IN, 300, rd, 3, out, sizeof(out)),
	                 HF_ERDATA);
}

static void test_rr_canonical(void **state)
{
	(void)state;
	uint8_t owner[HF_NAME_MAX], rd[256], out[512], want[512];
	size_t wl;
	int n;

	/* Owner lowercased, original TTL, RDATA names lowercased */
	name_of("WWW.Example.COM.", owner);
	n = hf_rdata_from_text(HF_TYPE_CNAME, "Target.Example.", 15, NULL, rd, sizeof(rd));
	assert_true(n > 0);
	n = hf_rr_canonical(owner, HF_TYPE_CNAME, HF_CLASS_IN, 3600, 255, rd, (size_t)n, out,
	                    sizeof(out));
	wl = unhex("03777777076578616d706c6503636f6d00"
	           "0005"
	           "0001"
	           "00000e10"
	           "0010"
	           "06746172676574076578616d706c6500",
	           want, sizeof(want));
	assert_int_equal(n, wl);
	assert_memory_equal(out, want, wl);

	/* Wildcard: RRSIG labels 2 for a three-label owner gives *.example.com. */
	const uint8_t a[] = {192, 0, 2, 1};
	n = hf_rr_canonical(owner, HF_TYPE_A, HF_CLASS_IN, 300, 2, a, 4, out, sizeof(out));
	wl = unhex("012a076578616d706c6503636f6d00"
	           "0001"
	           "0001"
	           "0000012c"
	           "0004"
	           "c0000201",
	           want, sizeof(want));
	assert_int_equal(n, wl);
	assert_memory_equal(out, want, wl);
	/* labels 0: "*." under the root */
	n = hf_rr_canonical(owner, HF_TYPE_A, HF_CLASS_IN, 300, 0, a, 4, out, sizeof(out));
	assert_int_equal(n, 3 + 10 + 4);
	assert_memory_equal(out, "\x01*\x00", 3);
	/* labels equal to the owner's: no wildcard */
	n = hf_rr_canonical(owner, HF_TYPE_A, HF_CLASS_IN, 300, 3, a, 4, out, sizeof(out));
	assert_int_equal(n, 17 + 10 + 4);
	assert_int_equal(out[0], 3);

	/* NSEC next name keeps its case in canonical form */
	n = hf_rdata_from_text(HF_TYPE_NSEC, "Next.Example. A", 15, NULL, rd, sizeof(rd));
	assert_true(n > 0);
	int m = hf_rr_canonical(owner, HF_TYPE_NSEC, HF_CLASS_IN, 300, 255, rd, (size_t)n, out,
	                        sizeof(out));
	assert_int_equal(m, 17 + 10 + n);
	assert_memory_equal(out + 27, rd, (size_t)n);
	assert_int_equal(out[28], 'N');

	/* Errors */
	assert_int_equal(
	    hf_rr_canonical(owner, HF_TYPE_A, HF_CLASS_IN, 300, 255, a, 3, out, sizeof(out)),
	    HF_ERDATA);
	assert_int_equal(hf_rr_canonical(owner, HF_TYPE_A, HF_CLASS_IN, 300, 255, a, 4, out, 30),
	                 HF_ESPACE);
	assert_int_equal(hf_rr_canonical(owner, HF_TYPE_A, HF_CLASS_IN, 300, 255, a, 4, out, 31),
	                 31);
}

/* --- type and class mnemonics ------------------------------------------------------ */

static void test_rrtype(void **state)
{
	(void)state;
	char buf[HF_RRTYPE_TEXT_MAX];
	uint16_t v;

	assert_string_equal(hf_rrtype_name(HF_TYPE_A, buf), "A");
	assert_string_equal(hf_rrtype_name(HF_TYPE_NSEC3PARAM, buf), "NSEC3PARAM");
	assert_string_equal(hf_rrtype_name(23, buf), "NSAP-PTR");
	assert_string_equal(hf_rrtype_name(13, buf), "HINFO");
	assert_string_equal(hf_rrtype_name(0, buf), "TYPE0");
	assert_string_equal(hf_rrtype_name(65535, buf), "TYPE65535");
	assert_string_equal(hf_rrtype_name(32769, buf), "DLV");
	assert_int_equal(hf_rrtype_from_text("aaaa", 4, &v), HF_OK);
	assert_int_equal(v, HF_TYPE_AAAA);
	assert_int_equal(hf_rrtype_from_text("Type65535", 9, &v), HF_OK);
	assert_int_equal(v, 65535);
	assert_int_equal(hf_rrtype_from_text("TYPE1", 5, &v), HF_OK);
	assert_int_equal(v, 1);
	assert_int_equal(hf_rrtype_from_text("TYPE65536", 9, &v), HF_ETYPE);
	assert_int_equal(hf_rrtype_from_text("TYPE", 4, &v), HF_ETYPE);
	assert_int_equal(hf_rrtype_from_text("TYPE-1", 6, &v), HF_ETYPE);
	assert_int_equal(hf_rrtype_from_text("AA", 2, &v), HF_ETYPE);
	assert_int_equal(hf_rrtype_from_text("AAAAA", 5, &v), HF_ETYPE);
	assert_int_equal(hf_rrtype_from_text("", 0, &v), HF_ETYPE);
	/* length-bounded: "A" out of "AAAA" */
	assert_int_equal(hf_rrtype_from_text("AAAA", 1, &v), HF_OK);
	assert_int_equal(v, HF_TYPE_A);

	assert_string_equal(hf_rrclass_name(HF_CLASS_IN, buf), "IN");
	assert_string_equal(hf_rrclass_name(HF_CLASS_CH, buf), "CH");
	assert_string_equal(hf_rrclass_name(65535, buf), "CLASS65535");
	assert_int_equal(hf_rrclass_from_text("chaos", 5, &v), HF_OK);
	assert_int_equal(v, HF_CLASS_CH);
	assert_int_equal(hf_rrclass_from_text("CLASS255", 8, &v), HF_OK);
	assert_int_equal(v, 255);
	assert_int_equal(hf_rrclass_from_text("XX", 2, &v), HF_ECLASS);

	assert_true(hf_rrtype_known(HF_TYPE_SVCB));
	assert_true(hf_rrtype_known(HF_TYPE_CDS));
	assert_false(hf_rrtype_known(13));
	assert_false(hf_rrtype_known(65280));
	assert_true(hf_rrtype_is_meta(HF_TYPE_OPT));
	assert_true(hf_rrtype_is_meta(HF_TYPE_ANY));
	assert_true(hf_rrtype_is_meta(HF_TYPE_AXFR));
	assert_true(hf_rrtype_is_meta(250)); /* TSIG */
	assert_false(hf_rrtype_is_meta(HF_TYPE_A));
	assert_false(hf_rrtype_is_meta(HF_TYPE_CAA));
	/* every type with a layout is known, and only those */
	for (unsigned t = 0; t < 65536; t++) {
		uint8_t rd[1] = {0};
		char txt[16];
		int rc = hf_rdata_to_text((uint16_t)t, rd, 0, txt, sizeof(txt));

		if (!hf_rrtype_known((uint16_t)t))
			assert_string_equal(txt, "\\# 0");
		else if (t != HF_TYPE_OPT)
			assert_true(rc == HF_ERDATA || strcmp(txt, "\\# 0") != 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_origin),
	    cmocka_unit_test(test_long_values),
	    cmocka_unit_test(test_bad_wire),
	    cmocka_unit_test(test_bad_text),
	    cmocka_unit_test(test_unpack),
	    cmocka_unit_test(test_canonicalize),
	    cmocka_unit_test(test_cmp),
	    cmocka_unit_test(test_compressible_names),
	    cmocka_unit_test(test_rr_text),
	    cmocka_unit_test(test_rr_to_text_space),
	    cmocka_unit_test(test_rr_canonical),
	    cmocka_unit_test(test_rrtype),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
