/* Constant-time software AES: four blocks at a time in eight 64-bit bit planes, the
 * S-box computed as inversion in GF(2^8) plus the affine map (FIPS-197 §5.1.1), so no
 * memory access and no branch ever depends on a key or data bit.
 *
 * Layout: plane b holds bit b of every byte; byte k of block j (FIPS-197 §3.4: row
 * k % 4, column k / 4) sits at bit 4k + j. A column is then one 16-bit group and a row
 * one nibble per group, so ShiftRows and the column rotations are shifts and masks. */
#include "crypto/aes.h"
#include "crypto/wipe.h"
#include <string.h>

/* The fixed-count loops below are unrolled (#pragma GCC unroll) so the bit planes
 * stay in registers; that is where the time goes. */

typedef uint64_t planes[8];

static void pack(const uint8_t *in, size_t n, planes q)
{
	memset(q, 0, sizeof(planes));
	for (size_t j = 0; j < n; j++)
		#pragma GCC unroll 16
		for (unsigned k = 0; k < 16; k++)
			#pragma GCC unroll 16
			for (unsigned b = 0; b < 8; b++)
				q[b] |= (uint64_t)((in[16 * j + k] >> b) & 1) << (4 * k + j);
}

static void unpack(const planes q, size_t n, uint8_t *out)
{
	for (size_t j = 0; j < n; j++)
		#pragma GCC unroll 16
		for (unsigned k = 0; k < 16; k++) {
			unsigned v = 0;

			#pragma GCC unroll 16
			for (unsigned b = 0; b < 8; b++)
				v |= (unsigned)((q[b] >> (4 * k + j)) & 1) << b;
			out[16 * j + k] = (uint8_t)v;
		}
}

/* r = a * b in GF(2^8) mod x^8 + x^4 + x^3 + x + 1 (FIPS-197 §4.2), bit-parallel. */
static void gf_mul(planes r, const planes a, const planes b)
{
	uint64_t c[15] = { 0 };

	#pragma GCC unroll 16
	for (unsigned i = 0; i < 8; i++)
		#pragma GCC unroll 16
		for (unsigned j = 0; j < 8; j++)
			c[i + j] ^= a[i] & b[j];
	#pragma GCC unroll 16
	for (unsigned k = 14; k >= 8; k--) {      /* x^8 = x^4 + x^3 + x + 1 */
		c[k - 4] ^= c[k], c[k - 5] ^= c[k], c[k - 7] ^= c[k], c[k - 8] ^= c[k];
	}
	memcpy(r, c, sizeof(planes));
}

static void gf_sq(planes r, const planes a)
{
	uint64_t c[15] = { 0 };

	#pragma GCC unroll 16
	for (unsigned i = 0; i < 8; i++)
		c[2 * i] = a[i];
	#pragma GCC unroll 16
	for (unsigned k = 14; k >= 8; k--) {
		c[k - 4] ^= c[k], c[k - 5] ^= c[k], c[k - 7] ^= c[k], c[k - 8] ^= c[k];
	}
	memcpy(r, c, sizeof(planes));
}

/* x^254 = x^-1 (and 0 -> 0): x^2, x^3, x^6, x^12, x^15, x^240, x^252, x^254. */
static void gf_inv(planes x)
{
	planes x2, x3, x12, t;

	gf_sq(x2, x);
	gf_mul(x3, x2, x);
	gf_sq(t, x3);
	gf_sq(x12, t);
	gf_mul(t, x12, x3);
	#pragma GCC unroll 16
	for (unsigned i = 0; i < 4; i++)
		gf_sq(t, t);
	gf_mul(t, t, x12);
	gf_mul(x, t, x2);
}

static void sub_bytes(planes q)
{
	planes b;

	gf_inv(q);
	memcpy(b, q, sizeof(b));
	#pragma GCC unroll 16
	for (unsigned i = 0; i < 8; i++)     /* FIPS-197 eq. 5.1, c = 0x63 */
		q[i] = b[i] ^ b[(i + 4) & 7] ^ b[(i + 5) & 7] ^ b[(i + 6) & 7] ^ b[(i + 7) & 7];
	q[0] = ~q[0], q[1] = ~q[1], q[5] = ~q[5], q[6] = ~q[6];
}

static void inv_sub_bytes(planes q)
{
	planes s;

	memcpy(s, q, sizeof(s));
	#pragma GCC unroll 16
	for (unsigned i = 0; i < 8; i++)     /* the inverse affine map, d = 0x05 */
		q[i] = s[(i + 2) & 7] ^ s[(i + 5) & 7] ^ s[(i + 7) & 7];
	q[0] = ~q[0], q[2] = ~q[2];
	gf_inv(q);
}

#define ROW0 0x000f000f000f000fULL

static uint64_t rotr64(uint64_t x, unsigned n) { return n ? x >> n | x << (64 - n) : x; }
static uint64_t rotl64(uint64_t x, unsigned n) { return n ? x << n | x >> (64 - n) : x; }

/* Row r moves r columns left: column c takes column c + r (FIPS-197 §5.1.2). */
static void shift_rows(planes q, bool inverse)
{
	#pragma GCC unroll 16
	for (unsigned b = 0; b < 8; b++) {
		uint64_t x = q[b], y = x & ROW0;

		#pragma GCC unroll 16
		for (unsigned r = 1; r < 4; r++) {
			uint64_t row = x & (ROW0 << 4 * r);

			y |= inverse ? rotl64(row, 16 * r) : rotr64(row, 16 * r);
		}
		q[b] = y;
	}
}

/* Within every column, row r takes row r + n (mod 4). */
static uint64_t rot_rows(uint64_t x, unsigned n)
{
	unsigned s = 4 * n;
	uint64_t lo = 0xffffULL >> s, hi = 0xffffULL ^ lo;

	lo *= 0x0001000100010001ULL, hi *= 0x0001000100010001ULL;
	return ((x >> s) & lo) | ((x << (16 - s)) & hi);
}

static void xtime(planes r, const planes t)        /* multiply by x: 0x1b reduction */
{
	uint64_t h = t[7];

	r[7] = t[6], r[6] = t[5], r[5] = t[4], r[4] = t[3] ^ h;
	r[3] = t[2] ^ h, r[2] = t[1], r[1] = t[0] ^ h, r[0] = h;
}

/* s'_r = 2 s_r + 3 s_{r+1} + s_{r+2} + s_{r+3} (FIPS-197 §5.1.3). */
static void mix_columns(planes q)
{
	planes t, x;

	#pragma GCC unroll 16
	for (unsigned b = 0; b < 8; b++)
		t[b] = q[b] ^ rot_rows(q[b], 1);
	xtime(x, t);
	#pragma GCC unroll 16
	for (unsigned b = 0; b < 8; b++)
		q[b] = x[b] ^ rot_rows(q[b], 1) ^ rot_rows(q[b], 2) ^ rot_rows(q[b], 3);
}

/* InvMixColumns = MixColumns after adding 4(s_r + s_{r+2}) to each s_r (the
 * factorisation of the inverse polynomial in the Rijndael design, {0b}x^3... =
 * ({03}x^3 + {01}x^2 + {01}x + {02}) * ({04}x^2 + {05})). */
static void inv_mix_columns(planes q)
{
	planes t, x;

	#pragma GCC unroll 16
	for (unsigned b = 0; b < 8; b++)
		t[b] = q[b] ^ rot_rows(q[b], 2);
	xtime(x, t);
	xtime(t, x);
	#pragma GCC unroll 16
	for (unsigned b = 0; b < 8; b++)
		q[b] ^= t[b];
	mix_columns(q);
}

static void add_round_key(planes q, const uint64_t *k)
{
	#pragma GCC unroll 16
	for (unsigned b = 0; b < 8; b++)
		q[b] ^= k[b];
}

void aes_ct_subword(uint8_t w[4])
{
	planes q;
	uint8_t blk[16] = { w[0], w[1], w[2], w[3] };

	pack(blk, 1, q);
	sub_bytes(q);
	unpack(q, 1, blk);
	memcpy(w, blk, 4);
	crypto_wipe(q, sizeof(q));
	crypto_wipe(blk, sizeof(blk));
}

/* Spread each round key into the planes, the same for all four block lanes. */
void aes_ct_prepare(struct aes_ctx *c)
{
	#pragma GCC unroll 16
	for (unsigned r = 0; r <= c->rounds; r++)
		#pragma GCC unroll 16
		for (unsigned b = 0; b < 8; b++) {
			uint64_t p = 0;

			#pragma GCC unroll 16
			for (unsigned k = 0; k < 16; k++) {
				uint64_t bit = (c->rk[r][k] >> b) & 1;

				p |= (0 - bit) & (0xfULL << 4 * k);
			}
			c->bs[r][b] = p;
		}
}

static void encrypt4(const struct aes_ctx *c, planes q)
{
	add_round_key(q, c->bs[0]);
	#pragma GCC unroll 16
	for (unsigned r = 1; r < c->rounds; r++) {
		sub_bytes(q);
		shift_rows(q, false);
		mix_columns(q);
		add_round_key(q, c->bs[r]);
	}
	sub_bytes(q);
	shift_rows(q, false);
	add_round_key(q, c->bs[c->rounds]);
}

static void decrypt4(const struct aes_ctx *c, planes q)
{
	add_round_key(q, c->bs[c->rounds]);
	#pragma GCC unroll 16
	for (unsigned r = c->rounds - 1; r > 0; r--) {
		shift_rows(q, true);
		inv_sub_bytes(q);
		add_round_key(q, c->bs[r]);
		inv_mix_columns(q);
	}
	shift_rows(q, true);
	inv_sub_bytes(q);
	add_round_key(q, c->bs[0]);
}

static void run(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks,
		void (*fn)(const struct aes_ctx *, planes))
{
	planes q;

	while (blocks) {
		size_t n = blocks < 4 ? blocks : 4;

		pack(in, n, q);
		fn(c, q);
		unpack(q, n, out);
		in += 16 * n, out += 16 * n, blocks -= n;
	}
	crypto_wipe(q, sizeof(q));
}

void aes_ct_encrypt(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks)
{
	run(c, in, out, blocks, encrypt4);
}

void aes_ct_decrypt(const struct aes_ctx *c, const uint8_t *in, uint8_t *out, size_t blocks)
{
	run(c, in, out, blocks, decrypt4);
}
