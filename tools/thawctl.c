/* thawctl: inspect, verify and discard a Linux hibernation image on a swap device or
 * image file, with the same parsing sources thaw runs (resume/). Subcommands are a
 * table; see usage() for the command line and the exit codes. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "image/image_read.h"
#include "image/stream.h"
#include "image/swsusp_format.h"
#include "tools/file_source.h"
#include "tools/kexec.h"
#include "tools/luks_source.h"
#include "tools/lvm_cmd.h"

/* Exit codes (documented in usage()). */
enum {
	EXIT_OKAY = 0,
	EXIT_BADIMAGE = 1,	/* image present but invalid or corrupt */
	EXIT_USAGE = 2,
	EXIT_IO = 3,		/* cannot open or read the device */
	EXIT_NOIMAGE = 4,	/* no hibernation image (plain swap or no signature) */
	EXIT_REFUSED = 5,	/* discard without --yes */
};

struct opts {
	const char *dev;
	uint64_t offset;
	bool yes;
	bool luks;              /* DEV is a LUKS container: unlock, read the inside */
	const char *key_file;
};

/* The one unlocked container of this run (--luks), closed (key wiped) by main(). */
static struct luks_source luks;

/* A subcommand takes the common options (run) or parses its own argv (run_argv). */
struct command {
	const char *name;
	int (*run)(const struct opts *o);
	int (*run_argv)(int argc, char **argv);
	const char *help;
};

static const struct command commands[];
static const size_t n_commands;

static void usage(FILE *out)
{
	fprintf(out, "usage: thawctl COMMAND DEV|FILE [--offset PAGES] [--yes] [--luks [--key-file F]]\n\nCommands:\n");
	for (size_t i = 0; i < n_commands; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(out,
		"\n"
		"Options:\n"
		"  --offset PAGES  swap header at this 4 KiB block (resume_offset= of a swap file)\n"
		"  --yes           really write (discard)\n"
		"  --luks          DEV is a LUKS1/LUKS2 container: unlock it with thaw's own code\n"
		"                  (passphrase prompted without echo) and read the swap inside\n"
		"  --key-file F    the passphrase is F's whole contents ('-': standard input)\n"
		"  --help          this text\n"
		"\n"
		"Exit codes: 0 ok, 1 invalid or corrupt image, 2 usage error, 3 I/O error,\n"
		"            4 no hibernation image, 5 discard refused without --yes\n");
}

static void print_fault(const char *cmd, const struct img_fault *f)
{
	char msg[256];

	img_fault_format(f, msg, sizeof(msg));
	printf("%s: FAIL: %s\n", cmd, msg);
}

static int fault_exit(const struct img_fault *f)
{
	if (f->err == IMG_EIO)
		return EXIT_IO;
	if (f->err == IMG_ENOIMAGE || f->err == IMG_ENOSIG)
		return EXIT_NOIMAGE;
	return EXIT_BADIMAGE;
}

static int open_dev(const struct opts *o, struct file_source *fs, bool writable)
{
	int e;

	if (o->luks) {
		if (writable) {
			fprintf(stderr, "thawctl: %s: writing through LUKS is thaw's job, not thawctl's\n",
				o->dev);
			return EXIT_USAGE;
		}
		if ((e = luks_source_open(&luks, o->dev, o->key_file, false)))
			return e;
		*fs = (struct file_source){ .fd = -1, .bytes = luks.data_bytes, .src = luks.src };
		return EXIT_OKAY;
	}
	e = file_source_open(fs, o->dev, writable);

	if (e) {
		fprintf(stderr, "thawctl: %s: %s\n", o->dev, strerror(-e));
		return EXIT_IO;
	}
	return EXIT_OKAY;
}

static void print_flags(uint32_t flags)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ SF_PLATFORM_MODE, "platform" }, { SF_NOCOMPRESS_MODE, "nocompress" },
		{ SF_CRC32_MODE, "crc32" }, { SF_HW_SIG, "hw_sig" },
		{ SF_COMPRESSION_ALG_LZ4, "lz4" },
	};
	const char *sep = "";

	printf("  flags:             0x%" PRIx32 " (", flags);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (flags & names[i].bit) {
			printf("%s%s", sep, names[i].name);
			sep = "|";
		}
	}
	printf("%s)\n", *sep ? "" : "lzo, no flags");
}

static void print_header(const struct img_desc *d, uint64_t blocks)
{
	const struct img_header *h = &d->hdr;

	printf("device:              %" PRIu64 " blocks of 4096 bytes\n", blocks);
	printf("swap header:         block %" PRIu64 "\n", d->offset);
	printf("  signature:         S1SUSPEND (hibernation image present)\n");
	printf("  orig_sig:          %s\n", h->orig_sig);
	print_flags(h->flags);
	printf("  compression:       %s\n", img_codec_name(h->codec));
	printf("  platform mode:     %s\n", h->platform ? "yes" : "no");
	printf("  first map block:   %" PRIu64 "\n", h->image);
	if (h->has_crc)
		printf("  crc32:             0x%08" PRIx32 "\n", h->crc32);
	else
		printf("  crc32:             none (stale value 0x%08" PRIx32 ")\n", h->crc32);
	if (h->has_hw_sig)
		printf("  hw_sig:            0x%08" PRIx32 "\n", h->hw_sig);
	else
		printf("  hw_sig:            none\n");
}

static void print_info(const struct img_desc *d)
{
	const struct img_info *i = &d->info;

	printf("image header:        block %" PRIu64 "\n", d->info_block);
	printf("  protocol:          %s\n", img_protocol_name(i->protocol));
	printf("  jump_address:      0x%016" PRIx64 "\n", i->jump_address);
	if (i->protocol <= IMG_PROTO_V1)
		printf("  jump_address_phys: 0x%016" PRIx64 "\n", i->jump_address_phys);
	if (i->protocol != IMG_PROTO_SEED)
		printf("  cr3:               0x%016" PRIx64 "\n", i->cr3);
	if (i->protocol == IMG_PROTO_V2)
		printf("  e820 checksum:     0x%08" PRIx32 " (crc32)\n", i->e820_crc32);
	if (i->protocol == IMG_PROTO_V1_MD5) {
		printf("  e820 digest:       ");
		for (int k = 0; k < 16; k++)
			printf("%02x", i->e820_md5[k]);
		printf(" (md5)\n");
	}
	printf("  version_code:      %" PRIu32 "\n", i->version_code);
	printf("  num_physpages:     %" PRIu64 " (%" PRIu64 " MiB)\n", i->num_physpages,
	       i->num_physpages >> 8);
	printf("  image_pages:       %" PRIu64 "\n", i->image_pages);
	printf("  meta_pages:        %" PRIu64 "\n", i->nr_meta);
	printf("  pages:             %" PRIu64 "\n", i->pages);
	printf("  size:              %" PRIu64 " bytes (%" PRIu64 " MiB)\n", i->size, i->size >> 20);
}

/* The map chain in malloc'd arrays sized from the image header. */
struct map_mem {
	struct img_map m;
	uint64_t *entries;
	uint64_t *maps;
};

static int load_map(const struct file_source *fs, const struct img_desc *d,
		    struct map_mem *mm, uint8_t *page, struct img_fault *f)
{
	mm->entries = calloc(d->max_entries, sizeof(uint64_t));
	mm->maps = calloc(d->max_maps, sizeof(uint64_t));
	if (!mm->entries || !mm->maps) {
		fprintf(stderr, "thawctl: out of memory for the swap map\n");
		return EXIT_IO;
	}
	if (img_read_map(&fs->src, d, &mm->m, mm->entries, mm->maps, page, f))
		return fault_exit(f);
	return EXIT_OKAY;
}

static void free_map(struct map_mem *mm)
{
	free(mm->entries);
	free(mm->maps);
}

static void print_map(const struct img_desc *d, const struct img_map *m)
{
	uint64_t runs = 0, stream = m->n_entries - 1;

	for (size_t i = 1; i < m->n_entries; i++)
		runs += i == 1 || m->entries[i] != m->entries[i - 1] + 1;
	printf("swap map:            %zu map pages, %" PRIu64 " stream blocks in %" PRIu64 " runs\n",
	       m->n_maps, stream, runs);
	printf("  on disk:           %" PRIu64 " bytes", (stream + 1 + m->n_maps) * SWSUSP_PAGE_SIZE);
	if (stream && d->hdr.codec != IMG_CODEC_RAW)
		printf(" (ratio %.2f)", (double)img_info_stream_pages(&d->info) / (double)stream);
	printf("\n");
}

/* Opens the device and reads the headers; prints the fault and returns its exit code. */
static int open_image(const struct opts *o, const char *cmd, struct file_source *fs,
		      bool writable, struct img_desc *d, uint8_t *page)
{
	struct img_fault f = { 0 };
	int rc = open_dev(o, fs, writable);

	if (rc)
		return rc;
	if (img_open(&fs->src, o->offset, page, d, &f)) {
		if (f.err == IMG_ENOIMAGE)
			printf("%s: no hibernation image (swap signature present)\n", cmd);
		else
			print_fault(cmd, &f);
		file_source_close(fs);
		return fault_exit(&f);
	}
	return EXIT_OKAY;
}

static int cmd_inspect(const struct opts *o)
{
	struct file_source fs;
	struct img_desc d;
	struct img_fault f = { 0 };
	struct map_mem mm = { 0 };
	uint8_t page[SWSUSP_PAGE_SIZE];
	int rc = open_image(o, "inspect", &fs, false, &d, page);

	if (rc)
		return rc;
	print_header(&d, fs.src.blocks);
	print_info(&d);
	rc = load_map(&fs, &d, &mm, page, &f);
	if (!rc)
		print_map(&d, &mm.m);
	else if (f.err)
		print_fault("inspect", &f);
	free_map(&mm);
	file_source_close(&fs);
	return rc;
}

/* verify keeps the PFN pages (the loader reads them back) and counts the rest. */
struct verify_ctx {
	uint8_t *meta_copy;
	uint64_t data, zero;
};

static const uint8_t *v_keep_meta(void *arg, uint64_t index, const uint8_t *page)
{
	struct verify_ctx *v = arg;
	uint8_t *dst = v->meta_copy + index * SWSUSP_PAGE_SIZE;

	memcpy(dst, page, SWSUSP_PAGE_SIZE);
	return dst;
}

static enum img_err v_data(void *arg, uint64_t pfn, const uint8_t *page)
{
	struct verify_ctx *v = arg;

	(void)pfn;
	(void)page;
	v->data++;
	return IMG_OK;
}

static enum img_err v_zero(void *arg, uint64_t pfn)
{
	struct verify_ctx *v = arg;

	(void)pfn;
	v->zero++;
	return IMG_OK;
}

static const struct img_loader_ops verify_ops = {
	.keep_meta = v_keep_meta,
	.data = v_data,
	.zero = v_zero,
};

#define VERIFY_IO_BLOCKS 256	/* 1 MiB reads */

static int run_verify(const struct file_source *fs, const struct img_desc *d,
		      const struct img_map *m)
{
	struct verify_ctx v = { 0 };
	struct img_fault f = { 0 };
	struct img_workspace ws = { .io_blocks = VERIFY_IO_BLOCKS };
	uint32_t crc = 0;
	int rc = EXIT_IO;

	ws.cmp = malloc(IMG_STREAM_CMP_BUF);
	ws.unc = malloc(IMG_STREAM_UNC_BUF);
	ws.io = malloc((size_t)VERIFY_IO_BLOCKS * SWSUSP_PAGE_SIZE);
	ws.meta = calloc(d->info.nr_meta + 1, sizeof(*ws.meta));
	v.meta_copy = malloc((d->info.nr_meta + 1) * SWSUSP_PAGE_SIZE);
	if (!ws.cmp || !ws.unc || !ws.io || !ws.meta || !v.meta_copy) {
		fprintf(stderr, "thawctl: out of memory\n");
		goto out;
	}
	if (img_read_stream(&fs->src, d, m, &ws, &verify_ops, &v, &crc, &f)) {
		print_fault("verify", &f);
		rc = fault_exit(&f);
		goto out;
	}
	printf("verify: OK: %" PRIu64 " pages (%" PRIu64 " meta, %" PRIu64 " data, %" PRIu64
	       " zero), crc32 %s0x%08" PRIx32 "\n", img_info_stream_pages(&d->info),
	       d->info.nr_meta, v.data, v.zero, d->hdr.has_crc ? "" : "not stored, ", crc);
	rc = EXIT_OKAY;
out:
	free(ws.cmp);
	free(ws.unc);
	free(ws.io);
	free(ws.meta);
	free(v.meta_copy);
	return rc;
}

static int cmd_verify(const struct opts *o)
{
	struct file_source fs;
	struct img_desc d;
	struct img_fault f = { 0 };
	struct map_mem mm = { 0 };
	uint8_t page[SWSUSP_PAGE_SIZE];
	int rc = open_image(o, "verify", &fs, false, &d, page);

	if (rc)
		return rc;
	rc = load_map(&fs, &d, &mm, page, &f);
	if (rc && f.err)
		print_fault("verify", &f);
	if (!rc)
		rc = run_verify(&fs, &d, &mm.m);
	free_map(&mm);
	file_source_close(&fs);
	return rc;
}

static int cmd_discard(const struct opts *o)
{
	struct file_source fs;
	uint8_t page[SWSUSP_PAGE_SIZE];
	enum img_err err;
	int rc;

	if (!o->yes) {
		fprintf(stderr, "thawctl: discard destroys the hibernation image; add --yes\n");
		return EXIT_REFUSED;
	}
	rc = open_dev(o, &fs, true);
	if (rc)
		return rc;
	if (o->offset >= fs.src.blocks || fs.src.read(fs.src.ctx, o->offset, 1, page)) {
		fprintf(stderr, "thawctl: %s: cannot read block %" PRIu64 "\n", o->dev, o->offset);
		file_source_close(&fs);
		return EXIT_IO;
	}
	err = img_header_discard(page, sizeof(page));
	if (err) {
		printf("discard: %s\n", img_strerror(err));
		file_source_close(&fs);
		return err == IMG_EORIGSIG ? EXIT_BADIMAGE : EXIT_NOIMAGE;
	}
	rc = file_source_write_block(&fs, o->offset, page);
	file_source_close(&fs);
	if (rc) {
		fprintf(stderr, "thawctl: %s: write failed: %s\n", o->dev, strerror(-rc));
		return EXIT_IO;
	}
	printf("discard: swap signature restored (%.10s); the image is gone\n",
	       (const char *)page + offsetof(struct swsusp_header, sig));
	return EXIT_OKAY;
}

/* thawctl luks DEV [--key-file F] [--dump OUT]: print the header, unlock, and copy
 * the decrypted data segment to OUT (a test oracle against cryptsetup). */
static int dump_segment(const char *out)
{
	FILE *f = fopen(out, "wb");
	size_t chunk = 1u << 20;
	uint8_t *buf = malloc(chunk);
	int rc = EXIT_OKAY;

	if (!f || !buf) {
		fprintf(stderr, "thawctl: %s: %s\n", out, strerror(errno));
		rc = EXIT_IO;
	}
	for (uint64_t at = 0; !rc && at < luks.data_bytes; at += chunk) {
		size_t n = luks.data_bytes - at < chunk ? (size_t)(luks.data_bytes - at) : chunk;

		if (!luks_source_read(&luks, at, buf, n) || fwrite(buf, 1, n, f) != n)
			rc = EXIT_IO;
	}
	free(buf);
	if (f && fclose(f))
		rc = EXIT_IO;
	return rc;
}

static int cmd_luks(int argc, char **argv)
{
	const char *dev = NULL, *key_file = NULL, *out = NULL;
	int rc;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--key-file") && i + 1 < argc)
			key_file = argv[++i];
		else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] != '-' && !dev)
			dev = argv[i];
		else
			dev = NULL, i = argc;
	}
	if (!dev) {
		fprintf(stderr, "usage: thawctl luks DEV [--key-file F] [--dump OUT]\n");
		return EXIT_USAGE;
	}
	if ((rc = luks_source_open(&luks, dev, key_file, false)))
		return rc;
	if (out && (rc = dump_segment(out)) == EXIT_OKAY)
		printf("luks: %s: %" PRIu64 " decrypted bytes written to %s\n", dev, luks.data_bytes, out);
	luks_source_close(&luks);
	return rc;
}

static const struct command commands[] = {
	{ "inspect", cmd_inspect, NULL, "print the swap header, image header and swap-map summary" },
	{ "verify", cmd_verify, NULL, "decode the whole stream: lengths, LZO/LZ4 data, CRC32, PFN list" },
	{ "discard", cmd_discard, NULL, "put the original swap signature back (like Linux noresume); needs --yes" },
	{ "luks", NULL, cmd_luks, "unlock a LUKS container with thaw's code (--key-file F, --dump OUT)" },
	{ "lvm", NULL, thawctl_lvm, "list LVM2 volumes on PVs; --lv VG/LV --dump OUT copies one out" },
	{ "kexec", NULL, thawctl_kexec, "load thaw with kexec-tools to resume now (thawctl kexec --help)" },
};
static const size_t n_commands = sizeof(commands) / sizeof(commands[0]);

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && *s && !*end && *s != '-';
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--yes")) {
			o->yes = true;
		} else if (!strcmp(argv[i], "--luks")) {
			o->luks = true;
		} else if (!strcmp(argv[i], "--key-file") && i + 1 < argc) {
			o->key_file = argv[++i];
		} else if (!strcmp(argv[i], "--offset") && i + 1 < argc) {
			if (!parse_u64(argv[++i], &o->offset))
				return -1;
		} else if (!strncmp(argv[i], "--offset=", 9)) {
			if (!parse_u64(argv[i] + 9, &o->offset))
				return -1;
		} else if (argv[i][0] != '-' && !o->dev) {
			o->dev = argv[i];
		} else {
			return -1;
		}
	}
	return o->dev && (o->luks || !o->key_file) ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return EXIT_OKAY;
	}
	for (size_t i = 0; argc >= 2 && i < n_commands; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (commands[i].run_argv)
			return commands[i].run_argv(argc, argv);
		if (parse_opts(argc, argv, &o)) {
			usage(stderr);
			return EXIT_USAGE;
		}
		int rc = commands[i].run(&o);

		if (o.luks)
			luks_source_close(&luks);
		return rc;
	}
	usage(stderr);
	return EXIT_USAGE;
}
