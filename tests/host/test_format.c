/* Unit tests for kernel/format.c through ksnprintf (kernel/snprintf.c): every
 * conversion, flag and length modifier the kernel uses, checked against the C
 * library's snprintf where they agree, and the truncation contract. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/console.h"

#define CHECK(...) do {							\
	char want[256], got[256];					\
	int wn = snprintf(want, sizeof(want), __VA_ARGS__);		\
	int gn = ksnprintf(got, sizeof(got), __VA_ARGS__);		\
	assert_string_equal(got, want);					\
	assert_int_equal(gn, wn);					\
} while (0)

static void test_integers(void **state)
{
	(void)state;
	CHECK("%d %i %u", 0, -1, 4000000000u);
	CHECK("%d %d", INT32_MIN, INT32_MAX);
	CHECK("%x %X %o", 0xdeadbeefu, 0xabcdefu, 0777u);
	CHECK("%lld %llu %llx", (long long)INT64_MIN, (unsigned long long)UINT64_MAX,
	      0x0123456789abcdefull);
	CHECK("%ld %lu %zu %zx", -5L, 7UL, (size_t)12345, (size_t)0xfff);
	CHECK("%hd %hu %hhd %hhu %hhx", (short)-3, (unsigned short)65535, (signed char)-7,
	      (unsigned char)250, (unsigned char)0xab);
}

static void test_width_and_flags(void **state)
{
	(void)state;
	CHECK("[%5d] [%-5d] [%05d] [%05d]", 42, 42, 42, -42);
	CHECK("[%016llx] [%8x] [%-8x|]", 0x1234ull, 0xbeefu, 0xbeefu);
	CHECK("[%3d] [%1d]", 12345, 7);
	CHECK("[%*d] [%-*d]", 6, 9, 6, 9);
	CHECK("[%04x]", 0u);
}

static void test_strings_and_chars(void **state)
{
	(void)state;
	CHECK("[%s] [%10s] [%-10s] [%.3s] [%8.2s]", "thaw", "thaw", "thaw", "thaw", "thaw");
	CHECK("[%.*s]", 2, "resume");
	CHECK("%c%c%c %%", 'a', 'b', 'c');
	CHECK("%s", "");
}

/* Formats the compiler would reject in a checked call, passed through unchecked. */
static int unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_pointer(void **state)
{
	char got[64];

	(void)state;
	ksnprintf(got, sizeof(got), "%p", (void *)0x1000);
	assert_string_equal(got, "0x1000");
	ksnprintf(got, sizeof(got), "%p", (void *)0);
	assert_string_equal(got, "0x0");
}

static void test_null_string_and_unknown(void **state)
{
	char got[64];

	(void)state;
	unchecked(got, sizeof(got), "%s", (const char *)NULL);
	assert_string_equal(got, "(null)");
	/* An unknown conversion stays visible instead of eating arguments. */
	unchecked(got, sizeof(got), "a%qb");
	assert_string_equal(got, "a%qb");
	unchecked(got, sizeof(got), "end%");
	assert_string_equal(got, "end%");
}

static void test_truncation(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(ksnprintf(buf, 5, "%s", "abcdefgh"), 8);
	assert_string_equal(buf, "abcd");
	assert_int_equal(buf[5], 'X');          /* nothing written past size */
	assert_int_equal(ksnprintf(buf, 1, "%d", 12345), 5);
	assert_string_equal(buf, "");
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(ksnprintf(buf, 0, "%d", 12345), 5);
	assert_int_equal(buf[0], 'X');
	assert_int_equal(ksnprintf(NULL, 0, "%s-%s", "ab", "cd"), 5);
	assert_int_equal(ksnprintf(buf, sizeof(buf), "1234567"), 7);
	assert_string_equal(buf, "1234567");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_strings_and_chars),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_null_string_and_unknown),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
