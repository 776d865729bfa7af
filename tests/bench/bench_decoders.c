/* Decoder benchmark (make bench-decoders; not a test): thaw's LZO1X, LZ4 and CRC32 against
 * liblzo2's lzo1x_decompress_safe, liblz4's LZ4_decompress_safe and zlib's crc32 on the
 * same 128 KiB blocks the hibernation stream uses. Prints MB/s of output (per CPU second) and the ratio:
 * medians of TRIALS alternating runs (thaw, reference, thaw, ...). Exits 1 on any mismatch. */
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <lz4.h>
#include <lzo/lzo1x.h>
#include "lib/crc32.h"
#include "image/lz4.h"
#include "image/lzo1x.h"
#include "image/swsusp_format.h"

/* zlib's crc32_z, declared here: <zlib.h> would clash with thaw's own crc32(). */
unsigned long crc32_z(unsigned long crc, const unsigned char *buf, size_t len);

#define BLK SWSUSP_UNC_SIZE
#define TRIALS 5

static int mismatches;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

struct corpus {
	const char *name;
	uint8_t *data;
	size_t len;		/* multiple of BLK */
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);	/* CPU time: the machine is shared */
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Shared libraries: real machine code and data, like most of a kernel's memory. */
static void load_libs(struct corpus *c, size_t want)
{
	const char *dir = "/usr/lib/x86_64-linux-gnu";
	DIR *d = opendir(dir);
	struct dirent *e;

	c->data = malloc(want);
	c->len = 0;
	while (d && (e = readdir(d)) && c->len < want) {
		char path[512];
		FILE *f;

		if (!strstr(e->d_name, ".so"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		c->len += fread(c->data + c->len, 1, want - c->len, f);
		fclose(f);
	}
	if (d)
		closedir(d);
	c->len -= c->len % BLK;
}

/* Page-cache-like mix: text pages, sparse pages, runs, some random. */
static void make_mixed(struct corpus *c, size_t len)
{
	uint64_t s = 12345;

	c->data = malloc(len);
	c->len = len;
	for (size_t p = 0; p < len; p += 4096) {
		unsigned int kind = (unsigned int)(p / 4096 * 2654435761u >> 28) % 4;

		for (size_t i = 0; i < 4096; i++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			uint8_t r = (uint8_t)(s >> 56);

			c->data[p + i] = kind == 0 ? (uint8_t)("the quick brown fox "[i % 20] ^ (i / 512)) :
					 kind == 1 ? (i % 64 == 0 ? r : 0) :
					 kind == 2 ? (uint8_t)(i / 128) : r;
		}
	}
}

static int load_file(struct corpus *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n > 64l << 20)
		n = 64l << 20;	/* the first 64 MiB: enough for stable numbers */
	c->len = (size_t)n - (size_t)n % BLK;
	c->data = malloc(c->len ? c->len : 1);
	if (fread(c->data, 1, c->len, f) != c->len)
		c->len = 0;
	fclose(f);
	return c->len ? 0 : -1;
}

struct packed {
	uint8_t *buf;
	size_t *off, *len;
	size_t n;
};

static void pack(const struct corpus *c, int lz4, struct packed *p)
{
	static uint8_t wrk[LZO1X_1_MEM_COMPRESS];

	p->n = c->len / BLK;
	p->buf = malloc(p->n * SWSUSP_CMP_WORST);
	p->off = malloc(p->n * sizeof(size_t));
	p->len = malloc(p->n * sizeof(size_t));
	for (size_t i = 0, at = 0; i < p->n; i++) {
		lzo_uint out = 0;

		p->off[i] = at;
		if (lz4)
			out = (lzo_uint)LZ4_compress_default((const char *)c->data + i * BLK,
							     (char *)p->buf + at, BLK, SWSUSP_CMP_WORST);
		else
			lzo1x_1_compress(c->data + i * BLK, BLK, p->buf + at, &out, wrk);
		p->len[i] = out;
		at += out;
	}
}

/* Decode every block `reps` times; returns MB/s of output (or -1 on a mismatch). */
static double run(const struct corpus *c, const struct packed *p, int which, int reps)
{
	static uint8_t out[BLK];
	double t0 = now();

	for (int r = 0; r < reps; r++) {
		for (size_t i = 0; i < p->n; i++) {
			const uint8_t *src = p->buf + p->off[i];
			size_t n = 0;
			lzo_uint ln = BLK;

			switch (which) {
			case 0: lzo1x_decode(src, p->len[i], out, BLK, &n); break;
			case 1: lzo1x_decompress_safe(src, p->len[i], out, &ln, NULL); n = ln; break;
			case 2: lz4_decode(src, p->len[i], out, BLK, &n); break;
			case 3: n = (size_t)LZ4_decompress_safe((const char *)src, (char *)out,
								(int)p->len[i], BLK); break;
			}
			if (r == 0 && (n != BLK || memcmp(out, c->data + i * BLK, BLK)))
				return -1;
		}
	}
	return (double)c->len * reps / (now() - t0) / 1e6;
}

static void bench_codec(const struct corpus *c, int lz4)
{
	struct packed p;
	size_t total = 0;
	int reps;

	pack(c, lz4, &p);
	for (size_t i = 0; i < p.n; i++)
		total += p.len[i];
	reps = (int)(4e8 / (c->len + 1)) + 1;
	if (reps > 10)
		reps = 10;
	run(c, &p, lz4 ? 2 : 0, 1);	/* warm up */
	double o[TRIALS], f[TRIALS];
	for (int t = 0; t < TRIALS; t++) {
		o[t] = run(c, &p, lz4 ? 2 : 0, reps);
		f[t] = run(c, &p, lz4 ? 3 : 1, reps);
		mismatches += o[t] < 0 || f[t] < 0;
	}
	double ours = median(o, TRIALS), ref = median(f, TRIALS);

	printf("%-8s %-4s ratio %5.2f  thaw %8.0f MB/s  %-7s %8.0f MB/s  thaw/ref %.2f%s\n",
	       c->name, lz4 ? "lz4" : "lzo", (double)c->len / total, ours,
	       lz4 ? "liblz4" : "liblzo2", ref, ours / ref,
	       ours < 0 || ref < 0 ? "  MISMATCH" : ours * 1.5 < ref ? "  SLOWER THAN 1/1.5" : "");
	free(p.buf);
	free(p.off);
	free(p.len);
}

static void bench_crc(const struct corpus *c)
{
	int reps = 4;
	uint32_t a = 0, b = 0;
	double o[TRIALS], f[TRIALS];

	for (int t = 0; t < TRIALS; t++) {
		double t0 = now();
		for (int r = 0; r < reps; r++)
			a = crc32(0, c->data, c->len);
		o[t] = (double)c->len * reps / (now() - t0) / 1e6;
		t0 = now();
		for (int r = 0; r < reps; r++)
			b = (uint32_t)crc32_z(0, c->data, c->len);
		f[t] = (double)c->len * reps / (now() - t0) / 1e6;
		mismatches += a != b;
	}
	double ours = median(o, TRIALS), ref = median(f, TRIALS);

	printf("%-8s crc32            thaw %8.0f MB/s  zlib    %8.0f MB/s  thaw/ref %.2f%s\n",
	       c->name, ours, ref, ours / ref, a == b ? "" : "  MISMATCH");
}

#ifndef BENCH_FLAVOR
#define BENCH_FLAVOR "host flags"
#endif

int main(int argc, char **argv)
{
	struct corpus cs[3] = { { .name = "libs" }, { .name = "mixed" }, { .name = "file" } };
	int n = 2;

	printf("thaw decoders built with %s; MB/s of output per CPU second, medians of %d "
	       "alternating runs\n", BENCH_FLAVOR, TRIALS);

	if (lzo_init() != LZO_E_OK)
		return 1;
	load_libs(&cs[0], 32u << 20);
	make_mixed(&cs[1], 32u << 20);
	if (argc > 1 && !load_file(&cs[2], argv[1]))
		n = 3;
	for (int i = 0; i < n; i++) {
		bench_codec(&cs[i], 0);
		bench_codec(&cs[i], 1);
		bench_crc(&cs[i]);
	}
	if (mismatches)
		printf("bench-decoders: %d MISMATCHES: a decoder's output differs from the "
		       "reference\n", mismatches);
	return mismatches ? 1 : 0;
}
