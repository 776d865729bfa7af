/* An exact-size buffer for the fuzz targets that is not malloc'd per input: a window at
 * the start of a static arena, every byte outside it ASan-poisoned, so one byte read or
 * written past either end is reported as it would be past a malloc'd buffer of that size.
 * Why: under ASan every allocation above 128 KiB is mmap'd and unmapped again, which cost
 * the targets that handle 128 KiB buffers most of each execution. */
#ifndef THAW_FUZZ_EXACT_BUF_H
#define THAW_FUZZ_EXACT_BUF_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sanitizer/asan_interface.h>

/* Poisoned bytes kept before the window (ASan's own heap redzone is at least 16). */
#define EXACT_GUARD 4096u

/* An arena for windows of up to `max` bytes: EXACT_ARENA(name, max). */
#define EXACT_ARENA(name, max) \
	static uint8_t name[EXACT_GUARD + (max) + EXACT_GUARD] __attribute__((aligned(4096)))

/* The window of `len` bytes (at most the arena's max) in the arena of `size` bytes. Its
 * start is 8-byte aligned, as ASan's shadow needs for an exact lower bound; the upper
 * bound is exact to the byte (ASan's shadow records a partly addressable granule). */
static inline uint8_t *exact_window(uint8_t *arena, size_t size, size_t len)
{
	uint8_t *w = arena + EXACT_GUARD;

	if (len > size - 2 * EXACT_GUARD)
		abort();
	ASAN_POISON_MEMORY_REGION(arena, size);
	ASAN_UNPOISON_MEMORY_REGION(w, len);
	return w;
}

#endif
