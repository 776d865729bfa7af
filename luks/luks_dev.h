/* An unlocked LUKS data segment as a block device stacked on its container: reads
 * decrypt, writes (thaw's one signature reset) encrypt. Pure (blockdev calls only). */
#ifndef THAW_LUKS_DEV_H
#define THAW_LUKS_DEV_H
#include "block/blockdev.h"
#include "crypto/sector_cipher.h"
#include "luks/luks.h"

#define LUKS_DEV_ASYNC 64               /* reads in flight through one luks_dev */

/* An asynchronous read passed to the container, decrypted when it completes. */
struct luks_req {
	uint64_t tag, sector;
	uint32_t count;
	uint8_t *buf;
	bool used, done;                /* done: finished synchronously (misaligned) */
	enum blk_err status;
};

struct luks_dev {
	struct blockdev dev;            /* what the rest of thaw reads */
	struct blockdev *container;
	uint64_t first;                 /* the segment's first sector on the container */
	uint32_t spe;                   /* 512-byte sectors per encryption sector: 1 or 8 */
	uint64_t iv_tweak;
	struct sector_cipher c;         /* the volume key, expanded: wiped by luks_dev_wipe */
	struct luks_req req[LUKS_DEV_ASYNC];    /* indexed by the container's tag */
	uint8_t bounce[4096] __attribute__((aligned(4096)));
};

/* Set up d over container with the unlocked volume key; false when the segment
 * does not fit the container or the key does not fit the cipher. */
bool luks_dev_init(struct luks_dev *d, struct blockdev *container, const struct luks_volume *v,
		   const uint8_t *key, const char *name);
void luks_dev_wipe(struct luks_dev *d);

#endif
