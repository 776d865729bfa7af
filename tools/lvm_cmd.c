/* thawctl lvm PV... [--lv VG/LV --dump OUT]: assemble the volume group from the PVs
 * named with thaw's own lvm/ code (labels, metadata ring, checksums, text), list its
 * logical volumes with their device-mapper names, and copy one LV's contents out
 * through thaw's linear/striped mapping (a test oracle against lvm2). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lvm/lvm_pv.h"
#include "lvm/lvm_vg.h"
#include "tools/lvm_cmd.h"

#define NODES 65536
#define MAX_FILES 16

struct pv_file {
	const char *path;
	int fd;
	struct lvm_pv_label label;
};

static bool rd(void *ctx, uint64_t off, void *buf, size_t len)
{
	int fd = *(int *)ctx;

	for (size_t done = 0; done < len;) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

/* Read every PV; the VG is the newest metadata (highest seqno) among them. */
static int assemble(struct pv_file *f, int n, struct lvm_vg *vg)
{
	char *text = malloc(LVM_TEXT_MAX);
	struct lvm_node *node = malloc(NODES * sizeof(*node));
	struct lvm_vg *cand = malloc(sizeof(*cand));
	int rc = 1;

	vg->seqno = 0, vg->name[0] = 0;
	for (int i = 0; text && node && cand && i < n; i++) {
		size_t len;
		enum lvm_err e = lvm_pv_read(rd, &f[i].fd, &f[i].label, text, LVM_TEXT_MAX, &len);

		if (!e)
			e = lvm_vg_parse(cand, text, len, node, NODES);
		if (e) {
			printf("lvm: %s: %s\n", f[i].path, lvm_strerror(e));
			continue;
		}
		if (vg->name[0] && strcmp(cand->id, vg->id))
			printf("lvm: %s: belongs to VG %s; only %s is assembled\n", f[i].path, cand->name, vg->name);
		else if (cand->seqno > vg->seqno)
			*vg = *cand;
		rc = 0;
	}
	free(text), free(node), free(cand);
	return rc;
}

static int pv_fd(const struct pv_file *f, int n, const struct lvm_vg *vg, uint32_t pv)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(f[i].label.uuid, vg->pv[pv].uuid))
			return f[i].fd;
	return -1;
}

static void list(const struct pv_file *f, int n, const struct lvm_vg *vg)
{
	for (uint32_t i = 0; i < vg->nlv; i++) {
		const struct lvm_lv *lv = &vg->lv[i];
		char dm[2 * 2 * LVM_NAME_MAX];
		bool missing = false;

		for (uint32_t s = 0; s < lv->nseg; s++)
			for (uint32_t k = 0; k < lv->seg[s].stripe_count; k++)
				missing |= pv_fd(f, n, vg, lv->seg[s].stripe[k].pv) < 0;
		lvm_dm_name(vg->name, lv->name, dm, sizeof(dm));
		printf("lvm: /dev/mapper/%s (/dev/%s/%s): %" PRIu64 " sectors, %u segment(s)%s%s%s\n",
		       dm, vg->name, lv->name, lv->extents * vg->extent_size, lv->nseg,
		       lv->refused[0] ? ", not supported: " : "", lv->refused,
		       missing ? ", a physical volume is missing" : "");
	}
}

static int dump(const struct pv_file *f, int n, const struct lvm_vg *vg, const char *name,
		const char *out)
{
	const struct lvm_lv *lv = NULL;
	uint64_t total, s = 0;
	uint8_t *buf = malloc(1u << 20);
	FILE *o = fopen(out, "wb");

	for (uint32_t i = 0; i < vg->nlv; i++) {
		char full[2 * LVM_NAME_MAX + 2];

		snprintf(full, sizeof(full), "%s/%s", vg->name, vg->lv[i].name);
		if (!strcmp(full, name))
			lv = &vg->lv[i];
	}
	if (!lv || lv->refused[0] || !buf || !o) {
		printf("lvm: %s: %s\n", name, !lv ? "no such LV" : lv->refused[0] ? lv->refused : strerror(errno));
		free(buf);
		if (o)
			fclose(o);
		return 1;
	}
	for (total = lv->extents * vg->extent_size; s < total;) {
		uint32_t pv;
		uint64_t at, run;
		int fd;

		if (!lvm_map(vg, lv, s, &pv, &at, &run) || (fd = pv_fd(f, n, vg, pv)) < 0)
			break;
		run = run < 2048 ? run : 2048;
		if (!rd(&fd, at * 512, buf, run * 512) || fwrite(buf, 512, run, o) != run)
			break;
		s += run;
	}
	free(buf);
	fclose(o);
	if (s < total) {
		printf("lvm: %s: read failed at sector %" PRIu64 " (missing PV or I/O error)\n", name, s);
		return 3;
	}
	printf("lvm: %s: %" PRIu64 " sectors written to %s\n", name, total, out);
	return 0;
}

int thawctl_lvm(int argc, char **argv)
{
	struct pv_file f[MAX_FILES];
	const char *lv = NULL, *out = NULL;
	struct lvm_vg *vg = malloc(sizeof(*vg));
	int n = 0, rc;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--lv") && i + 1 < argc)
			lv = argv[++i];
		else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] != '-' && n < MAX_FILES)
			f[n++].path = argv[i];
		else
			n = 0, i = argc;
	}
	if (!n || !vg || (!lv != !out)) {
		fprintf(stderr, "usage: thawctl lvm PV... [--lv VG/LV --dump OUT]\n");
		free(vg);
		return 2;
	}
	for (int i = 0; i < n; i++)
		if ((f[i].fd = open(f[i].path, O_RDONLY | O_CLOEXEC)) < 0) {
			fprintf(stderr, "lvm: %s: %s\n", f[i].path, strerror(errno));
			return 3;
		}
	rc = assemble(f, n, vg);
	if (!rc) {
		printf("lvm: VG %s (seqno %" PRIu64 ", %u PVs, extent %" PRIu64 " sectors)\n",
		       vg->name, vg->seqno, vg->npv, vg->extent_size);
		list(f, n, vg);
		if (lv)
			rc = dump(f, n, vg, lv, out);
	}
	for (int i = 0; i < n; i++)
		close(f[i].fd);
	free(vg);
	return rc;
}
