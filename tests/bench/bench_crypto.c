/* bench_crypto: thaw's crypto/ next to the libraries cryptsetup uses, on this host, in
 * one run (not a test): AES-256-XTS sector decryption (constant-time software, AES-NI,
 * OpenSSL), PBKDF2-HMAC-SHA256 (thaw, OpenSSL) and Argon2id (thaw, libargon2 with one
 * lane-thread, as thaw runs it). Prints one line per measurement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <argon2.h>
#include <openssl/evp.h>
#include "crypto/argon2.h"
#include "crypto/hmac.h"
#include "crypto/sector_cipher.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define BUF (4u << 20)

static void xts_thaw(enum aes_impl impl, const char *name, uint8_t *buf)
{
	uint8_t key[64] = { 1, 2, 3 };
	struct sector_cipher c;
	double t0 = now(), t;
	size_t total = 0;

	sector_cipher_setkey(&c, SECTOR_XTS_PLAIN64, key, 64, impl);
	do {
		for (size_t i = 0; i < BUF; i += 512)
			sector_decrypt(&c, i / 512, buf + i, 512);
		total += BUF;
	} while ((t = now() - t0) < 1.0);
	printf("aes-256-xts decrypt, 512-byte sectors, thaw %-22s %8.1f MiB/s\n", name,
	       (double)total / t / (1 << 20));
}

static void xts_openssl(uint8_t *buf)
{
	uint8_t key[64] = { 1, 2, 3 }, iv[16] = { 0 };
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	double t0 = now(), t;
	size_t total = 0;
	int n;

	do {
		for (size_t i = 0; i < BUF; i += 512) {
			uint64_t s = i / 512;

			memcpy(iv, &s, 8);
			EVP_DecryptInit_ex(x, EVP_aes_256_xts(), NULL, key, iv);
			EVP_DecryptUpdate(x, buf + i, &n, buf + i, 512);
		}
		total += BUF;
	} while ((t = now() - t0) < 1.0);
	EVP_CIPHER_CTX_free(x);
	printf("aes-256-xts decrypt, 512-byte sectors, OpenSSL                %8.1f MiB/s\n",
	       (double)total / t / (1 << 20));
}

static void pbkdf2_both(void)
{
	uint8_t out[32];
	const uint32_t iters = 200000;
	double t0 = now(), a, b;

	pbkdf2(&hash_sha256, (const uint8_t *)"pw", 2, (const uint8_t *)"salt", 4, iters, out, 32);
	a = now() - t0;
	t0 = now();
	PKCS5_PBKDF2_HMAC("pw", 2, (const uint8_t *)"salt", 4, iters, EVP_sha256(), 32, out);
	b = now() - t0;
	printf("pbkdf2-sha256: thaw %.0f, OpenSSL %.0f iterations/s\n", iters / a, iters / b);
}

static void argon2_both(void)
{
	struct argon2_params p = { .type = ARGON2_ID, .t_cost = 4, .m_cost = 65536, .lanes = 1 };
	uint64_t need = argon2_memory(&p);
	void *mem = malloc(need);
	uint8_t out[64];
	double t0 = now(), a, b;

	argon2_derive(&p, (const uint8_t *)"pw", 2, (const uint8_t *)"saltsalt", 8, out, 64, mem, need);
	a = now() - t0;
	t0 = now();
	argon2id_hash_raw(4, 65536, 1, "pw", 2, "saltsalt", 8, out, 64);
	b = now() - t0;
	printf("argon2id t=4 m=64 MiB p=1: thaw %.0f ms, libargon2 %.0f ms\n", a * 1e3, b * 1e3);
	free(mem);
}

int main(void)
{
	uint8_t *buf = calloc(1, BUF);

	xts_thaw(AES_IMPL_SOFT, "(constant-time soft)", buf);
	if (aes_ni_available())
		xts_thaw(AES_IMPL_NI, "(AES-NI)", buf);
	xts_openssl(buf);
	pbkdf2_both();
	argon2_both();
	free(buf);
	return 0;
}
