/* NVMe data pointers: the PRP1/PRP2 pair and the PRP list for one transfer in
 * 4 KiB memory pages (NVM Express Base 1.4 §4.3; CC.MPS = 0). Pure arithmetic. */
#ifndef THAW_NVME_PRP_H
#define THAW_NVME_PRP_H
#include <stdbool.h>
#include <stdint.h>

#define NVME_PAGE          4096u
#define NVME_PRP_LIST_MAX  (NVME_PAGE / 8)   /* entries in one list page: no chaining */

struct nvme_prp {
	uint64_t prp1;       /* the buffer's start: any dword-aligned address */
	uint64_t prp2;       /* 0, the second page, or list_phys */
	uint32_t entries;    /* list entries written (0 when PRP2 is not a list) */
};

/* Describe `bytes` (> 0) at physical address buf. When the transfer touches more
 * than two pages, the page addresses after the first go to list[] (one page, at
 * physical list_phys, page-aligned) and PRP2 points at it. False when buf is not
 * dword-aligned, bytes is 0, or the pages do not fit one list page. */
bool nvme_prp_build(uint64_t buf, uint32_t bytes, uint64_t *list, uint64_t list_phys,
		    struct nvme_prp *out);

#endif
