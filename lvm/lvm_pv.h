/* Reading one physical volume through a callback: label, metadata-area header, the
 * committed metadata text (both ring pieces) with its checksum. Pure. */
#ifndef THAW_LVM_PV_H
#define THAW_LVM_PV_H
#include "lvm/lvm_label.h"

typedef bool (*lvm_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);

#define LVM_TEXT_MAX (1u << 20)         /* metadata text thaw reads (default area: 1 MiB) */

/* text[cap] receives the NUL-terminated text; *len its length. LVM_ENOLABEL when the
 * device is no PV. */
enum lvm_err lvm_pv_read(lvm_read_fn rd, void *ctx, struct lvm_pv_label *l, char *text,
			 size_t cap, size_t *len);

#endif
