/* crypto/hash.c, sha1.c, sha256.c, hmac.c, blake2b.c: FIPS 180-4 example vectors, then
 * every length 0..300 and chunked updates against OpenSSL (SHA1, SHA256, HMAC,
 * EVP_blake2b512). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "crypto/blake2b.h"
#include "crypto/hash.h"
#include "crypto/hmac.h"
#include "tests/host/crypto_oracle.h"

static void test_vectors(void **state)
{
	uint8_t out[32], want[32];
	const char *abc = "abc";
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	hash_oneshot(&hash_sha1, abc, 3, out);
	from_hex("a9993e364706816aba3e25717850c26c9cd0d89d", want);
	assert_memory_equal(out, want, 20);
	hash_oneshot(&hash_sha256, abc, 3, out);
	from_hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want);
	assert_memory_equal(out, want, 32);
	hash_oneshot(&hash_sha256, two, strlen(two), out);
	from_hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", want);
	assert_memory_equal(out, want, 32);
	assert_ptr_equal(hash_by_name("sha1"), &hash_sha1);
	assert_ptr_equal(hash_by_name("sha256"), &hash_sha256);
	assert_null(hash_by_name("sha512"));
}

static const EVP_MD *md_of(const struct hash_alg *a)
{
	return a == &hash_sha1 ? EVP_sha1() : EVP_sha256();
}

static void test_lengths_vs_openssl(void **state)
{
	const struct hash_alg *algs[2] = { &hash_sha1, &hash_sha256 };
	uint8_t data[300], ours[32], ref[32];
	uint64_t seed = 5;

	(void)state;
	fill_random(data, sizeof(data), &seed);
	for (unsigned a = 0; a < 2; a++)
		for (size_t n = 0; n <= sizeof(data); n++) {
			struct hash_ctx c;

			hash_init(&c, algs[a]);
			for (size_t at = 0, step = 1; at < n; at += step, step = step * 2 + 1)
				hash_update(&c, data + at, step < n - at ? step : n - at);
			hash_final(&c, ours);
			EVP_Digest(data, n, ref, NULL, md_of(algs[a]), NULL);
			assert_memory_equal(ours, ref, algs[a]->digest);
		}
}

/* Keys shorter than, equal to and longer than the block (hashed first). */
static void test_hmac_vs_openssl(void **state)
{
	const struct hash_alg *algs[2] = { &hash_sha1, &hash_sha256 };
	uint8_t key[200], data[300], ours[32], ref[32];
	uint64_t seed = 6;

	(void)state;
	for (unsigned a = 0; a < 2; a++)
		for (size_t kl = 0; kl <= 130; kl += 13) {
			struct hmac_ctx c;
			size_t n = (kl * 7) % 300;
			unsigned rl = 0;

			fill_random(key, kl, &seed);
			fill_random(data, n, &seed);
			hmac_init(&c, algs[a], key, kl);
			hmac(&c, data, n, ours);
			HMAC(md_of(algs[a]), key, (int)kl, data, n, ref, &rl);
			assert_int_equal(rl, algs[a]->digest);
			assert_memory_equal(ours, ref, rl);
		}
}

static void test_blake2b(void **state)
{
	uint8_t data[600], ours[64], ref[64], want[64];
	uint64_t seed = 7;

	(void)state;
	/* RFC 7693 Appendix A: BLAKE2b-512("abc"), first 16 bytes. */
	blake2b("abc", 3, ours, 64);
	from_hex("ba80a53f981c4d0d6a2797b69f12f6e9", want);
	assert_memory_equal(ours, want, 16);
	fill_random(data, sizeof(data), &seed);
	for (size_t n = 0; n <= sizeof(data); n += 7) {
		struct blake2b_ctx c;

		blake2b_init(&c, 64);
		blake2b_update(&c, data, n / 3);
		blake2b_update(&c, data + n / 3, n - n / 3);
		blake2b_final(&c, ours);
		EVP_Digest(data, n, ref, NULL, EVP_blake2b512(), NULL);
		assert_memory_equal(ours, ref, 64);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_lengths_vs_openssl),
		cmocka_unit_test(test_hmac_vs_openssl),
		cmocka_unit_test(test_blake2b),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
