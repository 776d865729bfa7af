/* Page placement: home frame or staged copy, and the copy list the trampoline
 * replays. Pure: every frame is reached through struct place_env. */
#include "resume/place.h"

#include <stddef.h>
#include <string.h>

#include "lib/page.h"
#include "resume/trampoline_abi.h"

#define PLACE_PAGE 4096u

const char *place_strerror(enum place_err e)
{
	switch (e) {
	case PLACE_OK:      return "ok";
	case PLACE_ENOTRAM: return "image lists a frame that is not RAM on this machine";
	case PLACE_ENOMEM:  return "out of safe frames for staging";
	case PLACE_EORDER:  return "PFN list not in ascending order";
	case PLACE_EFRAME0: return "image lists frame 0, which Linux on x86 never saves "
				   "(the image is not Linux's)";
	}
	return "unknown placement error";
}

void place_init(struct placer *p, const struct place_env *env)
{
	memset(p, 0, sizeof(*p));
	p->env = env;
}

static void place_flush_run(struct placer *p)
{
	if (p->run_len)
		p->env->forbid(p->env->ctx, p->run_start, p->run_len);
	p->run_len = 0;
}

enum place_err place_reserve(struct placer *p, uint64_t pfn)
{
	const struct place_env *env = p->env;

	/* Frame 0 is never in a Linux x86 image: arch/x86/kernel/setup.c
	 * trim_bios_range() turns it into E820_TYPE_RESERVED, e820.c
	 * e820__register_nosave_regions() marks every non-RAM frame nosave, and
	 * kernel/power/snapshot.c saveable_page() skips reserved nosave pages. On a
	 * BIOS machine it is type-1 RAM in the boot map (the real-mode IVT), and thaw
	 * addresses it as a null pointer: refuse it here, before anything is written. */
	if (pfn == 0) {
		p->bad_pfn = 0;
		return PLACE_EFRAME0;
	}
	/* Linux unpack_orig_pfns() requires pfn_valid() and a present zone; here the
	 * boot map's type-1 RAM is the whole truth (docs/hibernation-format.md §5). */
	if (!env->is_ram(env->ctx, pfn)) {
		p->bad_pfn = pfn;
		return PLACE_ENOTRAM;
	}
	if (p->reserved && pfn <= p->last_pfn) {
		p->bad_pfn = pfn;
		return PLACE_EORDER;
	}
	p->last_pfn = pfn;
	p->reserved++;
	if (p->run_len && p->run_start + p->run_len == pfn) {
		p->run_len++;
		return PLACE_OK;
	}
	place_flush_run(p);
	p->run_start = pfn;
	p->run_len = 1;
	return PLACE_OK;
}

void place_reserve_end(struct placer *p)
{
	place_flush_run(p);
}

/* Append {src, dst} to the copy list, growing it by one safe frame when full. */
static enum place_err place_record(struct placer *p, uint64_t src, uint64_t dst)
{
	const struct place_env *env = p->env;
	struct copy_page *page = p->tail ? env->frame(env->ctx, p->tail / PLACE_PAGE) : NULL;

	if (!page || page->count == CL_PAGE_ENTRIES) {
		uint64_t pfn = env->alloc_safe(env->ctx);
		if (!pfn)
			return PLACE_ENOMEM;
		struct copy_page *fresh = env->frame(env->ctx, pfn);
		memset(fresh, 0, sizeof(*fresh));
		if (page)
			page->next = pfn * PLACE_PAGE;
		else
			p->head = pfn * PLACE_PAGE;
		p->tail = pfn * PLACE_PAGE;
		page = fresh;
	}
	page->e[page->count].src = src;
	page->e[page->count].dst = dst;
	page->count++;
	return PLACE_OK;
}

void *place_dest(struct placer *p, uint64_t pfn, enum place_err *err)
{
	const struct place_env *env = p->env;
	uint64_t safe;

	*err = PLACE_OK;
	if (pfn == 0) {                 /* refused by place_reserve(); never reached */
		*err = PLACE_EFRAME0;
		return NULL;
	}
	if (!env->is_thaw(env->ctx, pfn)) {
		p->direct++;
		return env->frame(env->ctx, pfn);
	}
	safe = env->alloc_safe(env->ctx);
	if (!safe) {
		*err = PLACE_ENOMEM;
		return NULL;
	}
	*err = place_record(p, safe * PLACE_PAGE, pfn * PLACE_PAGE);
	if (*err != PLACE_OK)
		return NULL;
	p->staged++;
	return env->frame(env->ctx, safe);
}

enum place_err place_zero(struct placer *p, uint64_t pfn)
{
	const struct place_env *env = p->env;

	if (pfn == 0)                   /* refused by place_reserve(); never reached */
		return PLACE_EFRAME0;
	p->zeroed++;
	if (!env->is_thaw(env->ctx, pfn)) {
		page_zero(env->frame(env->ctx, pfn));
		return PLACE_OK;
	}
	return place_record(p, 0, pfn * PLACE_PAGE);
}

const void *place_lookup(const struct placer *p, uint64_t pfn)
{
	const struct place_env *env = p->env;
	uint64_t at = p->head;

	/* pfn comes from the image's page tables: never touch what is not RAM here. */
	if (!env->is_ram(env->ctx, pfn))
		return NULL;
	if (!env->is_thaw(env->ctx, pfn))
		return env->frame(env->ctx, pfn);
	while (at) {
		const struct copy_page *page = env->frame(env->ctx, at / PLACE_PAGE);
		for (uint64_t i = 0; i < page->count; i++) {
			if (page->e[i].dst != pfn * PLACE_PAGE)
				continue;
			if (!page->e[i].src)
				return NULL;
			return env->frame(env->ctx, page->e[i].src / PLACE_PAGE);
		}
		at = page->next;
	}
	return env->frame(env->ctx, pfn);
}
