/* Unit tests for kernel/cmdline.c: defaults, every option, quoting, unknown and
 * malformed options (reported, counted, never fatal). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/cmdline.h"

static char warned[8][256];
static int nwarned;

static void record(const char *msg, const char *option)
{
	if (nwarned < 8)
		snprintf(warned[nwarned], sizeof(warned[0]), "%s: %s", msg, option);
	nwarned++;
}

static int parse(const char *s, struct options *o)
{
	nwarned = 0;
	memset(warned, 0, sizeof(warned));
	return cmdline_parse(s, o, record);
}

static void test_defaults(void **state)
{
	struct options o;

	(void)state;
	memset(&o, 0xA5, sizeof(o));
	assert_int_equal(parse("", &o), 0);
	assert_string_equal(o.resume, "");
	assert_int_equal(o.resume_offset, 0);
	assert_false(o.noresume);
	assert_int_equal(o.loglevel, 4);
	assert_int_equal(o.on_fail, ON_FAIL_WAIT_REBOOT);
	assert_int_equal(o.e820, E820_ENFORCE);
	assert_int_equal(o.delay_s, 0);
	assert_int_equal(o.smp_max, CMDLINE_SMP_ALL);
	assert_false(o.test_exit);
	assert_int_equal(o.acpi_rsdp, 0);
	assert_string_equal(o.test, "");
	assert_int_equal(parse(NULL, &o), 0);
	assert_int_equal(o.loglevel, 4);
}

static void test_all_options(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse("resume=UUID=1234-abcd resume_offset=34816 noresume loglevel=7 "
			       "thaw.on_fail=poweroff thaw.e820=ignore thaw.delay=3 thaw.test_exit "
			       "acpi_rsdp=0xf5a40 thaw.test=fault", &o), 0);
	assert_string_equal(o.resume, "UUID=1234-abcd");
	assert_int_equal(o.resume_offset, 34816);
	assert_true(o.noresume);
	assert_int_equal(o.loglevel, 7);
	assert_int_equal(o.on_fail, ON_FAIL_POWEROFF);
	assert_int_equal(o.e820, E820_IGNORE);
	assert_int_equal(o.delay_s, 3);
	assert_true(o.test_exit);
	assert_int_equal(o.acpi_rsdp, 0xf5a40);
	assert_string_equal(o.test, "fault");
}

static void test_on_fail_values(void **state)
{
	struct options o;

	(void)state;
	parse("thaw.on_fail=halt", &o);
	assert_int_equal(o.on_fail, ON_FAIL_HALT);
	parse("thaw.on_fail=reboot", &o);
	assert_int_equal(o.on_fail, ON_FAIL_REBOOT);
	parse("thaw.on_fail=wait", &o);
	assert_int_equal(o.on_fail, ON_FAIL_WAIT_REBOOT);
	assert_int_equal(parse("thaw.on_fail=explode", &o), 1);
	assert_int_equal(o.on_fail, ON_FAIL_WAIT_REBOOT);
}

static void test_smp(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse("thaw.smp=0", &o), 0);
	assert_int_equal(o.smp_max, 0);
	assert_int_equal(parse("thaw.smp=3", &o), 0);
	assert_int_equal(o.smp_max, 3);
	assert_int_equal(parse("thaw.smp=4096", &o), 0);
	assert_int_equal(o.smp_max, 4096);
	/* Malformed or too large: reported, and the default (every CPU) stays. */
	assert_int_equal(parse("thaw.smp=4097", &o), 1);
	assert_int_equal(o.smp_max, CMDLINE_SMP_ALL);
	assert_int_equal(parse("thaw.smp=-1", &o), 1);
	assert_int_equal(o.smp_max, CMDLINE_SMP_ALL);
	assert_int_equal(parse("thaw.smp= thaw.smp", &o), 2);
	assert_int_equal(o.smp_max, CMDLINE_SMP_ALL);
}

static void test_whitespace_and_quotes(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse("  \tresume=\"/dev/disk/by-label/my swap\"\n  loglevel=1  ", &o), 0);
	assert_string_equal(o.resume, "/dev/disk/by-label/my swap");
	assert_int_equal(o.loglevel, 1);
	/* The last occurrence wins, as in Linux. */
	parse("resume=/dev/vda1 resume=/dev/vdb2", &o);
	assert_string_equal(o.resume, "/dev/vdb2");
}

static void test_unknown_reported(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse("quiet thaw.bogus=1 resume=/dev/vda", &o), 2);
	assert_int_equal(nwarned, 2);
	assert_string_equal(warned[0], "unknown option ignored: quiet");
	assert_string_equal(warned[1], "unknown option ignored: thaw.bogus=1");
	assert_string_equal(o.resume, "/dev/vda");   /* parsing went on */
	/* A prefix of a known key is not that key. */
	assert_int_equal(parse("resum=/dev/vda resume_offsetx=1", &o), 2);
	assert_string_equal(o.resume, "");
}

static void test_malformed_values(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse("resume_offset=12abc loglevel=99 thaw.delay=-1 acpi_rsdp=0 "
			       "resume_offset= loglevel", &o), 6);
	assert_int_equal(o.resume_offset, 0);
	assert_int_equal(o.loglevel, 4);
	assert_int_equal(o.acpi_rsdp, 0);
	/* Flags do not take values. */
	assert_int_equal(parse("noresume=1 thaw.test_exit=yes", &o), 2);
	assert_false(o.noresume);
	assert_string_equal(warned[0], "option takes no value: noresume=1");
}

static void test_number_limits(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse("resume_offset=0xFFFFFFFFFFFFFFFF", &o), 0);
	assert_int_equal(o.resume_offset, UINT64_MAX);
	assert_int_equal(parse("resume_offset=18446744073709551615", &o), 0);
	assert_int_equal(o.resume_offset, UINT64_MAX);
	assert_int_equal(parse("resume_offset=18446744073709551616", &o), 1);
	assert_int_equal(parse("resume_offset=0x10000000000000000", &o), 1);
	assert_int_equal(parse("resume_offset=0x", &o), 1);
}

static void test_long_values(void **state)
{
	struct options o;
	char line[600], big[400];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* Longer than the token buffer: reported, not truncated into a wrong value. */
	snprintf(line, sizeof(line), "resume=%s loglevel=2", big);
	assert_int_equal(parse(line, &o), 1);
	assert_string_equal(o.resume, "");
	assert_int_equal(o.loglevel, 2);
	/* Fits the token but not options.resume[128]. */
	snprintf(line, sizeof(line), "resume=%.150s", big);
	assert_int_equal(parse(line, &o), 1);
	assert_string_equal(o.resume, "");
}

static void test_null_warn_callback(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(cmdline_parse("bogus loglevel=x", &o, NULL), 2);
}

static void test_secret_refused_not_echoed(void **state)
{
	struct options o;
	char line[700], big[500];

	(void)state;
	assert_int_equal(parse("thaw.luks_key=hunter2 loglevel=3", &o), 1);
	assert_int_equal(o.loglevel, 3);
	assert_int_equal(nwarned, 1);
	assert_null(strstr(warned[0], "hunter2"));
	assert_non_null(strstr(warned[0], "refused"));
	/* Quoted, bare, or longer than the token buffer: refused, never repeated. */
	assert_int_equal(parse("\"thaw.luks_key=hunter 2\"", &o), 1);
	assert_null(strstr(warned[0], "hunter"));
	assert_int_equal(parse("thaw.luks_key", &o), 1);
	memset(big, 's', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(line, sizeof(line), "thaw.luks_key=%s", big);
	assert_int_equal(parse(line, &o), 1);
	assert_null(strstr(warned[0], "sss"));
	/* Not the secret option: reported as unknown as before. */
	assert_int_equal(parse("thaw.luks_keyfile=x", &o), 1);
	assert_non_null(strstr(warned[0], "unknown"));
}

static void redacts(const char *in, const char *want)
{
	char out[256];

	cmdline_redact(in, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_redact(void **state)
{
	char out[16], big[600], line[700];

	(void)state;
	redacts("", "");
	redacts("resume=/dev/vda loglevel=7", "resume=/dev/vda loglevel=7");
	redacts("a  thaw.luks_key=hunter2\tb", "a  thaw.luks_key=(hidden)\tb");
	redacts("thaw.luks_key=\"two words\" x", "thaw.luks_key=(hidden) x");
	redacts("\"thaw.luks_key=two words\"", "thaw.luks_key=(hidden)");
	redacts("thaw.luks_key thaw.luks_keyfile=k", "thaw.luks_key=(hidden) thaw.luks_keyfile=k");
	redacts("x=1 thaw.luks_key=a thaw.luks_key=b", "x=1 thaw.luks_key=(hidden) "
		"thaw.luks_key=(hidden)");
	/* Cut short when out is small: terminated, never a byte of the secret. */
	cmdline_redact("thaw.luks_key=hunter2", out, sizeof(out));
	assert_string_equal(out, "thaw.luks_key=(");
	cmdline_redact("loglevel=7 resume=/dev/vda", out, sizeof(out));
	assert_string_equal(out, "loglevel=7 resu");
	cmdline_redact("abc", out, 1);
	assert_string_equal(out, "");
	cmdline_redact(NULL, out, sizeof(out));
	assert_string_equal(out, "");
	memset(big, 'p', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(line, sizeof(line), "thaw.luks_key=%s z", big);
	redacts(line, "thaw.luks_key=(hidden) z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_secret_refused_not_echoed),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_on_fail_values),
		cmocka_unit_test(test_smp),
		cmocka_unit_test(test_whitespace_and_quotes),
		cmocka_unit_test(test_unknown_reported),
		cmocka_unit_test(test_malformed_values),
		cmocka_unit_test(test_number_limits),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_null_warn_callback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
