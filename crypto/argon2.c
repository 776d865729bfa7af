/* Argon2 (RFC 9106 §3): H0, the first two blocks of each lane through H', the passes
 * filling 4 slices per lane with the compression G over BlaMka, reference blocks
 * chosen data-independently (Argon2i, and the first half pass of Argon2id) or from
 * the previous block (§3.4), and the tag from the XOR of the lanes' last blocks. */
#include "crypto/argon2.h"
#include "crypto/blake2b.h"
#include "crypto/wipe.h"
#include "lib/le.h"
#include <string.h>

#define QWORDS 128              /* a block: 1024 bytes */
#define SLICES 4
#define VERSION 0x13

struct block { uint64_t v[QWORDS]; };

const char *argon2_strerror(enum argon2_err e)
{
	switch (e) {
	case ARGON2_ERR_NONE: return "ok";
	case ARGON2_ERR_PARAMS: return "Argon2 parameters out of range";
	case ARGON2_ERR_MEMORY: return "not enough memory for the Argon2 cost";
	}
	return "unknown Argon2 error";
}

static uint32_t blocks_of(const struct argon2_params *p)
{
	return SLICES * p->lanes * (p->m_cost / (SLICES * p->lanes));
}

uint64_t argon2_memory(const struct argon2_params *p)
{
	return p->lanes ? (uint64_t)blocks_of(p) * sizeof(struct block) : 0;
}

static void put_le32(uint8_t *d, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		d[i] = (uint8_t)(v >> 8 * i);
}

static void b2_le32(struct blake2b_ctx *c, uint32_t v)
{
	uint8_t b[4];

	put_le32(b, v);
	blake2b_update(c, b, 4);
}

/* H' (§3.3): the variable-length hash built from 64-byte BLAKE2b outputs. */
static void hprime(uint8_t *out, uint32_t outlen, const uint8_t *in, size_t inlen)
{
	struct blake2b_ctx c;
	uint8_t v[64];

	blake2b_init(&c, outlen <= 64 ? outlen : 64);
	b2_le32(&c, outlen);
	blake2b_update(&c, in, inlen);
	if (outlen <= 64) {
		blake2b_final(&c, out);
		return;
	}
	blake2b_final(&c, v);
	memcpy(out, v, 32);
	out += 32, outlen -= 32;
	while (outlen > 64) {
		blake2b(v, 64, v, 64);
		memcpy(out, v, 32);
		out += 32, outlen -= 32;
	}
	blake2b(v, 64, out, outlen);
	crypto_wipe(v, sizeof(v));
}

static void h0(const struct argon2_params *p, uint32_t taglen, const uint8_t *pass, size_t plen,
	       const uint8_t *salt, size_t slen, uint8_t out[64])
{
	struct blake2b_ctx c;

	blake2b_init(&c, 64);
	b2_le32(&c, p->lanes), b2_le32(&c, taglen), b2_le32(&c, p->m_cost);
	b2_le32(&c, p->t_cost), b2_le32(&c, VERSION), b2_le32(&c, p->type);
	b2_le32(&c, (uint32_t)plen), blake2b_update(&c, pass, plen);
	b2_le32(&c, (uint32_t)slen), blake2b_update(&c, salt, slen);
	b2_le32(&c, 0), b2_le32(&c, 0);                 /* no secret K, no data X */
	blake2b_final(&c, out);
}

static uint64_t ror64(uint64_t x, unsigned n) { return x >> n | x << (64 - n); }

/* BlaMka's multiply-add (§3.6): a + b + 2 * lo32(a) * lo32(b). */
static uint64_t fbl(uint64_t a, uint64_t b)
{
	return a + b + 2 * (uint64_t)(uint32_t)a * (uint32_t)b;
}

static void gb(uint64_t *a, uint64_t *b, uint64_t *c, uint64_t *d)
{
	*a = fbl(*a, *b), *d = ror64(*d ^ *a, 32);
	*c = fbl(*c, *d), *b = ror64(*b ^ *c, 24);
	*a = fbl(*a, *b), *d = ror64(*d ^ *a, 16);
	*c = fbl(*c, *d), *b = ror64(*b ^ *c, 63);
}

/* P over sixteen words given by their indices into the block. */
static void perm(uint64_t *q, const unsigned *ix)
{
	uint64_t *v[16];

	for (unsigned i = 0; i < 16; i++)
		v[i] = &q[ix[i]];
	gb(v[0], v[4], v[8], v[12]), gb(v[1], v[5], v[9], v[13]);
	gb(v[2], v[6], v[10], v[14]), gb(v[3], v[7], v[11], v[15]);
	gb(v[0], v[5], v[10], v[15]), gb(v[1], v[6], v[11], v[12]);
	gb(v[2], v[7], v[8], v[13]), gb(v[3], v[4], v[9], v[14]);
}

/* G(X, Y) (§3.5): R = X ^ Y, P on the 8 rows then the 8 columns of 16-byte
 * registers, result Z ^ R; with xor, also ^ the old contents of out (passes > 0). */
static void compress(const struct block *x, const struct block *y, struct block *out, int xor)
{
	struct block r, q;
	unsigned ix[16];

	for (unsigned i = 0; i < QWORDS; i++)
		r.v[i] = x->v[i] ^ y->v[i];
	q = r;
	for (unsigned row = 0; row < 8; row++) {
		for (unsigned k = 0; k < 16; k++)
			ix[k] = 16 * row + k;
		perm(q.v, ix);
	}
	for (unsigned col = 0; col < 8; col++) {
		for (unsigned k = 0; k < 8; k++)
			ix[2 * k] = 2 * col + 16 * k, ix[2 * k + 1] = 2 * col + 16 * k + 1;
		perm(q.v, ix);
	}
	for (unsigned i = 0; i < QWORDS; i++)
		out->v[i] = (xor ? out->v[i] : 0) ^ q.v[i] ^ r.v[i];
}

struct fill {
	const struct argon2_params *p;
	struct block *mem;
	uint32_t q, sl;         /* blocks per lane, per segment */
	uint32_t pass, slice, lane;
};

/* §3.4.1.1-2: map J1 into the reference area of the chosen lane. */
static uint32_t ref_index(const struct fill *f, uint32_t index, uint32_t j1, int same_lane)
{
	int64_t area, adj = same_lane ? (int64_t)index - 1 : (index ? 0 : -1);
	uint64_t x, y, start = 0;

	if (f->pass == 0)
		area = f->slice == 0 ? (int64_t)index - 1 : (int64_t)f->slice * f->sl + adj;
	else
		area = (int64_t)f->q - f->sl + adj;
	if (f->pass != 0 && f->slice != SLICES - 1)
		start = (uint64_t)(f->slice + 1) * f->sl;
	x = ((uint64_t)j1 * j1) >> 32;
	y = ((uint64_t)area * x) >> 32;
	return (uint32_t)((start + (uint64_t)area - 1 - y) % f->q);
}

/* §3.4.2: the address block for data-independent indexing, counter = index/128 + 1. */
static void addresses(const struct fill *f, uint32_t counter, struct block *addr)
{
	struct block in = { { 0 } }, zero = { { 0 } }, tmp;

	in.v[0] = f->pass, in.v[1] = f->lane, in.v[2] = f->slice;
	in.v[3] = (uint64_t)f->q * f->p->lanes, in.v[4] = f->p->t_cost;
	in.v[5] = f->p->type, in.v[6] = counter;
	compress(&zero, &in, &tmp, 0);
	compress(&zero, &tmp, addr, 0);
}

static void fill_segment(const struct fill *f)
{
	int indep = f->p->type == ARGON2_I ||
		    (f->p->type == ARGON2_ID && f->pass == 0 && f->slice < 2);
	uint32_t first = (f->pass == 0 && f->slice == 0) ? 2 : 0;
	struct block addr;

	for (uint32_t i = first; i < f->sl; i++) {
		uint32_t col = f->slice * f->sl + i;
		uint64_t cur = (uint64_t)f->lane * f->q + col;
		uint64_t prev = col ? cur - 1 : cur + f->q - 1;
		uint64_t rnd;
		uint32_t lane;

		if (indep && (i % QWORDS == 0 || i == first))
			addresses(f, i / QWORDS + 1, &addr);
		rnd = indep ? addr.v[i % QWORDS] : f->mem[prev].v[0];
		lane = (f->pass == 0 && f->slice == 0) ? f->lane : (uint32_t)((rnd >> 32) % f->p->lanes);
		uint32_t ref = ref_index(f, i, (uint32_t)rnd, lane == f->lane);

		compress(&f->mem[prev], &f->mem[(uint64_t)lane * f->q + ref], &f->mem[cur], f->pass != 0);
	}
}

static void first_blocks(struct fill *f, const uint8_t hash0[64])
{
	uint8_t in[72], out[1024];

	memcpy(in, hash0, 64);
	for (uint32_t l = 0; l < f->p->lanes; l++)
		for (uint32_t j = 0; j < 2; j++) {
			put_le32(in + 64, j), put_le32(in + 68, l);
			hprime(out, sizeof(out), in, sizeof(in));
			for (unsigned k = 0; k < QWORDS; k++)
				f->mem[(uint64_t)l * f->q + j].v[k] = get_le64(out + 8 * k);
		}
	crypto_wipe(in, sizeof(in));
	crypto_wipe(out, sizeof(out));
}

static void tag(const struct fill *f, uint8_t *out, size_t outlen)
{
	struct block c = f->mem[f->q - 1];
	uint8_t bytes[1024];

	for (uint32_t l = 1; l < f->p->lanes; l++)
		for (unsigned k = 0; k < QWORDS; k++)
			c.v[k] ^= f->mem[(uint64_t)l * f->q + f->q - 1].v[k];
	for (unsigned k = 0; k < QWORDS; k++)
		for (unsigned b = 0; b < 8; b++)
			bytes[8 * k + b] = (uint8_t)(c.v[k] >> 8 * b);
	hprime(out, (uint32_t)outlen, bytes, sizeof(bytes));
	crypto_wipe(&c, sizeof(c));
	crypto_wipe(bytes, sizeof(bytes));
}

enum argon2_err argon2_derive(const struct argon2_params *p, const uint8_t *pass, size_t plen,
			    const uint8_t *salt, size_t slen, uint8_t *out, size_t outlen,
			    void *memory, uint64_t memory_len)
{
	struct fill f = { .p = p, .mem = memory };
	uint8_t hash0[64];

	if (p->t_cost < 1 || p->lanes < 1 || p->lanes > 0xffffff ||
	    p->m_cost < 8 * p->lanes || (p->type != ARGON2_I && p->type != ARGON2_ID) ||
	    outlen < 4 || outlen > 0xffffffffu)
		return ARGON2_ERR_PARAMS;
	if (memory_len < argon2_memory(p))
		return ARGON2_ERR_MEMORY;
	f.q = blocks_of(p) / p->lanes;
	f.sl = f.q / SLICES;
	h0(p, (uint32_t)outlen, pass, plen, salt, slen, hash0);
	first_blocks(&f, hash0);
	for (f.pass = 0; f.pass < p->t_cost; f.pass++)
		for (f.slice = 0; f.slice < SLICES; f.slice++)
			for (f.lane = 0; f.lane < p->lanes; f.lane++)
				fill_segment(&f);
	tag(&f, out, outlen);
	crypto_wipe(hash0, sizeof(hash0));
	crypto_wipe(memory, argon2_memory(p));
	return ARGON2_ERR_NONE;
}
