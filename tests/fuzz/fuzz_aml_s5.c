/* Fuzz target: kernel/aml_s5.c's \_S5_ search over arbitrary DSDT bytes.
 * Oracle: no out-of-bounds access or UB (ASan/UBSan; the input is copied into a buffer
 * of exactly its size); a reported result is backed by a "_S5_" name in the input; the
 * search is deterministic. */
#define _GNU_SOURCE     /* memmem */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/aml_s5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	uint8_t a = 0, b = 0, a2 = 0, b2 = 0;
	bool found, again;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	found = aml_find_s5(buf, size, &a, &b);
	again = aml_find_s5(buf, size, &a2, &b2);
	if (found != again || (found && (a != a2 || b != b2)))
		abort();
	if (found && (size < 4 || !memmem(buf, size, "_S5_", 4)))
		abort();
	free(buf);
	return 0;
}
