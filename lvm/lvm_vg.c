/* The metadata text (LVM2 lib/format_text/import_vsn1.c reads the same): the VG
 * section with extent_size and seqno, physical_volumes { pvN { id, pe_start } } and
 * logical_volumes { name { segmentN { start_extent, extent_count, type,
 * stripe_count, stripe_size, stripes = ["pvN", pe, ...] } } }. */
#include "lvm/lvm_vg.h"
#include <string.h>

static void strip_dashes(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in && n + 1 < size; in++)
		if (*in != '-')
			out[n++] = *in;
	out[n] = 0;
}

static enum lvm_err pvs(struct lvm_vg *vg, const struct lvm_doc *d, int32_t sec)
{
	int32_t pv;

	for (uint32_t i = 0; (pv = lvm_item_at(d, sec, i)) >= 0; i++) {
		struct lvm_pv *p = &vg->pv[vg->npv];
		char id[48];

		if (d->node[pv].type != LVM_SECTION)
			continue;
		if (vg->npv == LVM_MAX_PVS)
			return LVM_ETOOBIG;
		if (!lvm_name(d, pv, p->name, sizeof(p->name)) ||
		    !lvm_str(d, lvm_item(d, pv, "id"), id, sizeof(id)) ||
		    !lvm_int(d, lvm_item(d, pv, "pe_start"), &p->pe_start))
			return LVM_EMETA;
		strip_dashes(id, p->uuid, sizeof(p->uuid));
		vg->npv++;
	}
	return LVM_OK;
}

static int find_pv(const struct lvm_vg *vg, const char *name)
{
	for (uint32_t i = 0; i < vg->npv; i++)
		if (!strcmp(vg->pv[i].name, name))
			return (int)i;
	return -1;
}

static void refuse(struct lvm_lv *lv, const char *why)
{
	size_t n = strnlen(why, sizeof(lv->refused) - 1);

	if (!lv->refused[0]) {
		memcpy(lv->refused, why, n);
		lv->refused[n] = 0;
	}
}

/* One "striped" segment (linear is stripe_count 1); other types are refusals. */
static enum lvm_err segment(const struct lvm_vg *vg, const struct lvm_doc *d, int32_t s,
			    struct lvm_lv *lv, struct lvm_seg *g)
{
	char type[48], pvname[16];
	int32_t stripes = lvm_item(d, s, "stripes");
	uint64_t n;

	if (!lvm_str(d, lvm_item(d, s, "type"), type, sizeof(type)) ||
	    !lvm_int(d, lvm_item(d, s, "start_extent"), &g->start_extent) ||
	    !lvm_int(d, lvm_item(d, s, "extent_count"), &g->extent_count))
		return LVM_EMETA;
	if (strcmp(type, "striped")) {
		refuse(lv, type);
		return LVM_OK;
	}
	if (!lvm_int(d, lvm_item(d, s, "stripe_count"), &n) || !n ||
	    stripes < 0 || d->node[stripes].count != 2 * n || g->extent_count % n)
		return LVM_EMETA;
	if (n > LVM_MAX_STRIPES)
		return LVM_ETOOBIG;
	g->stripe_count = (uint32_t)n;
	if (n > 1 && (!lvm_int(d, lvm_item(d, s, "stripe_size"), &g->stripe_size) || !g->stripe_size))
		return LVM_EMETA;
	for (uint32_t k = 0; k < n; k++) {
		int pv;

		if (!lvm_str(d, lvm_element(d, stripes, 2 * k), pvname, sizeof(pvname)) ||
		    (pv = find_pv(vg, pvname)) < 0 ||
		    !lvm_int(d, lvm_element(d, stripes, 2 * k + 1), &g->stripe[k].pe))
			return LVM_EMETA;
		g->stripe[k].pv = (uint32_t)pv;
	}
	return LVM_OK;
}

static enum lvm_err lv_parse(const struct lvm_vg *vg, const struct lvm_doc *d, int32_t sec,
			     struct lvm_lv *lv)
{
	int32_t s;
	enum lvm_err e;

	if (!lvm_name(d, sec, lv->name, sizeof(lv->name)))
		return LVM_EMETA;
	if (!lvm_list_has(d, lvm_item(d, sec, "status"), "VISIBLE"))
		refuse(lv, "hidden");
	for (uint32_t i = 0; (s = lvm_item_at(d, sec, i)) >= 0; i++) {
		struct lvm_seg *g = &lv->seg[lv->nseg];

		if (d->node[s].type != LVM_SECTION)
			continue;
		if (lv->nseg == LVM_MAX_SEGS)
			return LVM_ETOOBIG;
		if ((e = segment(vg, d, s, lv, g)))
			return e;
		if (g->start_extent != lv->extents)     /* segments tile the LV in order */
			return LVM_EMETA;
		lv->extents += g->extent_count;
		lv->nseg++;
	}
	return lv->nseg ? LVM_OK : LVM_EMETA;
}

/* A snapshot's copy-on-write LV and its origin look linear but are not what Linux
 * shows (dm-snapshot): refuse both by name. */
static void mark_snapshots(struct lvm_vg *vg, const struct lvm_doc *d, int32_t lvs)
{
	int32_t l, s;
	char name[LVM_NAME_MAX];

	for (uint32_t i = 0; (l = lvm_item_at(d, lvs, i)) >= 0; i++)
		for (uint32_t j = 0; (s = lvm_item_at(d, l, j)) >= 0; j++) {
			const char *keys[2] = { "origin", "cow_store" };

			for (unsigned k = 0; k < 2; k++)
				if (lvm_str(d, lvm_item(d, s, keys[k]), name, sizeof(name)))
					for (uint32_t v = 0; v < vg->nlv; v++)
						if (!strcmp(vg->lv[v].name, name))
							refuse(&vg->lv[v], "snapshot");
		}
}

static enum lvm_err lvs(struct lvm_vg *vg, const struct lvm_doc *d, int32_t sec)
{
	int32_t l;
	enum lvm_err e;

	for (uint32_t i = 0; (l = lvm_item_at(d, sec, i)) >= 0; i++) {
		if (d->node[l].type != LVM_SECTION)
			continue;
		if (vg->nlv == LVM_MAX_LVS)
			return LVM_ETOOBIG;
		if ((e = lv_parse(vg, d, l, &vg->lv[vg->nlv])))
			return e;
		vg->nlv++;
	}
	mark_snapshots(vg, d, sec);
	return LVM_OK;
}

enum lvm_err lvm_vg_parse(struct lvm_vg *vg, const char *text, size_t len,
			  struct lvm_node *node, uint32_t cap)
{
	struct lvm_doc d;
	int32_t v = -1, k;
	enum lvm_err e;

	memset(vg, 0, sizeof(*vg));
	if (!lvm_text_parse(&d, text, len, node, cap))
		return LVM_ESYNTAX;
	for (uint32_t i = 0; (k = lvm_item_at(&d, 0, i)) >= 0; i++)
		if (d.node[k].type == LVM_SECTION)
			v = k;                          /* the one section: the VG */
	if (v < 0 || !lvm_name(&d, v, vg->name, sizeof(vg->name)) ||
	    !lvm_str(&d, lvm_item(&d, v, "id"), vg->id, sizeof(vg->id)) ||
	    !lvm_int(&d, lvm_item(&d, v, "seqno"), &vg->seqno) ||
	    !lvm_int(&d, lvm_item(&d, v, "extent_size"), &vg->extent_size) || !vg->extent_size)
		return LVM_EMETA;
	if ((e = pvs(vg, &d, lvm_item(&d, v, "physical_volumes"))))
		return e;
	k = lvm_item(&d, v, "logical_volumes");
	return k < 0 ? LVM_OK : lvs(vg, &d, k);
}

static bool append_doubled(const char *s, char *out, size_t size, size_t *n)
{
	for (; *s; s++) {
		unsigned times = *s == '-' ? 2 : 1;

		if (*n + times >= size)
			return false;
		while (times--)
			out[(*n)++] = *s;
	}
	return true;
}

bool lvm_dm_name(const char *vg, const char *lv, char *out, size_t size)
{
	size_t n = 0;

	if (!append_doubled(vg, out, size, &n) || n + 1 >= size)
		return false;
	out[n++] = '-';
	if (!append_doubled(lv, out, size, &n))
		return false;
	out[n] = 0;
	return true;
}

/* Striped: the segment's sectors go round the stripes in stripe_size chunks
 * (Linux dm-stripe.c stripe_map_sector); linear is one stripe. */
bool lvm_map(const struct lvm_vg *vg, const struct lvm_lv *lv, uint64_t s,
	     uint32_t *pv, uint64_t *pv_sector, uint64_t *run)
{
	uint64_t es = vg->extent_size;

	for (uint32_t i = 0; i < lv->nseg; i++) {
		const struct lvm_seg *g = &lv->seg[i];
		uint64_t first = g->start_extent * es, len = g->extent_count * es, o, chunk, row, at;
		uint32_t k = 0;

		if (s < first || s - first >= len)
			continue;
		o = s - first;
		if (g->stripe_count == 1) {
			at = o;
			*run = len - o;
		} else {
			chunk = o / g->stripe_size;
			k = (uint32_t)(chunk % g->stripe_count);
			row = chunk / g->stripe_count;
			at = row * g->stripe_size + o % g->stripe_size;
			*run = g->stripe_size - o % g->stripe_size;
		}
		*pv = g->stripe[k].pv;
		*pv_sector = vg->pv[*pv].pe_start + g->stripe[k].pe * es + at;
		return true;
	}
	return false;
}
