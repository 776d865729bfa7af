/* Unit tests for resume/commit.c over a RAM disk (tests/host/memdisk.h): the one disk
 * write of a resume puts the original swap signature back, and every way it can go
 * wrong — header unreadable or changed, write, flush or read-back failing, a device
 * that drops the write — is told apart, with nothing written when it must not be. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "image/swsusp_format.h"
#include "resume/commit.h"
#include "tests/host/memdisk.h"

#define OFFSET 5                /* the header's 4 KiB block (resume_offset) */
#define IMAGE_BLOCK 77

static struct memdisk m;
static struct img_header loaded;
static uint8_t page[4096];

static struct swsusp_header *hdr(void)
{
	return (struct swsusp_header *)(m.data + OFFSET * 4096);
}

static int setup(void **state)
{
	struct swsusp_header *h;

	(void)state;
	memdisk_init(&m, "vda", 64 * 8);
	h = hdr();
	memset(h->reserved, 0x5c, sizeof(h->reserved));     /* mkswap's part: kept */
	h->image = IMAGE_BLOCK;
	h->flags = SF_CRC32_MODE | SF_PLATFORM_MODE;
	h->crc32 = 0x12345678;
	memcpy(h->orig_sig, "SWAPSPACE2", 10);
	memcpy(h->sig, "S1SUSPEND\0", 10);
	assert_int_equal(img_header_parse(h, 4096, &loaded), IMG_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	memdisk_free(&m);
	return 0;
}

static bool still_hibernated(void)
{
	return memcmp(hdr()->sig, "S1SUSPEND\0", 10) == 0;
}

static void test_commit_ok(void **state)
{
	uint8_t rest[4086];

	(void)state;
	memcpy(rest, hdr(), sizeof(rest));
	assert_int_equal(commit_invalidate(&m.bd, OFFSET, &loaded, page), COMMIT_OK);
	assert_memory_equal(hdr()->sig, "SWAPSPACE2", 10);
	assert_memory_equal(hdr(), rest, sizeof(rest));  /* only the signature changed */
	assert_int_equal(m.writes, 1);
	assert_int_equal(m.flushes, 1);
	assert_int_equal(m.reads, 2);                    /* the check and the read-back */
	/* The old-format magic is restored as it was. */
	teardown(state);
	setup(state);
	memcpy(hdr()->orig_sig, "SWAP-SPACE", 10);
	assert_int_equal(img_header_parse(hdr(), 4096, &loaded), IMG_OK);
	assert_int_equal(commit_invalidate(&m.bd, OFFSET, &loaded, page), COMMIT_OK);
	assert_memory_equal(hdr()->sig, "SWAP-SPACE", 10);
}

static void test_header_unreadable(void **state)
{
	(void)state;
	m.bad_sector = OFFSET * 8 + 7;
	assert_int_equal(commit_invalidate(&m.bd, OFFSET, &loaded, page), COMMIT_EREAD);
	assert_int_equal(m.writes, 0);
	assert_true(still_hibernated());
}

/* The header no longer describes the image that was loaded: write nothing. */
static void test_header_changed(void **state)
{
	(void)state;
	hdr()->image = IMAGE_BLOCK + 1;
	assert_int_equal(commit_invalidate(&m.bd, OFFSET, &loaded, page), COMMIT_ECHANGED);
	hdr()->image = IMAGE_BLOCK;
	hdr()->flags |= SF_HW_SIG;
	assert_int_equal(commit_invalidate(&m.bd, OFFSET, &loaded, page), COMMIT_ECHANGED);
	hdr()->flags = loaded.flags;
	memcpy(hdr()->sig, "SWAPSPACE2", 10);                /* someone discarded it */
	assert_int_equal(commit_invalidate(&m.bd, OFFSET, &loaded, page), COMMIT_ECHANGED);
	assert_int_equal(m.writes, 0);
}

static void test_write_fails(void **state)
{
	(void)state;
	m.write_err = BLK_EIO;
	assert_int_equal(commit_invalidate(&m.bd, OFFSET, &loaded, page), COMMIT_EWRITE);
	assert_int_equal(m.flushes, 0);
}

static void test_flush_fails(void **state)
{
	(void)state;
	m.flush_err = BLK_ETIMEDOUT;
	assert_int_equal(commit_invalidate(&m.bd, OFFSET, &loaded, page), COMMIT_EFLUSH);
	assert_int_equal(m.writes, 1);
	assert_int_equal(m.reads, 1);                    /* no read-back after a failed flush */
}

/* Written and flushed, but the read-back fails: not known to be invalidated. */
static void test_readback_fails(void **state)
{
	(void)state;
	m.fail_reads_after = 1;
	/* Written and flushed: its own code, not the "nothing written" COMMIT_EREAD. */
	assert_int_equal(commit_invalidate(&m.bd, OFFSET, &loaded, page), COMMIT_EREADBACK);
	assert_int_equal(m.writes, 1);
	assert_int_equal(m.flushes, 1);
	assert_int_equal(m.reads, 2);
	assert_false(still_hibernated());
}

/* A device that acknowledges the write and keeps the old data. */
static void test_write_dropped(void **state)
{
	(void)state;
	m.drop_writes = true;
	assert_int_equal(commit_invalidate(&m.bd, OFFSET, &loaded, page), COMMIT_EVERIFY);
	assert_true(still_hibernated());
}

static void test_offset_past_end(void **state)
{
	(void)state;
	assert_int_equal(commit_invalidate(&m.bd, 64, &loaded, page), COMMIT_EREAD);
	assert_int_equal(m.writes, 0);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(commit_strerror(COMMIT_EVERIFY),
			    "the swap header still says S1SUSPEND after the write");
	assert_string_equal(commit_strerror(COMMIT_EREAD),
			    "could not read the swap header before resetting it");
	assert_string_equal(commit_strerror(COMMIT_EREADBACK),
			    "the swap header was reset and flushed, but reading it back failed");
	assert_string_equal(commit_strerror((enum commit_err)99), "unknown commit error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readback_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offset_past_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strerror, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
