/* Fuzz target: resume/e820.c, Linux's e820 sanitising and the EFI conversions.
 * Input: up to E820_MAX records of 20 bytes {u64 addr, u64 size, u32 type} (type
 * reduced to a few values so ranges overlap and touch often).
 * Oracle: no out-of-bounds access or UB (ASan/UBSan); the output is sorted, has no
 * empty, overlapping or mergeable-touching entries; at every input boundary the
 * output's type is the highest type of the usable inputs covering it (0 = none); the
 * checksum is zlib's CRC-32 of the u32 count and the packed entries (Linux
 * compute_e820_crc32()); the EFI converters never exceed their capacity. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "resume/e820.h"
#include "fuzz_oracle.h"

/* zlib's crc32_z, the oracle; <zlib.h> itself would clash with thaw's crc32(). */
unsigned long crc32_z(unsigned long crc, const unsigned char *buf, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t types[8] = { 1, 2, 3, 4, 5, 12, 20, 0xefffffff };

FUZZ_ORACLE static int usable(const struct e820_entry *e)
{
	return e->size && e->addr + e->size > e->addr;
}

FUZZ_ORACLE static uint32_t type_in(const struct e820_entry *m, size_t n, uint64_t at, int want_max)
{
	uint32_t t = 0;

	for (size_t i = 0; i < n; i++) {
		if (!usable(&m[i]) || at < m[i].addr || at - m[i].addr >= m[i].size)
			continue;
		if (!want_max)
			return m[i].type;
		if (m[i].type > t)
			t = m[i].type;
	}
	return t;
}

static void check(const struct e820_entry *in, size_t n, const struct e820_entry *out, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		if (!out[i].size || out[i].addr + out[i].size < out[i].addr)
			abort();
		if (i && out[i - 1].addr + out[i - 1].size > out[i].addr)
			abort();
		if (i && out[i - 1].addr + out[i - 1].size == out[i].addr &&
		    out[i - 1].type == out[i].type && out[i].type != 12 &&
		    out[i].type != 0xefffffff)
			abort();
	}
	for (size_t i = 0; i < n; i++) {
		if (!usable(&in[i]))
			continue;
		uint64_t pts[3] = { in[i].addr, in[i].addr + in[i].size - 1,
				    in[i].addr + in[i].size / 2 };
		for (int p = 0; p < 3; p++)
			if (type_in(out, k, pts[p], 0) != type_in(in, n, pts[p], 1))
				abort();
	}
}

/* The oracle: zlib over the table as Linux lays it out in memory. */
FUZZ_ORACLE static uint32_t table_crc(const struct e820_entry *m, size_t n)
{
	uint32_t count = (uint32_t)n;
	unsigned long crc = crc32_z(0, (const unsigned char *)&count, sizeof(count));

	return (uint32_t)crc32_z(crc, (const unsigned char *)m, n * sizeof(*m));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct e820_entry in[E820_MAX], out[2 * E820_MAX + 1], raw[E820_MAX];
	static struct e820_efi_desc efi[E820_MAX];
	size_t n = size / 20, k;

	if (n > E820_MAX)
		n = E820_MAX;
	for (size_t i = 0; i < n; i++) {
		memcpy(&in[i], data + 20 * i, 20);
		in[i].type = types[in[i].type & 7];
		efi[i].type = in[i].type & 0xf;
		efi[i].phys = in[i].addr & ~0xfffull;
		efi[i].pages = (in[i].size >> 12) & 0xffffff;
		efi[i].attr = (in[i].type & 0x10) ? EFI_MEMORY_SP : 0;
	}
	k = e820_sanitize(in, n, out, 2 * E820_MAX + 1);
	if (k == (size_t)-1)
		abort();        /* 2n+1 entries always suffice */
	check(in, n, out, k);
	if (e820_checksum(out, k) != table_crc(out, k))
		abort();
	for (int style = 0; style < 2; style++) {
		size_t r = e820_from_efi(efi, n, (enum e820_efi_style)style, raw, E820_MAX);
		if (r != (size_t)-1 && r > n)
			abort();
		if (r != (size_t)-1 && e820_sanitize(raw, r, out, 2 * E820_MAX + 1) == (size_t)-1)
			abort();
	}
	return 0;
}
