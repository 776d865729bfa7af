/* crypto/hmac.c's pbkdf2(): RFC 6070 vectors (PBKDF2-HMAC-SHA1), then random
 * passwords, salts, counts and output lengths (across block boundaries) against
 * OpenSSL's PKCS5_PBKDF2_HMAC for SHA-1 and SHA-256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include "crypto/hmac.h"
#include "tests/host/crypto_oracle.h"

static void test_rfc6070(void **state)
{
	static const struct { uint32_t c; const char *dk; } v[3] = {
		{ 1, "0c60c80f961f0e71f3a9b524af6012062fe037a6" },
		{ 2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957" },
		{ 4096, "4b007901b765489abead49d926f721d065a429c1" },
	};
	uint8_t out[20], want[20];

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		pbkdf2(&hash_sha1, (const uint8_t *)"password", 8, (const uint8_t *)"salt", 4,
		       v[i].c, out, 20);
		from_hex(v[i].dk, want);
		assert_memory_equal(out, want, 20);
	}
}

static void test_vs_openssl(void **state)
{
	uint8_t pass[100], salt[64], ours[130], ref[130];
	uint64_t seed = 9;

	(void)state;
	for (unsigned round = 0; round < 40; round++) {
		const struct hash_alg *a = round % 2 ? &hash_sha256 : &hash_sha1;
		size_t pl = round * 3 % 100, sl = round * 5 % 64, ol = 1 + round * 11 % 130;
		uint32_t iters = 1 + round * 37;

		fill_random(pass, pl, &seed);
		fill_random(salt, sl, &seed);
		pbkdf2(a, pass, pl, salt, sl, iters, ours, ol);
		assert_int_equal(PKCS5_PBKDF2_HMAC((const char *)pass, (int)pl, salt, (int)sl,
						   (int)iters, round % 2 ? EVP_sha256() : EVP_sha1(),
						   (int)ol, ref), 1);
		assert_memory_equal(ours, ref, ol);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6070),
		cmocka_unit_test(test_vs_openssl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
