/* Unit tests for resume/hibernate_location.c: the JSON systemd's sleep.c writes (swap
 * partition, swap file, with and without os-release fields, extensions), and every
 * malformed shape, each parsed from an exact-size heap copy of its UTF-16LE encoding
 * so ASan sees any overread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "resume/hibernate_location.h"

/* text as UTF-16LE, with a NUL unit unless nul is false; exact-size heap copy. */
static uint8_t *utf16(const char *text, int nul, size_t *len)
{
	size_t n = strlen(text) + (nul ? 1 : 0);
	uint8_t *b = malloc(2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		b[2 * i] = (uint8_t)text[i];
		b[2 * i + 1] = 0;
	}
	*len = 2 * n;
	return b;
}

static enum hibloc_err parse(const char *text, struct hibernate_location *hl)
{
	size_t len;
	uint8_t *b = utf16(text, 1, &len);
	enum hibloc_err e = hibloc_parse(b, len, hl);

	free(b);
	return e;
}

static void swap_partition(void **state)
{
	struct hibernate_location hl;

	(void)state;
	assert_int_equal(parse("{\"uuid\":\"2d3a0c6e-9c8b-4f51-a1a8-0f1e2d3c4b5a\",\"offset\":0,"
			       "\"kernelVersion\":\"6.1.0-56-amd64\",\"osReleaseId\":\"debian\","
			       "\"osReleaseVersionId\":\"12\"}", &hl), HIBLOC_OK);
	assert_string_equal(hl.uuid, "2d3a0c6e-9c8b-4f51-a1a8-0f1e2d3c4b5a");
	assert_int_equal(hl.offset, 0);
	assert_string_equal(hl.kernel_version, "6.1.0-56-amd64");
	assert_string_equal(hl.os_id, "debian");
	assert_string_equal(hl.os_version_id, "12");
	assert_int_equal(hl.has, HIBLOC_HAS_KERNEL | HIBLOC_HAS_OS_ID | HIBLOC_HAS_OS_VERSION_ID);
}

static void swap_file_with_extensions(void **state)
{
	struct hibernate_location hl;

	(void)state;
	assert_int_equal(parse(" {\n \"offset\" : 18446744073709551615 , \"uuid\":\"abc\", "
			       "\"autoSwap\":true,\"x\":[1,{\"y\":null},-2.5e3,\"s\\\"\"],"
			       "\"osReleaseImageId\":\"img\\u0041\\u00e9\\n\","
			       "\"osReleaseImageVersion\":\"1\"} \r\n", &hl), HIBLOC_OK);
	assert_string_equal(hl.uuid, "abc");
	assert_true(hl.offset == UINT64_MAX);
	assert_string_equal(hl.image_id, "imgA?\n");
	assert_string_equal(hl.image_version, "1");
	assert_int_equal(hl.has, HIBLOC_HAS_IMAGE_ID | HIBLOC_HAS_IMAGE_VERSION);
}

static void non_ascii_and_trailing_data(void **state)
{
	struct hibernate_location hl;
	uint8_t b[] = { '{', 0, '"', 0, 'u', 0, 'u', 0, 'i', 0, 'd', 0, '"', 0, ':', 0, '"', 0,
			0xe9, 0x00, 0x3d, 0xd8, '"', 0, ',', 0, '"', 0, 'o', 0, 'f', 0, 'f', 0,
			's', 0, 'e', 0, 't', 0, '"', 0, ':', 0, '7', 0, '}', 0, 0, 0, 'x', 'y' };
	uint8_t *h = malloc(sizeof(b));

	(void)state;
	memcpy(h, b, sizeof(b));
	assert_int_equal(hibloc_parse(h, sizeof(b), &hl), HIBLOC_OK);
	assert_string_equal(hl.uuid, "??");
	assert_int_equal(hl.offset, 7);
	free(h);
}

static void errors(void **state)
{
	static const struct { const char *text; enum hibloc_err want; } cases[] = {
		{ "", HIBLOC_ESYNTAX },
		{ "[]", HIBLOC_ESYNTAX },
		{ "{}", HIBLOC_ENOUUID },
		{ "{\"uuid\":\"a\"}", HIBLOC_ENOOFFSET },
		{ "{\"offset\":1}", HIBLOC_ENOUUID },
		{ "{\"uuid\":\"a\",\"offset\":-1}", HIBLOC_ETYPE },
		{ "{\"uuid\":\"a\",\"offset\":1.5}", HIBLOC_ETYPE },
		{ "{\"uuid\":\"a\",\"offset\":1e3}", HIBLOC_ETYPE },
		{ "{\"uuid\":\"a\",\"offset\":18446744073709551616}", HIBLOC_ETYPE },
		{ "{\"uuid\":\"a\",\"offset\":\"1\"}", HIBLOC_ETYPE },
		{ "{\"uuid\":5,\"offset\":1}", HIBLOC_ETYPE },
		{ "{\"uuid\":\"a\",\"uuid\":\"b\",\"offset\":1}", HIBLOC_EDUP },
		{ "{\"uuid\":\"a\",\"offset\":1,\"offset\":2}", HIBLOC_EDUP },
		{ "{\"uuid\":\"a\",\"offset\":1}x", HIBLOC_ESYNTAX },
		{ "{\"uuid\":\"a\",\"offset\":1,}", HIBLOC_ESYNTAX },
		{ "{\"uuid\":\"a\" \"offset\":1}", HIBLOC_ESYNTAX },
		{ "{\"uuid\":\"a\",\"offset\":}", HIBLOC_ESYNTAX },
		{ "{\"uuid\":\"a\",\"offset\":1", HIBLOC_ESYNTAX },
		{ "{\"uuid\":\"a\\q\",\"offset\":1}", HIBLOC_ESYNTAX },
		{ "{\"uuid\":\"a\\u00g0\",\"offset\":1}", HIBLOC_ESYNTAX },
		{ "{\"uuid\":\"a\",\"offset\":1,\"z\":tru}", HIBLOC_ESYNTAX },
		{ "{\"uuid\":\"a\",\"offset\":1,\"z\":-}", HIBLOC_ESYNTAX },
		{ "{\"uuid\":\"a\",\"offset\":1,\"z\":[[[[[[[[[[]]]]]]]]]]}", HIBLOC_EDEPTH },
		{ "{\"uuid\":\"a\",\"offset\":1,\"z\":[[[[[[[]]]]]]]}", HIBLOC_OK },
		{ "{\"uuid\":\"0123456789012345678901234567890123456789012345678901234567890123\","
		  "\"offset\":1}", HIBLOC_ELONG },
	};
	struct hibernate_location hl;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum hibloc_err e = parse(cases[i].text, &hl);
		if (e != cases[i].want)
			fail_msg("%s: got %d (%s), want %d", cases[i].text, e, hibloc_strerror(e),
				 cases[i].want);
	}
}

static void no_nul_or_odd_length(void **state)
{
	struct hibernate_location hl;
	size_t len;
	uint8_t *b = utf16("{\"uuid\":\"a\",\"offset\":1}", 0, &len);

	(void)state;
	assert_int_equal(hibloc_parse(b, len, &hl), HIBLOC_EUTF16);
	free(b);
	b = utf16("{\"uuid\":\"a\",\"offset\":1}", 1, &len);
	assert_int_equal(hibloc_parse(b, len - 1, &hl), HIBLOC_EUTF16);
	assert_int_equal(hibloc_parse(b, 0, &hl), HIBLOC_EUTF16);
	assert_int_equal(hibloc_parse(b, len, &hl), HIBLOC_OK);
	free(b);
	assert_string_equal(hibloc_strerror(HIBLOC_ENOOFFSET), "no \"offset\" field");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(swap_partition),
		cmocka_unit_test(swap_file_with_extensions),
		cmocka_unit_test(non_ascii_and_trailing_data),
		cmocka_unit_test(errors),
		cmocka_unit_test(no_nul_or_odd_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
