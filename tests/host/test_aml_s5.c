/* Unit tests for kernel/aml_s5.c: \_S5_ package encodings firmware emits (BytePrefix,
 * ZeroOp/OneOp, multi-byte PkgLength, root-prefixed name), references that are not
 * definitions, and truncated packages at the very end of the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/aml_s5.h"

/* Run on an exact-size heap copy so ASan catches any read past the end. */
static bool find(const char *aml, size_t len, uint8_t *a, uint8_t *b)
{
	uint8_t *copy = malloc(len ? len : 1);
	bool r;

	assert_non_null(copy);
	memcpy(copy, aml, len);
	*a = *b = 0xEE;
	r = aml_find_s5(copy, len, a, b);
	free(copy);
	return r;
}

#define FIND(lit, a, b) find(lit, sizeof(lit) - 1, a, b)

static void test_byte_prefix(void **state)
{
	uint8_t a, b;

	(void)state;
	/* QEMU's DSDT: Name (_S5, Package (0x04) { 0x05, 0x05, Zero, Zero }). */
	assert_true(FIND("junk\x08_S5_\x12\x0a\x04\x0a\x05\x0a\x05\x00\x00", &a, &b));
	assert_int_equal(a, 5);
	assert_int_equal(b, 5);
}

static void test_zero_one_and_root(void **state)
{
	uint8_t a, b;

	(void)state;
	assert_true(FIND("\x08\\_S5_\x12\x06\x04\x00\x01\x00\x00", &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
}

static void test_two_byte_pkglength_and_word(void **state)
{
	uint8_t a, b;

	(void)state;
	assert_true(FIND("\x08_S5_\x12\x40\x01\x02\x0b\x07\x00\x0a\x06", &a, &b));
	assert_int_equal(a, 7);
	assert_int_equal(b, 6);
}

/* A use of _S5_ that is not its definition is skipped; the definition later is found. */
static void test_reference_then_definition(void **state)
{
	uint8_t a, b;

	(void)state;
	assert_true(FIND("\x70_S5_\x60" "\x08_S5_\x12\x06\x02\x0a\x03\x0a\x04", &a, &b));
	assert_int_equal(a, 3);
	assert_int_equal(b, 4);
	assert_false(FIND("\x70_S5_\x60\x12\x06\x02\x0a\x03\x0a\x04", &a, &b));
}

static void test_absent_and_truncated(void **state)
{
	uint8_t a, b;

	(void)state;
	assert_false(find("", 0, &a, &b));
	assert_false(FIND("_S5_", &a, &b));
	assert_false(FIND("\x08_S5_", &a, &b));
	assert_false(FIND("\x08_S5_\x12", &a, &b));
	assert_false(FIND("\x08_S5_\x12\x06", &a, &b));
	assert_false(FIND("\x08_S5_\x12\x06\x02\x0a", &a, &b));
	assert_false(FIND("\x08_S5_\x12\x06\x02\x0a\x05\x0a", &a, &b));
	assert_false(FIND("\x08_S5_\x12\xc0\x01\x02", &a, &b));     /* 3 extra PkgLength bytes */
	/* Fewer than two elements, or a non-integer element. */
	assert_false(FIND("\x08_S5_\x12\x04\x01\x0a\x05", &a, &b));
	assert_false(FIND("\x08_S5_\x12\x06\x02\x0d\x41\x00", &a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byte_prefix),
		cmocka_unit_test(test_zero_one_and_root),
		cmocka_unit_test(test_two_byte_pkglength_and_word),
		cmocka_unit_test(test_reference_then_definition),
		cmocka_unit_test(test_absent_and_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
