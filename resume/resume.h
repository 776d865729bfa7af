/* The resume itself, as kmain calls it once the disks are up: locate → header →
 * checks → map chain → PFN list → pages → verify → commit → hand-off. */
#ifndef THAW_RESUME_RESUME_H
#define THAW_RESUME_RESUME_H

struct boot_info;
struct options;

/* Never returns: either jumps into the resumed kernel or ends the run through
 * kernel/stop.h (nothing to resume, or a refused image left untouched). */
__attribute__((noreturn)) void resume_main(const struct boot_info *bi, const struct options *o);

#endif
