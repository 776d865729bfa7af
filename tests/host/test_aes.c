/* crypto/aes*.c, xts.c, cbc_essiv.c: FIPS-197 Appendix C and IEEE 1619 vectors, then
 * random keys and data against OpenSSL (EVP aes-*-ecb, aes-*-xts, aes-*-cbc), for the
 * constant-time software path and (when the CPU has it) AES-NI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include "crypto/aes.h"
#include "crypto/sector_cipher.h"
#include "crypto/hash.h"
#include "tests/host/crypto_oracle.h"

static enum aes_impl impls[2] = { AES_IMPL_SOFT, AES_IMPL_NI };

static unsigned n_impls(void)
{
	return aes_ni_available() ? 2 : 1;
}

static void test_fips197(void **state)
{
	static const char *const keys[3] = {
		"000102030405060708090a0b0c0d0e0f",
		"000102030405060708090a0b0c0d0e0f1011121314151617",
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	};
	static const char *const cts[3] = {
		"69c4e0d86a7b0430d8cdb78070b4c55a",
		"dda97ca4864cdfe06eaf70a0ec0d7191",
		"8ea2b7ca516745bfeafc49904b496089",
	};
	(void)state;
	for (unsigned m = 0; m < n_impls(); m++)
		for (unsigned i = 0; i < 3; i++) {
			uint8_t key[32], pt[16], ct[16], out[16];
			struct aes_ctx c;
			size_t kl = from_hex(keys[i], key);

			from_hex("00112233445566778899aabbccddeeff", pt);
			from_hex(cts[i], ct);
			assert_true(aes_setkey(&c, key, kl, impls[m]));
			aes_encrypt(&c, pt, out, 1);
			assert_memory_equal(out, ct, 16);
			aes_decrypt(&c, ct, out, 1);
			assert_memory_equal(out, pt, 16);
		}
}

static const EVP_CIPHER *ecb(size_t kl)
{
	return kl == 16 ? EVP_aes_128_ecb() : kl == 24 ? EVP_aes_192_ecb() : EVP_aes_256_ecb();
}

static void openssl(const EVP_CIPHER *ciph, const uint8_t *key, const uint8_t *iv, int enc,
		    const uint8_t *in, uint8_t *out, int len)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int n = 0;

	assert_int_equal(EVP_CipherInit_ex(x, ciph, NULL, key, iv, enc), 1);
	EVP_CIPHER_CTX_set_padding(x, 0);
	assert_int_equal(EVP_CipherUpdate(x, out, &n, in, len), 1);
	assert_int_equal(n, len);
	EVP_CIPHER_CTX_free(x);
}

/* 1..37 blocks so both the 4-block and the single-block paths run. */
static void test_ecb_vs_openssl(void **state)
{
	uint64_t seed = 1;
	(void)state;
	for (unsigned m = 0; m < n_impls(); m++)
		for (unsigned round = 0; round < 300; round++) {
			size_t kl = 16 + 8 * (round % 3), blocks = 1 + round % 37;
			uint8_t key[32], in[37 * 16], ours[37 * 16], ref[37 * 16];
			struct aes_ctx c;

			fill_random(key, kl, &seed);
			fill_random(in, 16 * blocks, &seed);
			assert_true(aes_setkey(&c, key, kl, impls[m]));
			aes_encrypt(&c, in, ours, blocks);
			openssl(ecb(kl), key, NULL, 1, in, ref, (int)(16 * blocks));
			assert_memory_equal(ours, ref, 16 * blocks);
			aes_decrypt(&c, in, ours, blocks);
			openssl(ecb(kl), key, NULL, 0, in, ref, (int)(16 * blocks));
			assert_memory_equal(ours, ref, 16 * blocks);
		}
}

static void test_bad_key_length(void **state)
{
	struct aes_ctx c;
	uint8_t key[33] = { 0 };

	(void)state;
	assert_false(aes_setkey(&c, key, 15, AES_IMPL_SOFT));
	assert_false(aes_setkey(&c, key, 33, AES_IMPL_SOFT));
}

static void plain64(uint64_t sector, uint8_t iv[16])
{
	memset(iv, 0, 16);
	for (unsigned i = 0; i < 8; i++)
		iv[i] = (uint8_t)(sector >> 8 * i);
}

/* Random sectors of 512 and 4096 bytes, AES-128 and AES-256, vs OpenSSL. */
static void test_xts(void **state)
{
	uint64_t seed = 2;
	(void)state;
	for (unsigned m = 0; m < n_impls(); m++)
		for (unsigned round = 0; round < 60; round++) {
			size_t kl = round % 2 ? 64 : 32, len = round % 3 ? 512 : 4096;
			uint64_t sector;
			uint8_t key[64], iv[16], *pt = malloc(len), *buf = malloc(len), *ref = malloc(len);
			struct sector_cipher c;

			fill_random(key, kl, &seed);
			fill_random((uint8_t *)&sector, 8, &seed);
			fill_random(pt, len, &seed);
			plain64(sector, iv);
			assert_true(sector_cipher_setkey(&c, SECTOR_XTS_PLAIN64, key, kl, impls[m]));
			memcpy(buf, pt, len);
			sector_encrypt(&c, sector, buf, len);
			openssl(kl == 32 ? EVP_aes_128_xts() : EVP_aes_256_xts(), key, iv, 1, pt, ref, (int)len);
			assert_memory_equal(buf, ref, len);
			sector_decrypt(&c, sector, buf, len);
			assert_memory_equal(buf, pt, len);
			free(pt), free(buf), free(ref);
		}
}

/* IEEE 1619-2007 Annex B vector 10 (XTS-AES-256, data unit 0xff, 512 bytes 00..ff
 * twice): the first ciphertext block. */
static void test_xts_ieee1619(void **state)
{
	uint8_t key[64], buf[512], want_head[16];
	struct sector_cipher c;

	(void)state;
	from_hex("2718281828459045235360287471352662497757247093699959574966967627"
		 "3141592653589793238462643383279502884197169399375105820974944592", key);
	for (unsigned i = 0; i < 512; i++)
		buf[i] = (uint8_t)i;
	from_hex("1c3b3a102f770386e4836c99e370cf9b", want_head);
	for (unsigned m = 0; m < n_impls(); m++) {
		uint8_t b[512];

		memcpy(b, buf, 512);
		assert_true(sector_cipher_setkey(&c, SECTOR_XTS_PLAIN64, key, 64, impls[m]));
		sector_encrypt(&c, 0xff, b, 512);
		assert_memory_equal(b, want_head, 16);
	}
}

/* ESSIV: the IV is AES-256(SHA-256(key)) of the LE64 sector, then plain CBC. */
static void test_cbc_essiv(void **state)
{
	uint64_t seed = 3;
	(void)state;
	for (unsigned m = 0; m < n_impls(); m++)
		for (unsigned round = 0; round < 60; round++) {
			size_t kl = round % 2 ? 32 : 16, len = round % 3 ? 512 : 4096;
			uint64_t sector;
			uint8_t key[32], salt[32], iv[16], *pt = malloc(len), *buf = malloc(len),
				*ref = malloc(len);
			struct sector_cipher c;

			fill_random(key, kl, &seed);
			fill_random((uint8_t *)&sector, 8, &seed);
			fill_random(pt, len, &seed);
			EVP_Digest(key, kl, salt, NULL, EVP_sha256(), NULL);
			plain64(sector, iv);
			openssl(EVP_aes_256_ecb(), salt, NULL, 1, iv, iv, 16);
			assert_true(sector_cipher_setkey(&c, SECTOR_CBC_ESSIV_SHA256, key, kl, impls[m]));
			memcpy(buf, pt, len);
			sector_encrypt(&c, sector, buf, len);
			openssl(kl == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc(), key, iv, 1, pt, ref, (int)len);
			assert_memory_equal(buf, ref, len);
			sector_decrypt(&c, sector, buf, len);
			assert_memory_equal(buf, pt, len);
			free(pt), free(buf), free(ref);
		}
}

static void test_mode_parse(void **state)
{
	(void)state;
	assert_int_equal(sector_mode_parse("aes-xts-plain64"), SECTOR_XTS_PLAIN64);
	assert_int_equal(sector_mode_parse("aes-cbc-essiv:sha256"), SECTOR_CBC_ESSIV_SHA256);
	assert_int_equal(sector_mode_parse("aes-xts-plain"), 0);
	assert_int_equal(sector_mode_parse("serpent-xts-plain64"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips197),
		cmocka_unit_test(test_ecb_vs_openssl),
		cmocka_unit_test(test_bad_key_length),
		cmocka_unit_test(test_xts),
		cmocka_unit_test(test_xts_ieee1619),
		cmocka_unit_test(test_cbc_essiv),
		cmocka_unit_test(test_mode_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
