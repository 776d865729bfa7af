/* Fuzz target: kernel/aml_s5.c's \_S5_ search over arbitrary DSDT bytes.
 * Input: byte 0 chooses the encoding of a planted definition (root prefix or not, the
 * PkgLength width, each integer as ZeroOp, OneOp, BytePrefix or WordPrefix), bytes 1-2
 * its values, bytes 3-4 its offset; the rest is surrounding AML noise.
 * Oracles: (1) the raw input: no out-of-bounds access or UB (ASan/UBSan; the input is
 * copied into a buffer of exactly its size) and a reported result is backed by a
 * "_S5_" name in it; (2) the noise with every '_' removed holds no definition, so the
 * search must fail; (3) the same noise with `Name(_S5_, Package(){a, b})` planted in it
 * must yield exactly the planted a and b, whatever follows the definition. */
#define _GNU_SOURCE     /* memmem */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/aml_s5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PLANT_MAX 32

static bool search(const uint8_t *src, size_t n, uint8_t *a, uint8_t *b)
{
	uint8_t *buf = malloc(n ? n : 1);
	bool found;

	if (!buf)
		abort();
	memcpy(buf, src, n);
	found = aml_find_s5(buf, n, a, b);
	free(buf);
	return found;
}

/* One integer data object (ACPI 6.4 §20.2.3) holding v; returns its length. */
static size_t put_int(uint8_t *p, unsigned form, uint8_t v, uint8_t *value)
{
	switch (form) {
	case 0:  p[0] = 0x00; *value = 0; return 1;               /* ZeroOp */
	case 1:  p[0] = 0x01; *value = 1; return 1;               /* OneOp */
	case 2:  p[0] = 0x0A; p[1] = v; *value = v; return 2;      /* BytePrefix */
	default: p[0] = 0x0B; p[1] = v; p[2] = 0; *value = v; return 3;  /* WordPrefix */
	}
}

/* Name(_S5_, Package(){a, b}) as a compiler emits it; returns its length. */
static size_t plant(uint8_t *p, uint8_t how, uint8_t va, uint8_t vb, uint8_t *a, uint8_t *b)
{
	size_t n = 0, extra = (how >> 1) & 3, body;
	uint8_t ints[6];
	size_t ni = put_int(ints, (how >> 3) & 3, va, a);

	ni += put_int(ints + ni, (how >> 5) & 3, vb, b);
	p[n++] = 0x08;                          /* NameOp */
	if (how & 1)
		p[n++] = '\\';                  /* RootChar */
	memcpy(p + n, "_S5_", 4);
	n += 4;
	p[n++] = 0x12;                          /* PackageOp */
	body = 1 + extra + 1 + ni;              /* PkgLength counts itself */
	p[n++] = (uint8_t)(extra << 6 | (extra ? (body & 0x0f) : (body & 0x3f)));
	for (size_t i = 0; i < extra; i++)
		p[n++] = (uint8_t)(i == 0 ? body >> 4 : 0);
	p[n++] = 2;                             /* NumElements */
	memcpy(p + n, ints, ni);
	return n + ni;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t a = 0, b = 0, pa, pb, *buf;
	size_t noise, at, n;

	if (search(data, size, &a, &b) && (size < 4 || !memmem(data, size, "_S5_", 4)))
		abort();
	if (size < 5)
		return 0;
	noise = size - 5;
	buf = malloc(noise + PLANT_MAX);
	if (!buf)
		abort();
	memcpy(buf, data + 5, noise);
	for (size_t i = 0; i < noise; i++)
		if (buf[i] == '_')
			buf[i] = ' ';
	if (search(buf, noise, &a, &b))
		abort();
	at = noise ? ((size_t)data[3] | (size_t)data[4] << 8) % (noise + 1) : 0;
	memmove(buf + at + PLANT_MAX, buf + at, noise - at);
	n = plant(buf + at, data[0], data[1], data[2], &pa, &pb);
	memmove(buf + at + n, buf + at + PLANT_MAX, noise - at);
	if (!search(buf, noise + n, &a, &b) || a != pa || b != pb)
		abort();
	free(buf);
	return 0;
}
