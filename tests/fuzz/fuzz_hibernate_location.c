/* Fuzz target: resume/hibernate_location.c over arbitrary variable data.
 * Oracle: no out-of-bounds access or UB (ASan/UBSan; the input is copied into a buffer of
 * exactly its size); the parse is deterministic; on success every kept string is
 * NUL-terminated ASCII within its buffer; appending bytes after the first NUL unit
 * changes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "resume/hibernate_location.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size + 2);
	struct hibernate_location a, b;
	enum hibloc_err ea, eb;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	ea = hibloc_parse(buf, size, &a);
	eb = hibloc_parse(buf, size, &b);
	if (ea != eb || memcmp(&a, &b, sizeof(a)))
		abort();
	if (ea == HIBLOC_OK) {
		check_text(a.uuid, sizeof(a.uuid));
		check_text(a.kernel_version, sizeof(a.kernel_version));
		check_text(a.os_id, sizeof(a.os_id));
		check_text(a.image_id, sizeof(a.image_id));
		/* Bytes after the text's NUL are not part of it. */
		buf[size] = 'x';
		buf[size + 1] = 'y';
		if (size % 2 == 0 && (hibloc_parse(buf, size + 2, &b) != HIBLOC_OK ||
				      memcmp(&a, &b, sizeof(a))))
			abort();
	}
	free(buf);
	return 0;
}
