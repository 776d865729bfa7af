/* Fuzz target: lvm/lvm_text.c and lvm/lvm_vg.c (LVM2 metadata text).
 * Oracle: for any input, the text parser never reads past it (ASan) and, when it
 * accepts, every node's subtree ends after it and inside the array; lvm_vg_parse must
 * not crash and, when it accepts, every readable LV maps each of its sectors to a PV
 * of the VG, in order, without overflow. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lvm/lvm_text.h"
#include "lvm/lvm_vg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NODES 2048

static void check_lv(const struct lvm_vg *vg, const struct lvm_lv *lv)
{
	uint64_t total = lv->extents * vg->extent_size, step = total / 97 + 1;

	for (uint64_t s = 0; s < total && s < (1ull << 40); s += step) {
		uint32_t pv;
		uint64_t at, run;

		if (!lvm_map(vg, lv, s, &pv, &at, &run) || pv >= vg->npv || !run)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lvm_node node[NODES];
	static struct lvm_vg vg;
	struct lvm_doc d;
	char *text = malloc(size ? size : 1);

	memcpy(text, data, size);
	if (lvm_text_parse(&d, text, size, node, NODES))
		for (uint32_t i = 0; i < d.n; i++)
			if (node[i].next <= i || node[i].next > d.n)
				abort();
	if (lvm_vg_parse(&vg, text, size, node, NODES) == LVM_OK)
		for (uint32_t i = 0; i < vg.nlv; i++)
			if (!vg.lv[i].refused[0] && vg.extent_size < (1ull << 32))
				check_lv(&vg, &vg.lv[i]);
	free(text);
	return 0;
}
