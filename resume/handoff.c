/* Hand-off decisions and tables: which paging depth the image uses, the temporary
 * tables (identity map of RAM + the entry point) and the trampoline's frame. Linux
 * arch/x86/power/hibernate_64.c set_up_temporary_mappings() does the same for its own
 * boot kernel; the image kernel's restore_registers is the contract. */
#include "resume/handoff.h"

#include <string.h>

#include "kernel/x86.h"
#include "resume/pgmode.h"
#include "resume/trampoline_abi.h"

#define KERNEL_HALF     0xffff800000000000ull   /* lowest upper-half (kernel) VA, 4-level */
/* Before ~4.8 the image text was mapped at __START_KERNEL_map = phys + this. */
#define START_KERNEL_MAP 0xffffffff80000000ull

_Static_assert(HANDOFF_TRAMP_ARGS_OFF + sizeof(struct tramp_args) <= PAGE_SIZE_4K, "args fit");

const char *handoff_strerror(enum handoff_err e)
{
	switch (e) {
	case HANDOFF_OK:        return "ok";
	case HANDOFF_ENOMEM:    return "no safe frame left for the hand-off page tables";
	case HANDOFF_EJUMP:     return "jump address is not a kernel address";
	case HANDOFF_EUNMAPPED: return "the image's page tables do not map restore_registers "
				       "(as 4-level or as 5-level tables)";
	case HANDOFF_ELA57:     return "the image uses 5-level paging, which this CPU lacks "
				       "(CPUID LA57); it was made on another machine";
	case HANDOFF_ENONX:     return "the CPU lacks NX, which the image's page tables use";
	}
	return "unknown hand-off error";
}

static const void *image_frame(void *ctx, uint64_t pfn)
{
	return place_lookup(ctx, pfn);
}

bool handoff_walk(const struct placer *p, uint64_t cr3, int levels, uint64_t va, uint64_t *pa)
{
	return pgmode_walk(image_frame, (void *)p, cr3, levels, va, pa);
}

/* A zeroed safe frame (physical address), 0 if none is left. */
static uint64_t safe_frame(const struct placer *p)
{
	const struct place_env *env = p->env;
	uint64_t pfn = env->alloc_safe(env->ctx);

	if (pfn)
		memset(env->frame(env->ctx, pfn), 0, PAGE_SIZE_4K);
	return pfn * PAGE_SIZE_4K;
}

/* A zeroed frame for the tables' root or the trampoline: below 4 GiB when the
 * trampoline switches depth. */
static uint64_t tramp_frame(const struct handoff *h, const struct placer *p,
			    const struct handoff_env *env)
{
	const struct place_env *pe = p->env;
	uint64_t pfn;

	if (!h->switch_levels)
		return safe_frame(p);
	pfn = env->alloc_low ? env->alloc_low(pe->ctx) : 0;
	if (pfn)
		memset(pe->frame(pe->ctx, pfn), 0, PAGE_SIZE_4K);
	return pfn * PAGE_SIZE_4K;
}

static uint64_t *table_at(const struct placer *p, uint64_t phys)
{
	return p->env->frame(p->env->ctx, (phys & PTE_ADDR) / PAGE_SIZE_4K);
}

/* The next-level table under entry idx of table t, allocated if absent. */
static uint64_t *temp_child(struct handoff *h, const struct placer *p, uint64_t *t, unsigned idx)
{
	if (!(t[idx] & PTE_PRESENT)) {
		uint64_t frame = safe_frame(p);
		if (!frame)
			return NULL;
		h->table_frames++;
		t[idx] = frame | PTE_PRESENT | PTE_WRITE;
	}
	return table_at(p, t[idx]);
}

/* Map va → pa with one page of size 4 KiB (leaf_level 1) or 2 MiB (2), executable. */
static bool temp_map(struct handoff *h, const struct placer *p, uint64_t va, uint64_t pa,
		     int leaf_level)
{
	uint64_t *t = table_at(p, h->temp_cr3);

	for (int l = h->levels; l > leaf_level; l--) {
		t = temp_child(h, p, t, (va >> (12 + 9 * (l - 1))) & 511);
		if (!t)
			return false;
	}
	t[(va >> (12 + 9 * (leaf_level - 1))) & 511] =
		pa | PTE_PRESENT | PTE_WRITE | (leaf_level == 2 ? PTE_LARGE : 0);
	return true;
}

/* Identity map of RAM only, for the copy loop (format doc §3.3): 2 MiB pages where
 * the whole 2 MiB is RAM (the placer's is_ram: type-1 in the boot map), 4 KiB pages
 * for the RAM frames of a partly-RAM 2 MiB, nothing for holes. MMIO (VGA, the PCI
 * hole, the APICs, flash) is never mapped write-back: the CPU may read ahead or
 * speculate into any write-back mapping. */
static bool temp_identity_2m(struct handoff *h, const struct placer *p, uint64_t a)
{
	const struct place_env *env = p->env;
	uint64_t pfn = a >> 12, ram = 0;

	for (uint64_t i = 0; i < PT_ENTRIES; i++)
		ram += env->is_ram(env->ctx, pfn + i);
	if (ram == PT_ENTRIES)
		return temp_map(h, p, a, a, 2);
	for (uint64_t i = 0; ram && i < PT_ENTRIES; i++) {
		uint64_t at = a + i * PAGE_SIZE_4K;

		if (env->is_ram(env->ctx, pfn + i) && !temp_map(h, p, at, at, 1))
			return false;
	}
	return true;
}

static bool temp_identity(struct handoff *h, const struct placer *p, uint64_t max_pfn)
{
	uint64_t top = (max_pfn << 12) + PAGE_SIZE_2M - 1;

	for (uint64_t a = 0; a < (top & ~(PAGE_SIZE_2M - 1)); a += PAGE_SIZE_2M)
		if (!temp_identity_2m(h, p, a))
			return false;
	return true;
}

/* jump_address → jump_address_phys: 2 MiB like Linux when both share the offset in
 * the 2 MiB page, else the two 4 KiB pages from the entry point on. */
static bool temp_text(struct handoff *h, const struct placer *p)
{
	if ((h->jump & (PAGE_SIZE_2M - 1)) == (h->jump_phys & (PAGE_SIZE_2M - 1)))
		return temp_map(h, p, h->jump & ~(PAGE_SIZE_2M - 1), h->jump_phys & ~(PAGE_SIZE_2M - 1), 2);
	for (uint64_t off = 0; off < 2 * PAGE_SIZE_4K; off += PAGE_SIZE_4K)
		if (!temp_map(h, p, (h->jump & ~(PAGE_SIZE_4K - 1)) + off,
			      (h->jump_phys & ~(PAGE_SIZE_4K - 1)) + off, 1))
			return false;
	return true;
}

static enum handoff_err temp_tables(struct handoff *h, const struct placer *p,
				    const struct handoff_env *env)
{
	h->temp_cr3 = tramp_frame(h, p, env);
	if (!h->temp_cr3)
		return HANDOFF_ENOMEM;
	h->table_frames = 1;
	if (!temp_identity(h, p, env->max_pfn) || !temp_text(h, p))
		return HANDOFF_ENOMEM;
	return HANDOFF_OK;
}

/* The jump address must be a kernel address; the 2007 record has no jump_phys, so
 * it is derived from the fixed kernel-text mapping of those kernels. */
static enum handoff_err check_jump(struct handoff *h)
{
	if (h->jump < KERNEL_HALF)
		return HANDOFF_EJUMP;
	if (h->protocol == TRAMP_PROTO_SEED) {
		if (h->jump < START_KERNEL_MAP)
			return HANDOFF_EJUMP;
		h->jump_phys = h->jump - START_KERNEL_MAP;
	}
	return HANDOFF_OK;
}

static enum handoff_err copy_trampoline(struct handoff *h, const struct placer *p,
					const struct handoff_env *env)
{
	h->tramp = tramp_frame(h, p, env);
	if (!h->tramp)
		return HANDOFF_ENOMEM;
	memcpy(table_at(p, h->tramp), env->tramp_code, env->tramp_len);
	return HANDOFF_OK;
}

enum handoff_err handoff_prepare(struct handoff *h, const struct placer *p,
				 const struct handoff_env *env)
{
	enum handoff_err err;

	if (!env->cpu_nx)
		return HANDOFF_ENONX;
	err = check_jump(h);
	if (err != HANDOFF_OK)
		return err;
	/* Records without cr3 (2007 seed): restore_registers loads its own tables. */
	h->levels = h->image_cr3 ? pgmode_image_levels(image_frame, (void *)p, h->image_cr3,
							h->jump, h->jump_phys) : env->cpu_levels;
	if (!h->levels)
		return HANDOFF_EUNMAPPED;
	switch (pgmode_plan(env->cpu_levels, env->cpu_la57, h->levels)) {
	case PGMODE_ENOLA57:
		return HANDOFF_ELA57;
	case PGMODE_SWITCH:
		h->switch_levels = true;
		break;
	case PGMODE_KEEP:
		h->switch_levels = false;
		break;
	}
	err = temp_tables(h, p, env);
	if (err != HANDOFF_OK)
		return err;
	return copy_trampoline(h, p, env);
}
