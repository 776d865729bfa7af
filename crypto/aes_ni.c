/* AES with the AES-NI instructions (Intel SDM Vol. 2, AESENC/AESDEC/AESIMC). The one
 * file of thaw built with SSE enabled; thaw itself never uses SSE registers, so
 * nothing needs saving, and boot/entry.asm sets CR4.OSFXSR so the instructions run. */
#include "crypto/aes.h"

/* GCC's builtins directly: <wmmintrin.h> pulls in <stdlib.h>, which a freestanding
 * build does not have. */
typedef long long __m128i __attribute__((vector_size(16)));

#define _mm_aesenc_si128 __builtin_ia32_aesenc128
#define _mm_aesenclast_si128 __builtin_ia32_aesenclast128
#define _mm_aesdec_si128 __builtin_ia32_aesdec128
#define _mm_aesdeclast_si128 __builtin_ia32_aesdeclast128
#define _mm_aesimc_si128 __builtin_ia32_aesimc128

static __m128i load(const uint8_t *p)
{
	__m128i v;

	__builtin_memcpy(&v, p, 16);
	return v;
}

static void store(uint8_t *p, __m128i v)
{
	__builtin_memcpy(p, &v, 16);
}

/* Leave no key or data in the vector registers (they outlive thaw: the resumed
 * kernel restores its own FPU state, but nothing promises it overwrites all of them). */
static void clear_regs(void)
{
	__asm__ __volatile__(
		"pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\tpxor %%xmm2, %%xmm2\n\t"
		"pxor %%xmm3, %%xmm3\n\tpxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
		"pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\tpxor %%xmm8, %%xmm8\n\t"
		"pxor %%xmm9, %%xmm9\n\tpxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
		"pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\tpxor %%xmm14, %%xmm14\n\t"
		"pxor %%xmm15, %%xmm15" : : : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
		"xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

/* The Equivalent Inverse Cipher's keys (FIPS-197 §5.3.5): InvMixColumns of the
 * middle round keys, in reverse order. */
void aes_ni_prepare(struct aes_ctx *c)
{
	store(c->drk[0], load(c->rk[c->rounds]));
	for (unsigned r = 1; r < c->rounds; r++)
		store(c->drk[r], _mm_aesimc_si128(load(c->rk[c->rounds - r])));
	store(c->drk[c->rounds], load(c->rk[0]));
	clear_regs();
}

/* Four blocks in flight hide the instructions' latency. */
static void crypt(const uint8_t (*k)[16], unsigned rounds, const uint8_t *in, uint8_t *out,
		  size_t blocks, int dec)
{
	size_t i = 0;

	for (; i + 4 <= blocks; i += 4) {
		__m128i x0 = load(in + 16 * i), x1 = load(in + 16 * i + 16);
		__m128i x2 = load(in + 16 * i + 32), x3 = load(in + 16 * i + 48);
		__m128i rk = load(k[0]);

		x0 ^= rk, x1 ^= rk, x2 ^= rk, x3 ^= rk;
		for (unsigned r = 1; r < rounds; r++) {
			rk = load(k[r]);
			if (dec) {
				x0 = _mm_aesdec_si128(x0, rk), x1 = _mm_aesdec_si128(x1, rk);
				x2 = _mm_aesdec_si128(x2, rk), x3 = _mm_aesdec_si128(x3, rk);
			} else {
				x0 = _mm_aesenc_si128(x0, rk), x1 = _mm_aesenc_si128(x1, rk);
				x2 = _mm_aesenc_si128(x2, rk), x3 = _mm_aesenc_si128(x3, rk);
			}
		}
		rk = load(k[rounds]);
		if (dec) {
			x0 = _mm_aesdeclast_si128(x0, rk), x1 = _mm_aesdeclast_si128(x1, rk);
			x2 = _mm_aesdeclast_si128(x2, rk), x3 = _mm_aesdeclast_si128(x3, rk);
		} else {
			x0 = _mm_aesenclast_si128(x0, rk), x1 = _mm_aesenclast_si128(x1, rk);
			x2 = _mm_aesenclast_si128(x2, rk), x3 = _mm_aesenclast_si128(x3, rk);
		}
		store(out + 16 * i, x0), store(out + 16 * i + 16, x1);
		store(out + 16 * i + 32, x2), store(out + 16 * i + 48, x3);
	}
	for (; i < blocks; i++) {
		__m128i x = load(in + 16 * i) ^ load(k[0]);

		for (unsigned r = 1; r < rounds; r++)
			x = dec ? _mm_aesdec_si128(x, load(k[r])) : _mm_aesenc_si128(x, load(k[r]));
		x = dec ? _mm_aesdeclast_si128(x, load(k[rounds]))
			: _mm_aesenclast_si128(x, load(k[rounds]));
		store(out + 16 * i, x);
	}
	clear_regs();
}

void aes_ni_encrypt(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks)
{
	crypt(c->rk, c->rounds, in, out, blocks, 0);
}

void aes_ni_decrypt(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks)
{
	crypt(c->drk, c->rounds, in, out, blocks, 1);
}
