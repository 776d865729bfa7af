/* Fuzz target: block/resume_spec.c and block/uuid.c.
 * Oracle: for any NUL-terminated resume= value, resume_spec_parse never reads past
 * the terminator or crashes; when it accepts the value, describing the result and
 * parsing that description again gives the same spec (the printed form is exact). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "resume/resume_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resume_spec a, b;
	char *s = malloc(size + 1), desc[RSPEC_TEXT_MAX + 64];

	memcpy(s, data, size);
	s[size] = '\0';
	if (resume_spec_parse(s, &a) == RSPEC_OK && a.kind != RSPEC_NONE) {
		resume_spec_describe(&a, desc, sizeof(desc));
		if (resume_spec_parse(desc, &b) != RSPEC_OK || memcmp(&a, &b, sizeof(a)) != 0)
			abort();
	}
	free(s);
	return 0;
}
