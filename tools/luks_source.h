/* thawctl's LUKS support: the container on a host file or device opened with thaw's
 * own luks/ and crypto/ code (passphrase from the terminal without echo, or a key
 * file), and the decrypted data segment as a struct img_source. */
#ifndef THAW_TOOLS_LUKS_SOURCE_H
#define THAW_TOOLS_LUKS_SOURCE_H
#include <stdbool.h>
#include <stdint.h>
#include "crypto/sector_cipher.h"
#include "image/image_read.h"
#include "luks/luks.h"

struct luks_source {
	int fd;
	uint64_t bytes;                 /* of the container */
	struct luks_volume v;
	struct sector_cipher c;
	uint64_t data_bytes;            /* of the decrypted segment */
	int slot;                       /* the keyslot that opened */
	double unlock_ms;
	struct img_source src;          /* 4 KiB blocks of the decrypted segment */
};

/* Open path, load the header, print it (quiet = false), unlock it with key_file's
 * contents (whole file, like cryptsetup --key-file) or a terminal prompt. Returns 0,
 * or prints why and returns thawctl's exit code. */
int luks_source_open(struct luks_source *ls, const char *path, const char *key_file, bool quiet);
void luks_source_close(struct luks_source *ls);

/* Read/write bytes of the decrypted segment (whole encryption sectors). */
bool luks_source_read(struct luks_source *ls, uint64_t off, void *buf, size_t len);

#endif
