/* Opening a LUKS container on the host with thaw's code: pread() as the read
 * callback, keyslots tried in order until one opens, data read in encryption
 * sectors and decrypted with the segment's cipher. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "crypto/wipe.h"
#include "image/swsusp_format.h"
#include "tools/luks_source.h"

#define EXIT_BADIMAGE 1
#define EXIT_IO 3
#define EXIT_NOIMAGE 4
#define MAX_PASS 512

static bool pread_all(int fd, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

static bool rd(void *ctx, uint64_t off, void *buf, size_t len)
{
	return pread_all(*(int *)ctx, off, buf, len);
}

static const char *kdf_name(enum luks_kdf_type t)
{
	return t == LUKS_KDF_PBKDF2 ? "pbkdf2" : t == LUKS_KDF_ARGON2I ? "argon2i" : "argon2id";
}

static void print_volume(const struct luks_volume *v, const char *path)
{
	printf("luks: %s: LUKS%u %s, %u-bit key, %u-byte sectors, data at %" PRIu64 "%s, uuid %s\n",
	       path, v->version, v->cipher, v->key_bytes * 8, v->sector_size, v->data_offset,
	       v->from_secondary ? ", primary header damaged: secondary copy used" : "", v->uuid);
	for (unsigned s = 0; s < LUKS_MAX_SLOTS; s++) {
		const struct luks_keyslot *k = &v->slot[s];

		if (!k->active)
			continue;
		if (k->kdf.type == LUKS_KDF_PBKDF2)
			printf("luks: keyslot %u: pbkdf2-%s, %" PRIu32 " iterations, %" PRIu32 " stripes\n",
			       s, k->kdf.hash->name, k->kdf.iterations, k->stripes);
		else
			printf("luks: keyslot %u: %s, time %" PRIu32 ", memory %" PRIu32 " KiB, %" PRIu32
			       " lanes, %" PRIu32 " stripes\n", s, kdf_name(k->kdf.type), k->kdf.time,
			       k->kdf.memory, k->kdf.cpus, k->stripes);
	}
}

/* The passphrase: a key file's whole contents, or a line from the terminal with
 * echo off (the newline is not part of it, as with cryptsetup's prompt). */
static bool get_pass(const char *key_file, uint8_t *pass, size_t *plen)
{
	if (key_file) {
		FILE *f = strcmp(key_file, "-") ? fopen(key_file, "rb") : stdin;

		if (!f)
			return false;
		*plen = fread(pass, 1, MAX_PASS, f);
		if (f != stdin)
			fclose(f);
		return true;
	}
	struct termios old, quiet;
	bool tty = tcgetattr(STDIN_FILENO, &old) == 0;

	fprintf(stderr, "Passphrase: ");
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	bool ok = fgets((char *)pass, MAX_PASS, stdin) != NULL;

	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fprintf(stderr, "\n");
	*plen = ok ? strcspn((char *)pass, "\n") : 0;
	return ok;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static enum luks_err try_slots(struct luks_source *ls, const uint8_t *pass, size_t plen, uint8_t *key)
{
	enum luks_err last = LUKS_ENOSLOT;

	for (unsigned s = 0; s < LUKS_MAX_SLOTS; s++) {
		uint64_t need;
		void *work;

		if (!ls->v.slot[s].active || !ls->v.slot[s].digest_ok)
			continue;
		need = luks_slot_memory(&ls->v, s);
		if (!(work = malloc(need)))
			return LUKS_EMEMORY;
		last = luks_open_slot(&ls->v, s, rd, &ls->fd, pass, plen, work, need, key);
		free(work);
		if (last == LUKS_OK) {
			ls->slot = (int)s;
			return LUKS_OK;
		}
		if (last != LUKS_ENOKEY)
			return last;
	}
	return last;
}

static enum img_err src_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	struct luks_source *ls = ctx;

	if (block >= ls->src.blocks || count > ls->src.blocks - block)
		return IMG_EIO;
	return luks_source_read(ls, block * SWSUSP_PAGE_SIZE, buf, (size_t)count * SWSUSP_PAGE_SIZE)
	       ? IMG_OK : IMG_EIO;
}

static int unlock(struct luks_source *ls, const char *path, const char *key_file)
{
	uint8_t pass[MAX_PASS], key[LUKS_MAX_KEY];
	size_t plen = 0;
	enum luks_err e;
	double t0;

	if (!get_pass(key_file, pass, &plen)) {
		fprintf(stderr, "luks: %s: cannot read the passphrase\n", path);
		return EXIT_IO;
	}
	t0 = now_ms();
	e = try_slots(ls, pass, plen, key);
	ls->unlock_ms = now_ms() - t0;
	crypto_wipe(pass, sizeof(pass));
	if (e == LUKS_OK && !sector_cipher_setkey(&ls->c, ls->v.mode, key, ls->v.key_bytes, AES_IMPL_AUTO))
		e = LUKS_ECIPHER;
	crypto_wipe(key, sizeof(key));
	if (e) {
		printf("luks: %s: %s\n", path, luks_strerror(e));
		return e == LUKS_EIO ? EXIT_IO : EXIT_BADIMAGE;
	}
	return 0;
}

int luks_source_open(struct luks_source *ls, const char *path, const char *key_file, bool quiet)
{
	void *scratch = malloc(luks_scratch_size());
	enum luks_err e;
	int rc;

	memset(ls, 0, sizeof(*ls));
	ls->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ls->fd < 0 || !scratch) {
		fprintf(stderr, "luks: %s: %s\n", path, strerror(errno));
		free(scratch);
		return EXIT_IO;
	}
	ls->bytes = (uint64_t)lseek(ls->fd, 0, SEEK_END);
	e = luks_load(&ls->v, rd, &ls->fd, scratch, luks_scratch_size());
	free(scratch);
	if (e) {
		printf("luks: %s: %s\n", path, luks_strerror(e));
		close(ls->fd);
		return e == LUKS_ENOTLUKS ? EXIT_NOIMAGE : e == LUKS_EIO ? EXIT_IO : EXIT_BADIMAGE;
	}
	if (!quiet)
		print_volume(&ls->v, path);
	if (ls->v.data_offset >= ls->bytes) {
		printf("luks: %s: data segment starts past the end of the device\n", path);
		close(ls->fd);
		return EXIT_BADIMAGE;
	}
	ls->data_bytes = ls->v.data_size ? ls->v.data_size : ls->bytes - ls->v.data_offset;
	if ((rc = unlock(ls, path, key_file))) {
		close(ls->fd);
		return rc;
	}
	if (!quiet)
		printf("luks: %s: keyslot %d opened in %.0f ms\n", path, ls->slot, ls->unlock_ms);
	ls->src = (struct img_source){ .read = src_read, .ctx = ls,
				       .blocks = ls->data_bytes / SWSUSP_PAGE_SIZE };
	return 0;
}

bool luks_source_read(struct luks_source *ls, uint64_t off, void *buf, size_t len)
{
	uint32_t ss = ls->v.sector_size;
	uint8_t *p = buf;

	if (off % ss || len % ss || off > ls->data_bytes || len > ls->data_bytes - off ||
	    !pread_all(ls->fd, ls->v.data_offset + off, buf, len))
		return false;
	for (size_t at = 0; at < len; at += ss)
		sector_decrypt(&ls->c, luks_iv_sector(&ls->v, off + at), p + at, ss);
	return true;
}

void luks_source_close(struct luks_source *ls)
{
	sector_cipher_wipe(&ls->c);
	if (ls->fd >= 0)
		close(ls->fd);
	ls->fd = -1;
}
