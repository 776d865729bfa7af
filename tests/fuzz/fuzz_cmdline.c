/* Fuzz target: kernel/cmdline.c over an arbitrary command line (the input, NUL-
 * terminated). Oracle: no out-of-bounds access or UB (ASan/UBSan); the string fields
 * of struct options are NUL-terminated inside their arrays; the returned warning
 * count equals the number of warn() calls; loglevel stays 0..15. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int calls;

static void count(const char *msg, const char *option)
{
	if (!msg || !option || strlen(option) >= 256)
		abort();
	calls++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct options o;
	int n;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	calls = 0;
	n = cmdline_parse(s, &o, count);
	if (n != calls || n < 0)
		abort();
	if (strnlen(o.resume, sizeof(o.resume)) == sizeof(o.resume) ||
	    strnlen(o.test, sizeof(o.test)) == sizeof(o.test))
		abort();
	if (o.loglevel < 0 || o.loglevel > 15)
		abort();
	free(s);
	return 0;
}
