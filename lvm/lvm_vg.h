/* A volume group as thaw uses it: its physical volumes (by UUID) and the logical
 * volumes that are linear or striped over them, read from the metadata text; every
 * other kind of LV is kept with the reason thaw refuses it. Pure. */
#ifndef THAW_LVM_VG_H
#define THAW_LVM_VG_H
#include <stdbool.h>
#include <stdint.h>
#include "lvm/lvm_label.h"
#include "lvm/lvm_text.h"

#define LVM_NAME_MAX 128
#define LVM_MAX_PVS 16
#define LVM_MAX_LVS 32
#define LVM_MAX_SEGS 8
#define LVM_MAX_STRIPES 8

struct lvm_stripe {
	uint32_t pv;                    /* index into vg.pv[] */
	uint64_t pe;                    /* first physical extent */
};

struct lvm_seg {
	uint64_t start_extent, extent_count;
	uint32_t stripe_count;
	uint64_t stripe_size;           /* sectors (striped, stripe_count > 1) */
	struct lvm_stripe stripe[LVM_MAX_STRIPES];
};

struct lvm_lv {
	char name[LVM_NAME_MAX];
	char refused[48];               /* "" when readable, else why not ("thin", "raid1", …) */
	uint64_t extents;
	uint32_t nseg;
	struct lvm_seg seg[LVM_MAX_SEGS];
};

struct lvm_pv {
	char name[16];                  /* "pv0" in the text */
	char uuid[33];                  /* without dashes, as in the label */
	uint64_t pe_start;              /* sectors */
};

struct lvm_vg {
	char name[LVM_NAME_MAX];
	char id[40];
	uint64_t seqno;
	uint64_t extent_size;           /* sectors */
	uint32_t npv, nlv;
	struct lvm_pv pv[LVM_MAX_PVS];
	struct lvm_lv lv[LVM_MAX_LVS];
};

/* Parse text (len bytes) with node[cap] as working space. */
enum lvm_err lvm_vg_parse(struct lvm_vg *vg, const char *text, size_t len,
			  struct lvm_node *node, uint32_t cap);

/* Linux's device-mapper name for an LV ("vg-lv", each '-' inside a name doubled;
 * lib/misc/lvm-string.c build_dm_name); false when out is too small. */
bool lvm_dm_name(const char *vg, const char *lv, char *out, size_t size);

/* Map sector s of LV lv to (PV index, sector on that PV); false past the LV's end. */
bool lvm_map(const struct lvm_vg *vg, const struct lvm_lv *lv, uint64_t s,
	     uint32_t *pv, uint64_t *pv_sector, uint64_t *run);

#endif
