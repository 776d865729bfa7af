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

/* The S-box's inversion in GF(2^8) is done in the isomorphic tower field
 * GF((2^4)^2): GF(16) = GF(2)[x]/(x^4 + x + 1) and GF(256) = GF(16)[y]/(y^2 + y + x^3)
 * (Satoh et al., "A Compact Rijndael Hardware Architecture with S-Box Optimization",
 * ASIACRYPT 2001, use the same construction). An element is h*y + l; its inverse is
 * (h*d^-1)*y + (h + l)*d^-1 with d = x^3*h^2 + h*l + l^2, so one inversion costs five
 * GF(16) products, not the four GF(256) products of x^254. The basis changes were
 * derived by mapping x to 0x5c and y to 0xa2 in FIPS-197's field (0x5c^4 + 0x5c + 1 = 0,
 * 0xa2^2 + 0xa2 = x^3 there); the AES known-answer tests check every S-box entry. */

typedef uint64_t nibble[4];     /* bit planes of one GF(16) element per byte lane */

/* r = a * b in GF(16): schoolbook, then x^4 = x + 1, x^5 = x^2 + x, x^6 = x^3 + x^2. */
static void g16_mul(nibble r, const nibble a, const nibble b)
{
	uint64_t c0 = a[0] & b[0];
	uint64_t c1 = (a[0] & b[1]) ^ (a[1] & b[0]);
	uint64_t c2 = (a[0] & b[2]) ^ (a[1] & b[1]) ^ (a[2] & b[0]);
	uint64_t c3 = (a[0] & b[3]) ^ (a[1] & b[2]) ^ (a[2] & b[1]) ^ (a[3] & b[0]);
	uint64_t c4 = (a[1] & b[3]) ^ (a[2] & b[2]) ^ (a[3] & b[1]);
	uint64_t c5 = (a[2] & b[3]) ^ (a[3] & b[2]);
	uint64_t c6 = a[3] & b[3];

	r[0] = c0 ^ c4;
	r[1] = c1 ^ c4 ^ c5;
	r[2] = c2 ^ c5 ^ c6;
	r[3] = c3 ^ c6;
}

/* r = a^2 in GF(16): a0 + a1 x^2 + a2 x^4 + a3 x^6, reduced. */
static void g16_sq(nibble r, const nibble a)
{
	uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];

	r[0] = a0 ^ a2, r[1] = a2, r[2] = a1 ^ a3, r[3] = a3;
}

/* a^-1 = a^14 (0 stays 0): a^2, a^3, a^6, a^12, a^14. */
static void g16_inv(nibble r, const nibble a)
{
	nibble a2, t, a12;

	g16_sq(a2, a);
	g16_mul(t, a2, a);
	g16_sq(t, t);
	g16_sq(a12, t);
	g16_mul(r, a12, a2);
}

/* In place on t[0..3] = l, t[4..7] = h: the inverse in the tower field. */
static void tower_inv(uint64_t t[8])
{
	nibble h = { t[4], t[5], t[6], t[7] }, l = { t[0], t[1], t[2], t[3] };
	nibble s, d, hl, di;

	g16_sq(s, h);                            /* x^3 * h^2 */
	d[0] = s[1], d[1] = s[1] ^ s[2], d[2] = s[2] ^ s[3], d[3] = s[0] ^ s[3];
	g16_mul(hl, h, l);
	g16_sq(s, l);
	#pragma GCC unroll 4
	for (unsigned i = 0; i < 4; i++)
		d[i] ^= hl[i] ^ s[i];
	g16_inv(di, d);
	g16_mul(t + 4, h, di);
	#pragma GCC unroll 4
	for (unsigned i = 0; i < 4; i++)
		s[i] = h[i] ^ l[i];
	g16_mul(t, s, di);
}

/* SubBytes: to the tower basis, invert, then back to FIPS-197's basis fused with the
 * affine map (eq. 5.1) and its constant 0x63. */
static void sub_bytes(planes q)
{
	uint64_t t[8];

	t[0] = q[0] ^ q[5] ^ q[7];
	t[1] = q[2];
	t[2] = q[2] ^ q[3] ^ q[4] ^ q[5] ^ q[6] ^ q[7];
	t[3] = q[3] ^ q[4];
	t[4] = q[4] ^ q[5] ^ q[6];
	t[5] = q[1] ^ q[4] ^ q[6] ^ q[7];
	t[6] = q[2] ^ q[3] ^ q[5] ^ q[7];
	t[7] = q[5] ^ q[7];
	tower_inv(t);
	q[0] = ~(t[0] ^ t[2] ^ t[6]);
	q[1] = ~(t[0] ^ t[1] ^ t[2] ^ t[3] ^ t[4] ^ t[5]);
	q[2] = t[0] ^ t[3] ^ t[5] ^ t[6];
	q[3] = t[0] ^ t[2] ^ t[5];
	q[4] = t[0] ^ t[1] ^ t[3] ^ t[4] ^ t[5];
	q[5] = ~(t[1] ^ t[2] ^ t[3] ^ t[5] ^ t[6] ^ t[7]);
	q[6] = ~(t[4] ^ t[6] ^ t[7]);
	q[7] = t[1] ^ t[2];
}

/* InvSubBytes: the inverse affine map (constant 0x05) fused with the change to the
 * tower basis (the constant becomes 0x47 there), invert, back to FIPS-197's basis. */
static void inv_sub_bytes(planes q)
{
	uint64_t t[8];

	t[0] = ~(q[1] ^ q[5] ^ q[6]);
	t[1] = ~(q[1] ^ q[4] ^ q[7]);
	t[2] = ~(q[1] ^ q[4]);
	t[3] = q[0] ^ q[1] ^ q[2] ^ q[3] ^ q[5] ^ q[6];
	t[4] = q[0] ^ q[1] ^ q[2] ^ q[4] ^ q[5] ^ q[6] ^ q[7];
	t[5] = q[3] ^ q[4] ^ q[5] ^ q[6];
	t[6] = ~(q[0] ^ q[4] ^ q[5] ^ q[6]);
	t[7] = q[1] ^ q[2] ^ q[6] ^ q[7];
	tower_inv(t);
	q[0] = t[0] ^ t[7];
	q[1] = t[4] ^ t[5] ^ t[7];
	q[2] = t[1];
	q[3] = t[1] ^ t[6] ^ t[7];
	q[4] = t[1] ^ t[3] ^ t[6] ^ t[7];
	q[5] = t[2] ^ t[4] ^ t[6];
	q[6] = t[1] ^ t[2] ^ t[3] ^ t[7];
	q[7] = t[2] ^ t[4] ^ t[6] ^ t[7];
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
