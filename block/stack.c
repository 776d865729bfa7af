/* Unlocking and assembling what the disks hold. Key material lives only here (the
 * passphrase buffer, the volume key between unlock and cipher set-up, and each
 * luks_dev's expanded key) and stack_wipe_secrets() clears all of it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/disks.h"
#include "block/stack.h"
#include "crypto/wipe.h"
#include "kernel/console.h"
#include "kernel/passphrase.h"
#include "kernel/timer.h"
#include "luks/luks.h"
#include "luks/luks_dev.h"
#include "lvm/lvm_dev.h"
#include "lvm/lvm_pv.h"
#include "mm/pmm.h"

#define STACK_LUKS_MAX 8
#define STACK_VG_MAX 4
#define STACK_LV_MAX 16
#define STACK_PV_MAX 32
#define PASS_MAX 256
#define TRIES 3
#define PROMPT_TIMEOUT_MS (300u * 1000u)     /* an unattended boot does not wait forever */
#define MEM_RESERVE (32ull << 20)            /* left for the resume itself */
#define LVM_NODES 16384

static struct {
	struct luks_dev *luks[STACK_LUKS_MAX];
	unsigned nluks;
	struct lvm_vg *vg[STACK_VG_MAX];
	unsigned nvg;
	struct { char uuid[33]; struct blockdev *dev; } pv[STACK_PV_MAX];
	unsigned npv;
	struct lvm_dev *lv[STACK_LV_MAX];
	unsigned nlv;
	unsigned next_dm;
	unsigned nlocked;                       /* containers left locked */
	char pass[PASS_MAX];                    /* the passphrase, while it is tried */
	uint8_t key[LUKS_MAX_KEY];              /* the volume key, until the cipher has it */
	uint8_t bounce[512] __attribute__((aligned(512)));
} st;

unsigned stack_locked(void)
{
	return st.nlocked;
}

void stack_wipe_secrets(void)
{
	crypto_wipe(st.pass, sizeof(st.pass));
	crypto_wipe(st.key, sizeof(st.key));
	crypto_wipe(st.bounce, sizeof(st.bounce));
	for (unsigned i = 0; i < st.nluks; i++)
		luks_dev_wipe(st.luks[i]);
}

static void free_bytes(void *p, uint64_t bytes)
{
	if (p)
		pmm_free_contig((uint64_t)(uintptr_t)p, (bytes + PAGE_SIZE - 1) / PAGE_SIZE);
}

/* Byte-granular reads for the parsers: whole sectors straight into buf, the ragged
 * ends (LVM metadata text starts anywhere) through st.bounce. */
static bool dev_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct blockdev *d = ctx;
	uint8_t *p = buf;

	while (len) {
		uint64_t sector = off / 512;
		size_t in = off % 512, n;

		if (!in && len >= 512) {
			n = len / 512 > 2048 ? 2048u * 512 : len / 512 * 512;
			if (blockdev_read(d, sector, (uint32_t)(n / 512), p) != BLK_OK)
				return false;
		} else {
			n = 512 - in < len ? 512 - in : len;
			if (blockdev_read(d, sector, 1, st.bounce) != BLK_OK)
				return false;
			memcpy(p, st.bounce + in, n);
		}
		p += n, off += n, len -= n;
	}
	return true;
}

static void dm_name(char *out)
{
	unsigned n = st.next_dm++;

	memcpy(out, "dm-", 3);
	out[3] = (char)('0' + n / 10 % 10);
	out[n >= 10 ? 4 : 3] = (char)('0' + n % 10);
	out[n >= 10 ? 5 : 4] = 0;
}

/* One keyslot after another; a slot whose Argon2 memory the machine lacks is skipped
 * with a message. */
static enum luks_err open_slots(struct blockdev *d, const struct luks_volume *v, size_t plen)
{
	enum luks_err last = LUKS_ENOSLOT;

	for (unsigned s = 0; s < LUKS_MAX_SLOTS; s++) {
		uint64_t need = luks_slot_memory(v, s), avail = pmm_free_frames() * PAGE_SIZE;
		void *work;

		if (!v->slot[s].active || !v->slot[s].digest_ok)
			continue;
		if (need + MEM_RESERVE > avail || !(work = pmm_alloc_bytes(need))) {
			kprintf("luks: %s: keyslot %u needs %llu MiB for its key derivation; only "
				"%llu MiB free: skipped\n", d->name, s,
				(unsigned long long)(need >> 20), (unsigned long long)(avail >> 20));
			last = LUKS_EMEMORY;
			continue;
		}
		last = luks_open_slot(v, s, dev_read, d, (const uint8_t *)st.pass, plen, work,
				      need, st.key);
		free_bytes(work, need);
		if (last == LUKS_OK) {
			const struct luks_kdf *k = &v->slot[s].kdf;

			if (k->type == LUKS_KDF_PBKDF2)
				kprintf("luks: %s: keyslot %u opened (pbkdf2-%s, %u iterations)\n",
					d->name, s, k->hash->name, k->iterations);
			else
				kprintf("luks: %s: keyslot %u opened (%s, %u passes, %u KiB, %u lanes)\n",
					d->name, s, k->type == LUKS_KDF_ARGON2I ? "argon2i" : "argon2id",
					k->time, k->memory, k->cpus);
			return LUKS_OK;
		}
		if (last != LUKS_ENOKEY && last != LUKS_ENOSLOT)
			return last;
	}
	return last;
}

/* Up to TRIES passphrases; false (with the reason on the console) when it stays locked. */
static bool ask_and_unlock(struct blockdev *d, const struct luks_volume *v)
{
	for (unsigned t = 1; t <= TRIES; t++) {
		uint64_t t0;
		enum luks_err e;
		int n;

		kprintf("luks: %s is encrypted (LUKS%u, %s, uuid %s)\n", d->name, v->version,
			v->cipher, v->uuid);
		kprintf("luks: passphrase for %s (Esc or an empty line gives up): ", d->name);
		n = passphrase_read(st.pass, sizeof(st.pass), PROMPT_TIMEOUT_MS);
		if (n < 0) {
			kprintf("luks: %s: no passphrase given; it stays locked\n", d->name);
			return false;
		}
		t0 = timer_ms();
		e = open_slots(d, v, (size_t)n);
		crypto_wipe(st.pass, sizeof(st.pass));
		if (e == LUKS_OK) {
			kprintf("luks: %s: unlocked in %llu ms\n", d->name,
				(unsigned long long)(timer_ms() - t0));
			return true;
		}
		if (e != LUKS_ENOKEY) {
			kprintf("luks: %s: %s; it stays locked\n", d->name, luks_strerror(e));
			return false;
		}
		kprintf("luks: %s: wrong passphrase (attempt %u of %u)\n", d->name, t, TRIES);
	}
	kprintf("luks: %s: %u wrong passphrases; it stays locked\n", d->name, TRIES);
	return false;
}

static void add_luks(struct blockdev *d, const struct luks_volume *v)
{
	struct luks_dev *ld;
	char name[8], alias[64];

	if (st.nluks == STACK_LUKS_MAX || !(ld = pmm_alloc_bytes(sizeof(*ld)))) {
		kprintf("luks: %s: too many encrypted devices; not used\n", d->name);
		crypto_wipe(st.key, sizeof(st.key));
		return;
	}
	dm_name(name);
	memcpy(alias, "mapper/luks-", 12);
	memcpy(alias + 12, v->uuid, strnlen(v->uuid, 40) + 1);
	if (!luks_dev_init(ld, d, v, st.key, name)) {
		kprintf("luks: %s: data segment does not fit the device; not used\n", d->name);
	} else {
		st.luks[st.nluks++] = ld;
		kprintf("luks: %s: decrypted as %s (/dev/%s), %s, %u-byte sectors, %s\n", d->name,
			name, alias, v->cipher, v->sector_size,
			aes_ni_available() ? "AES-NI" : "constant-time software AES");
		disks_add_stacked(&ld->dev, alias, NULL);
	}
	crypto_wipe(st.key, sizeof(st.key));
}

static void try_luks(struct blockdev *d, void *scratch)
{
	struct luks_volume *v = (struct luks_volume *)((uint8_t *)scratch + luks_scratch_size());
	enum luks_err e;

	e = luks_load(v, dev_read, d, scratch, luks_scratch_size());
	if (e != LUKS_OK) {
		kprintf("luks: %s: %s; not used\n", d->name, luks_strerror(e));
		return;
	}
	if (v->from_secondary)
		kprintf("luks: %s: primary LUKS2 header damaged; using the secondary copy\n", d->name);
	if (ask_and_unlock(d, v))
		add_luks(d, v);
	else
		st.nlocked++;
}

static void luks_pass(unsigned from)
{
	uint8_t *page = pmm_alloc_bytes(4096);
	void *scratch = NULL;

	for (unsigned r = from; page && r < blockdev_count(); r++) {
		if (blockdev_read(blockdev_at(r), 0, 8, page) != BLK_OK || !luks_probe(page, 4096))
			continue;
		if (!scratch && !(scratch = pmm_alloc_bytes(luks_scratch_size() + sizeof(struct luks_volume)))) {
			kprintf("luks: no memory to read LUKS headers\n");
			break;
		}
		try_luks(blockdev_at(r), scratch);
	}
	free_bytes(scratch, luks_scratch_size() + sizeof(struct luks_volume));
	free_bytes(page, 4096);
}

/* Keep the newest metadata of each VG (by id, highest seqno) and remember which
 * device carries which PV UUID. */
static void note_pv(struct blockdev *d, const struct lvm_pv_label *l, struct lvm_vg *vg)
{
	unsigned i;

	if (st.npv < STACK_PV_MAX) {
		memcpy(st.pv[st.npv].uuid, l->uuid, sizeof(l->uuid));
		st.pv[st.npv++].dev = d;
	}
	for (i = 0; i < st.nvg && strcmp(st.vg[i]->id, vg->id); i++)
		;
	if (i == st.nvg) {
		if (st.nvg == STACK_VG_MAX || !(st.vg[i] = pmm_alloc_bytes(sizeof(*vg)))) {
			kprintf("lvm: %s: too many volume groups; VG %s not used\n", d->name, vg->name);
			return;
		}
		st.nvg++;
	} else if (st.vg[i]->seqno >= vg->seqno) {
		return;
	}
	memcpy(st.vg[i], vg, sizeof(*vg));
}

static struct blockdev *pv_device(const char *uuid)
{
	for (unsigned i = 0; i < st.npv; i++)
		if (!strcmp(st.pv[i].uuid, uuid))
			return st.pv[i].dev;
	return NULL;
}

static void add_lv(const struct lvm_vg *vg, const struct lvm_lv *lv)
{
	struct blockdev *pv[LVM_MAX_PVS] = { 0 };
	char name[8], dm[64], mapper[72], path[2 * LVM_NAME_MAX + 2];
	struct lvm_dev *ld;
	size_t vl = strnlen(vg->name, LVM_NAME_MAX), ll = strnlen(lv->name, LVM_NAME_MAX);

	if (lv->refused[0]) {
		kprintf("lvm: %s/%s: %s volumes are not supported; not used\n", vg->name, lv->name,
			lv->refused);
		return;
	}
	for (uint32_t i = 0; i < vg->npv; i++)
		pv[i] = pv_device(vg->pv[i].uuid);
	if (!lvm_dm_name(vg->name, lv->name, dm, sizeof(dm)) || vl + ll + 2 > 64) {
		kprintf("lvm: %s/%s: name too long for thaw; not used\n", vg->name, lv->name);
		return;
	}
	memcpy(mapper, "mapper/", 7);
	memcpy(mapper + 7, dm, strlen(dm) + 1);
	memcpy(path, vg->name, vl);
	path[vl] = '/';
	memcpy(path + vl + 1, lv->name, ll + 1);
	if (st.nlv == STACK_LV_MAX || !(ld = pmm_alloc_bytes(sizeof(*ld)))) {
		kprintf("lvm: %s: too many logical volumes; not used\n", path);
		return;
	}
	dm_name(name);
	if (!lvm_dev_init(ld, vg, lv, pv, name)) {
		kprintf("lvm: %s: a physical volume it uses is missing or too small; not used\n", path);
		st.next_dm--;
		return;
	}
	st.lv[st.nlv++] = ld;
	kprintf("lvm: %s: %s (/dev/%s), %llu sectors, %u segment(s)\n", path, name, mapper,
		(unsigned long long)ld->dev.sectors, lv->nseg);
	disks_add_stacked(&ld->dev, mapper, path);
}

static void lvm_pass(void)
{
	char *text = pmm_alloc_bytes(LVM_TEXT_MAX);
	struct lvm_node *node = pmm_alloc_bytes(LVM_NODES * sizeof(*node));
	struct lvm_vg *vg = pmm_alloc_bytes(sizeof(*vg));
	unsigned n = blockdev_count();

	if (!text || !node || !vg) {
		kprintf("lvm: no memory to read LVM metadata\n");
		free_bytes(text, LVM_TEXT_MAX);
		free_bytes(node, LVM_NODES * sizeof(*node));
		free_bytes(vg, sizeof(*vg));
		return;
	}
	for (unsigned r = 0; r < n; r++) {
		struct blockdev *d = blockdev_at(r);
		struct lvm_pv_label l;
		size_t len;
		enum lvm_err e = lvm_pv_read(dev_read, d, &l, text, LVM_TEXT_MAX, &len);

		if (e == LVM_ENOLABEL || e == LVM_EIO)
			continue;
		if (!e)
			e = lvm_vg_parse(vg, text, len, node, LVM_NODES);
		if (e) {
			kprintf("lvm: %s: %s; not used\n", d->name, lvm_strerror(e));
			continue;
		}
		note_pv(d, &l, vg);
	}
	for (unsigned i = 0; i < st.nvg; i++)
		for (uint32_t k = 0; k < st.vg[i]->nlv; k++)
			add_lv(st.vg[i], &st.vg[i]->lv[k]);
	free_bytes(text, LVM_TEXT_MAX);
	free_bytes(node, LVM_NODES * sizeof(*node));
	free_bytes(vg, sizeof(*vg));
}

void stack_scan(void)
{
	unsigned before;

	luks_pass(0);
	before = blockdev_count();
	lvm_pass();
	luks_pass(before);               /* LUKS inside a logical volume */
}
