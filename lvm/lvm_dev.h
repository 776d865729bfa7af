/* A linear or striped logical volume as a block device over its physical volumes.
 * Pure (blockdev calls only). */
#ifndef THAW_LVM_DEV_H
#define THAW_LVM_DEV_H
#include "block/blockdev.h"
#include "lvm/lvm_vg.h"

struct lvm_dev {
	struct blockdev dev;
	const struct lvm_vg *vg;
	const struct lvm_lv *lv;
	struct blockdev *pv[LVM_MAX_PVS];       /* by vg->pv[] index */
};

/* false when a PV the LV uses is missing (pv[i] NULL) or it extends past a PV. */
bool lvm_dev_init(struct lvm_dev *d, const struct lvm_vg *vg, const struct lvm_lv *lv,
		  struct blockdev *const *pv, const char *name);

#endif
