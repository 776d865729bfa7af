/* luks/json.c, luks/base64.c, luks/luks2.c's header checks: RFC 8259 edge cases
 * accepted and refused, escapes decoded, numbers as LUKS2 writes them (strings),
 * RFC 4648 vectors, and a LUKS2 header whose checksum, size or version is damaged.
 * (Whole volumes made by cryptsetup are unlocked in tests/system/test_luks_thawctl.py.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "crypto/hash.h"
#include "luks/base64.h"
#include "luks/json.h"
#include "luks/luks.h"
#include "luks/luks_format.h"

static struct json_tok tok[256];

static enum json_err parse(struct json_doc *d, const char *s)
{
	return json_parse(d, s, strlen(s), tok, 256);
}

static void test_json_accepts(void **state)
{
	struct json_doc d;
	char buf[32];
	uint64_t v;
	int32_t k, val;

	(void)state;
	assert_int_equal(parse(&d, " {\"a\" : [1, -2.5e3, true, false, null, {}], \"b\":\"x\\u0041\\n\\/\","
			    "\"n\":\"18446744073709551615\", \"m\": 12} "), JSON_OK);
	assert_int_equal(d.tok[0].count, 4);
	assert_int_equal(d.tok[json_member(&d, 0, "a")].count, 6);
	assert_int_equal(d.tok[json_element(&d, json_member(&d, 0, "a"), 5)].type, JSON_OBJECT);
	assert_int_equal(json_element(&d, json_member(&d, 0, "a"), 6), -1);
	assert_true(json_string(&d, json_member(&d, 0, "b"), buf, sizeof(buf)));
	assert_string_equal(buf, "xA\n/");
	assert_true(json_u64(&d, json_member(&d, 0, "n"), &v));
	assert_true(v == UINT64_MAX);
	assert_true(json_u64(&d, json_member(&d, 0, "m"), &v) && v == 12);
	assert_false(json_u64(&d, json_member(&d, 0, "a"), &v));
	assert_true(json_member_at(&d, 0, 3, &k, &val));
	assert_false(json_member_at(&d, 0, 4, &k, &val));
	assert_int_equal(json_member(&d, 0, "zz"), -1);
	/* A NUL ends the text (LUKS2 pads its JSON area with zeros). */
	assert_int_equal(json_parse(&d, "{}\0garbage", 10, tok, 256), JSON_OK);
}

static void test_json_refuses(void **state)
{
	static const char *const bad[] = {
		"", "{", "}", "[1,]", "{\"a\"}", "{\"a\":}", "{a:1}", "\"\\x\"", "\"abc", "01x",
		"1.", "-", "tru", "[1] 2", "{\"a\":1,}", "\"\\u12\"", "\"a\nb\"",
	};
	struct json_doc d;
	char deep[64];

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(&d, bad[i]), JSON_ESYNTAX);
	memset(deep, '[', 30);
	memset(deep + 30, ']', 30);
	deep[60] = 0;
	assert_int_equal(parse(&d, deep), JSON_EDEPTH);
	assert_int_equal(json_parse(&d, "[1,2,3]", 7, tok, 3), JSON_ETOKENS);
	assert_int_equal(parse(&d, "\"\\u00e9\""), JSON_OK);       /* valid JSON ... */
	char buf[8];
	assert_false(json_string(&d, 0, buf, sizeof(buf)));       /* ... but not ASCII */
	assert_int_equal(parse(&d, "\"99999999999999999999\""), JSON_OK);
	uint64_t v;
	assert_false(json_u64(&d, 0, &v));                        /* overflow */
}

static void test_base64(void **state)
{
	uint8_t out[16];
	size_t n;

	(void)state;
	assert_true(base64_decode("Zm9vYmFy", out, sizeof(out), &n));
	assert_int_equal(n, 6), assert_memory_equal(out, "foobar", 6);
	assert_true(base64_decode("Zm9vYg==", out, sizeof(out), &n));
	assert_int_equal(n, 4), assert_memory_equal(out, "foob", 4);
	assert_true(base64_decode("Zm9vYmE=", out, sizeof(out), &n));
	assert_int_equal(n, 5);
	assert_false(base64_decode("Zm9", out, sizeof(out), &n));
	assert_false(base64_decode("Zm=v", out, sizeof(out), &n));
	assert_false(base64_decode("Zm9v!mFy", out, sizeof(out), &n));
	assert_false(base64_decode("Zm9vYmFy", out, 5, &n));
}

/* A minimal LUKS2 header (16 KiB, JSON with one pbkdf2 keyslot) and its checksum. */
static const char META[] =
	"{\"keyslots\":{\"0\":{\"type\":\"luks2\",\"key_size\":64,\"af\":{\"type\":\"luks1\","
	"\"stripes\":4000,\"hash\":\"sha256\"},\"area\":{\"type\":\"raw\",\"offset\":\"32768\","
	"\"size\":\"258048\",\"encryption\":\"aes-xts-plain64\",\"key_size\":64},\"kdf\":{"
	"\"type\":\"pbkdf2\",\"hash\":\"sha256\",\"iterations\":1000,\"salt\":\"AAAA\"}}},"
	"\"tokens\":{},\"segments\":{\"0\":{\"type\":\"crypt\",\"offset\":\"16777216\","
	"\"size\":\"dynamic\",\"iv_tweak\":\"0\",\"encryption\":\"aes-xts-plain64\","
	"\"sector_size\":4096}},\"digests\":{\"0\":{\"type\":\"pbkdf2\",\"keyslots\":[\"0\"],"
	"\"segments\":[\"0\"],\"hash\":\"sha256\",\"iterations\":1000,\"salt\":\"AAAA\","
	"\"digest\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}},\"config\":{}}";

static uint8_t hdr[16384];

static void make_hdr(const char *meta)
{
	uint8_t sum[32];

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, LUKS_MAGIC, 6);
	hdr[7] = 2;
	hdr[14] = 0x40;                                 /* hdr_size 16384, big-endian */
	memcpy(hdr + 72, "sha256", 6);
	memcpy(hdr + 168, "0b7d5bd6-6e43-4b3e-9a1c-6a7b0c5e1d2f", 36);
	memcpy(hdr + 4096, meta, strlen(meta));
	hash_oneshot(&hash_sha256, hdr, sizeof(hdr), sum);
	memcpy(hdr + 448, sum, 32);
}

static void test_luks2_header(void **state)
{
	static struct luks_volume v;
	static struct json_tok t[512];

	(void)state;
	make_hdr(META);
	assert_int_equal(luks2_parse(&v, hdr, sizeof(hdr), t, sizeof(t)), LUKS_OK);
	assert_int_equal(v.version, 2);
	assert_int_equal(v.sector_size, 4096);
	assert_true(v.data_offset == 16777216);
	assert_true(v.slot[0].active && v.slot[0].digest_ok);
	assert_int_equal(v.slot[0].stripes, 4000);
	assert_int_equal(v.key_bytes, 64);
	hdr[5000] ^= 1;
	assert_int_equal(luks2_parse(&v, hdr, sizeof(hdr), t, sizeof(t)), LUKS_ECSUM);
	make_hdr(META);
	hdr[7] = 3;
	assert_int_equal(luks2_parse(&v, hdr, sizeof(hdr), t, sizeof(t)), LUKS_EVERSION);
	make_hdr(META);
	assert_int_equal(luks2_parse(&v, hdr, 8192, t, sizeof(t)), LUKS_EHEADER);
	make_hdr("{\"segments\":{\"0\":{\"type\":\"crypt\",\"integrity\":{}}}}");
	assert_int_equal(luks2_parse(&v, hdr, sizeof(hdr), t, sizeof(t)), LUKS_EUNSUPP);
	make_hdr("{\"segments\":{\"0\":{\"type\":\"crypt\",\"offset\":\"0\",\"size\":\"dynamic\","
		 "\"iv_tweak\":\"0\",\"encryption\":\"serpent-xts-plain64\",\"sector_size\":512}}}");
	assert_int_equal(luks2_parse(&v, hdr, sizeof(hdr), t, sizeof(t)), LUKS_ECIPHER);
	make_hdr("{\"config\":{\"requirements\":{\"mandatory\":[\"online-reencrypt\"]}}}");
	assert_int_equal(luks2_parse(&v, hdr, sizeof(hdr), t, sizeof(t)), LUKS_EUNSUPP);
	make_hdr("[]");
	assert_int_equal(luks2_parse(&v, hdr, sizeof(hdr), t, sizeof(t)), LUKS_EMETA);
	assert_string_equal(luks_strerror(LUKS_ENOKEY), "no keyslot opens with this passphrase");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_accepts),
		cmocka_unit_test(test_json_refuses),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_luks2_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
