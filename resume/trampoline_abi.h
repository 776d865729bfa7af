/* The contract between the C hand-off (handoff.c, place.c) and trampoline.asm: the
 * argument block and the copy list. The TA_/CL_/TRAMP_ #defines are the one source;
 * the Makefile turns them into build/gen/resume/trampoline_abi.inc for nasm. */
#ifndef THAW_RESUME_TRAMPOLINE_ABI_H
#define THAW_RESUME_TRAMPOLINE_ABI_H

/* struct tramp_args: what the trampoline reads through %rdi. */
#define TA_TEMP_CR3   0         /* physical PML4 (or PML5) of the temporary tables */
#define TA_IMAGE_CR3  8         /* restore_data_record.cr3 */
#define TA_JUMP       16        /* restore_data_record.jump_address (VA) */
#define TA_LIST       24        /* physical address of the first copy-list page, 0 = none */
#define TA_PROTOCOL   32        /* TRAMP_PROTO_* */
#define TA_LEVELS     40        /* paging depth of temp_cr3 and the image: 4 or 5 */
#define TA_SIZE       48

/* Register contract at the jump (Linux arch/x86/power/hibernate_asm_64.S). */
#define TRAMP_PROTO_MODERN 0    /* since ~4.8: %r9 = image cr3 */
#define TRAMP_PROTO_SEED   1    /* 2007 (d158cbdf39ff): %rbx = image cr3 */

/* A copy-list page: a header and CL_PAGE_ENTRIES {src, dst} pairs, chained by
 * physical address. src = 0 means "zero the destination frame". */
#define CL_NEXT       0
#define CL_COUNT      8
#define CL_ENTRIES    16
#define CL_ENT_SRC    0
#define CL_ENT_DST    8
#define CL_ENT_SIZE   16
#define CL_PAGE_ENTRIES 255

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct tramp_args {
	uint64_t temp_cr3;
	uint64_t image_cr3;
	uint64_t jump;
	uint64_t list;
	uint64_t protocol;
	uint64_t levels;
};

struct copy_entry {
	uint64_t src;           /* physical, page aligned; 0 = zero-fill */
	uint64_t dst;           /* physical, page aligned */
};

struct copy_page {
	uint64_t next;          /* physical address of the next page, 0 = last */
	uint64_t count;         /* entries used */
	struct copy_entry e[CL_PAGE_ENTRIES];
};

_Static_assert(offsetof(struct tramp_args, temp_cr3) == TA_TEMP_CR3, "TA_TEMP_CR3");
_Static_assert(offsetof(struct tramp_args, image_cr3) == TA_IMAGE_CR3, "TA_IMAGE_CR3");
_Static_assert(offsetof(struct tramp_args, jump) == TA_JUMP, "TA_JUMP");
_Static_assert(offsetof(struct tramp_args, list) == TA_LIST, "TA_LIST");
_Static_assert(offsetof(struct tramp_args, protocol) == TA_PROTOCOL, "TA_PROTOCOL");
_Static_assert(offsetof(struct tramp_args, levels) == TA_LEVELS, "TA_LEVELS");
_Static_assert(sizeof(struct tramp_args) == TA_SIZE, "TA_SIZE");
_Static_assert(offsetof(struct copy_page, next) == CL_NEXT, "CL_NEXT");
_Static_assert(offsetof(struct copy_page, count) == CL_COUNT, "CL_COUNT");
_Static_assert(offsetof(struct copy_page, e) == CL_ENTRIES, "CL_ENTRIES");
_Static_assert(offsetof(struct copy_entry, src) == CL_ENT_SRC, "CL_ENT_SRC");
_Static_assert(offsetof(struct copy_entry, dst) == CL_ENT_DST, "CL_ENT_DST");
_Static_assert(sizeof(struct copy_entry) == CL_ENT_SIZE, "CL_ENT_SIZE");
_Static_assert(sizeof(struct copy_page) == 4096, "copy_page fills one frame");
#endif

#endif
