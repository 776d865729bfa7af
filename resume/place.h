/* Page placement for the restore: each image page goes straight to its home frame
 * unless thaw occupies that frame; then it is staged in a safe frame and recorded in
 * the copy list the trampoline replays (Linux kernel/power/snapshot.c get_buffer()). */
#ifndef THAW_RESUME_PLACE_H
#define THAW_RESUME_PLACE_H
#include <stdbool.h>
#include <stdint.h>

/* The only things placement asks of the machine (mm/pmm.c in thaw, a fake in tests). */
struct place_env {
	void *ctx;
	bool (*is_ram)(void *ctx, uint64_t pfn);        /* type-1 RAM in the boot map */
	bool (*is_thaw)(void *ctx, uint64_t pfn);       /* occupied by thaw right now */
	void (*forbid)(void *ctx, uint64_t pfn, uint64_t count);
	uint64_t (*alloc_safe)(void *ctx);              /* a frame nobody lists; 0 if none */
	void *(*frame)(void *ctx, uint64_t pfn);        /* where thaw addresses frame pfn */
};

enum place_err {
	PLACE_OK = 0,
	PLACE_ENOTRAM,          /* a listed frame is not type-1 RAM in the boot map */
	PLACE_ENOMEM,           /* no safe frame left for staging or the copy list */
	PLACE_EORDER,           /* PFNs not strictly ascending */
	PLACE_EFRAME0,          /* frame 0 listed: Linux on x86 never saves it */
};

const char *place_strerror(enum place_err e);

struct placer {
	const struct place_env *env;
	uint64_t reserved;      /* reservation: PFNs accepted so far */
	uint64_t last_pfn;      /* reservation: the last PFN seen, for ordering */
	uint64_t run_start, run_len;    /* reservation: pending forbid run */
	uint64_t bad_pfn;       /* the PFN that caused PLACE_ENOTRAM/EORDER/EFRAME0 */
	uint64_t head, tail;    /* copy list: first and current page (physical) */
	uint64_t direct, staged, zeroed;        /* counters for the summary line */
};

void place_init(struct placer *p, const struct place_env *env);

/* Reservation phase: feed every listed PFN (zero flag masked off) in ascending
 * order, then place_reserve_end(). Refuses non-RAM frames before anything is
 * written; forbids each listed frame to the allocator. */
enum place_err place_reserve(struct placer *p, uint64_t pfn);
void place_reserve_end(struct placer *p);

/* Where the data of frame pfn must be written now: its home frame, or a freshly
 * staged safe frame recorded in the copy list. NULL with *err set on failure
 * (never NULL with PLACE_OK). */
void *place_dest(struct placer *p, uint64_t pfn, enum place_err *err);

/* Frame pfn must end up all zero (zero-flagged in the PFN list). */
enum place_err place_zero(struct placer *p, uint64_t pfn);

/* Current content of frame pfn as the image will see it after the copy (for walking
 * the image's page tables before the jump). NULL when it will be all zero or pfn is
 * not RAM. */
const void *place_lookup(const struct placer *p, uint64_t pfn);

#endif
