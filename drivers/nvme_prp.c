/* PRP entries for one NVMe transfer: the first may start anywhere in its page, every
 * later one is a page address (NVM Express Base 1.4 §4.3, Figure 108: a PRP list is
 * used only when the data crosses more than one page boundary). */
#include <stdbool.h>
#include <stdint.h>
#include "drivers/nvme_prp.h"

bool nvme_prp_build(uint64_t buf, uint32_t bytes, uint64_t *list, uint64_t list_phys,
		    struct nvme_prp *out)
{
	uint64_t first = NVME_PAGE - (buf & (NVME_PAGE - 1)), next, rest, pages;

	if (bytes == 0 || (buf & 3) || (list_phys & (NVME_PAGE - 1)))
		return false;
	out->prp1 = buf;
	out->prp2 = 0;
	out->entries = 0;
	if (bytes <= first)
		return true;
	next = (buf & ~(uint64_t)(NVME_PAGE - 1)) + NVME_PAGE;
	rest = bytes - first;
	if (rest <= NVME_PAGE) {
		out->prp2 = next;
		return true;
	}
	pages = (rest + NVME_PAGE - 1) / NVME_PAGE;
	if (pages > NVME_PRP_LIST_MAX)
		return false;
	for (uint64_t i = 0; i < pages; i++)
		list[i] = next + i * NVME_PAGE;
	out->prp2 = list_phys;
	out->entries = (uint32_t)pages;
	return true;
}
