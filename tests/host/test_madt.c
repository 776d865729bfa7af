/* Unit tests for kernel/madt.c: an MADT as QEMU builds it (two LAPICs, one IOAPIC,
 * ISA overrides, an NMI entry the parser skips), x2APIC and online-capable
 * processors, full arrays, and every malformed shape (short, wrong signature, bad
 * lengths), each parsed from an exact-size heap copy so ASan sees any overread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/madt.h"

struct table {
	uint8_t b[512];
	size_t len;
};

static void put(struct table *t, const void *p, size_t n)
{
	assert_true(t->len + n <= sizeof(t->b));
	memcpy(t->b + t->len, p, n);
	t->len += n;
}

/* The fixed part: "APIC", length patched by finish(), LAPIC base, PCAT_COMPAT. */
static void start(struct table *t)
{
	struct acpi_madt m = { .lapic_address = 0xfee00000, .flags = MADT_PCAT_COMPAT };

	memcpy(m.header.signature, "APIC", 4);
	t->len = 0;
	put(t, &m, sizeof(m));
}

static void finish(struct table *t)
{
	uint32_t len = (uint32_t)t->len;

	memcpy(t->b + offsetof(struct acpi_header, length), &len, sizeof(len));
}

static void lapic(struct table *t, uint8_t id, uint32_t flags)
{
	struct madt_lapic_entry e = { { MADT_TYPE_LAPIC, sizeof(e) }, id, id, flags };

	put(t, &e, sizeof(e));
}

static void ioapic(struct table *t, uint8_t id, uint32_t addr, uint32_t gsi)
{
	struct madt_ioapic_entry e = { { MADT_TYPE_IOAPIC, sizeof(e) }, id, 0, addr, gsi };

	put(t, &e, sizeof(e));
}

static void override(struct table *t, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	struct madt_override_entry e = { { MADT_TYPE_OVERRIDE, sizeof(e) }, 0, irq, gsi, flags };

	put(t, &e, sizeof(e));
}

static struct madt_lapic lapics[8];
static struct madt_ioapic ioapics[4];
static struct madt_override overrides[8];

static enum madt_err parse_len(const struct table *t, size_t len, struct madt_info *mi)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum madt_err e;

	assert_non_null(copy);
	memcpy(copy, t->b, len);
	*mi = (struct madt_info){
		.lapic = lapics, .lapic_cap = 8,
		.ioapic = ioapics, .ioapic_cap = 4,
		.override = overrides, .override_cap = 8,
	};
	e = madt_parse(copy, len, mi);
	free(copy);
	return e;
}

static enum madt_err parse(const struct table *t, struct madt_info *mi)
{
	return parse_len(t, t->len, mi);
}

static void qemu_madt(struct table *t)
{
	static const uint8_t nmi[6] = { 4, 6, 0xff, 0, 0, 1 };     /* LAPIC NMI, LINT1 */

	start(t);
	lapic(t, 0, MADT_LAPIC_ENABLED);
	lapic(t, 1, MADT_LAPIC_ENABLED);
	ioapic(t, 0, 0xfec00000, 0);
	override(t, 0, 2, 0);
	override(t, 5, 5, 0xd);
	put(t, nmi, sizeof(nmi));
	finish(t);
}

static void test_qemu(void **state)
{
	struct table t;
	struct madt_info mi;

	(void)state;
	qemu_madt(&t);
	assert_int_equal(parse(&t, &mi), MADT_OK);
	assert_int_equal(mi.lapic_address, 0xfee00000);
	assert_int_equal(mi.flags, MADT_PCAT_COMPAT);
	assert_int_equal(mi.lapic_count, 2);
	assert_int_equal(lapics[1].apic_id, 1);
	assert_true(lapics[1].enabled);
	assert_false(lapics[1].x2apic);
	assert_int_equal(mi.ioapic_count, 1);
	assert_int_equal(ioapics[0].address, 0xfec00000);
	assert_int_equal(ioapics[0].gsi_base, 0);
	assert_int_equal(mi.override_count, 2);
	assert_int_equal(overrides[0].source, 0);
	assert_int_equal(overrides[0].gsi, 2);
	assert_int_equal(overrides[1].flags, 0xd);
	assert_int_equal(mi.dropped, 0);
}

static void test_x2apic_and_flags(void **state)
{
	struct madt_x2apic_entry x = { { MADT_TYPE_X2APIC, sizeof(x) }, 0, 0x100,
				       MADT_LAPIC_ONLINE_CAPABLE, 7 };
	struct table t;
	struct madt_info mi;

	(void)state;
	start(&t);
	lapic(&t, 0, MADT_LAPIC_ENABLED);
	lapic(&t, 3, 0);                                /* disabled for good */
	put(&t, &x, sizeof(x));
	finish(&t);
	assert_int_equal(parse(&t, &mi), MADT_OK);
	assert_int_equal(mi.lapic_count, 3);
	assert_false(lapics[1].enabled);
	assert_false(lapics[1].online_capable);
	assert_true(lapics[2].x2apic);
	assert_int_equal(lapics[2].apic_id, 0x100);
	assert_int_equal(lapics[2].processor_uid, 7);
	assert_false(lapics[2].enabled);
	assert_true(lapics[2].online_capable);
}

/* A longer entry (a later ACPI revision's) is read by its known prefix. */
static void test_longer_entry(void **state)
{
	uint8_t e[16] = { MADT_TYPE_IOAPIC, 16, 2, 0, 0x00, 0x10, 0xc0, 0xfe, 24, 0, 0, 0 };
	struct table t;
	struct madt_info mi;

	(void)state;
	start(&t);
	put(&t, e, sizeof(e));
	finish(&t);
	assert_int_equal(parse(&t, &mi), MADT_OK);
	assert_int_equal(mi.ioapic_count, 1);
	assert_int_equal(ioapics[0].address, 0xfec01000);
	assert_int_equal(ioapics[0].gsi_base, 24);
}

static void test_full_arrays(void **state)
{
	struct table t;
	struct madt_info mi;

	(void)state;
	start(&t);
	for (uint8_t i = 0; i < 6; i++)
		ioapic(&t, i, 0xfec00000 + 0x1000u * i, 24u * i);
	finish(&t);
	assert_int_equal(parse(&t, &mi), MADT_OK);
	assert_int_equal(mi.ioapic_count, 4);
	assert_int_equal(ioapics[3].address, 0xfec03000);
	assert_int_equal(mi.dropped, 2);
}

static void test_bad_tables(void **state)
{
	struct table t;
	struct madt_info mi;

	(void)state;
	qemu_madt(&t);
	assert_int_equal(parse_len(&t, sizeof(struct acpi_madt) - 1, &mi), MADT_ESHORT);
	assert_int_equal(parse_len(&t, t.len - 1, &mi), MADT_ESHORT);   /* length > buffer */
	assert_int_equal(mi.ioapic_count, 0);
	t.b[0] = 'X';
	assert_int_equal(parse(&t, &mi), MADT_ESIG);
	start(&t);
	t.b[offsetof(struct acpi_header, length)] = sizeof(struct acpi_madt) - 1;
	assert_int_equal(parse_len(&t, sizeof(struct acpi_madt), &mi), MADT_ESHORT);
}

static void test_bad_entries(void **state)
{
	static const uint8_t short_ioapic[4] = { MADT_TYPE_IOAPIC, 4, 0, 0 };
	static const uint8_t zero_len[2] = { MADT_TYPE_LAPIC, 0 };
	struct table t;
	struct madt_info mi;

	(void)state;
	/* A known type shorter than its layout is skipped; the rest still counts. */
	start(&t);
	put(&t, short_ioapic, sizeof(short_ioapic));
	ioapic(&t, 1, 0xfec01000, 0);
	finish(&t);
	assert_int_equal(parse(&t, &mi), MADT_EENTRY);
	assert_int_equal(mi.ioapic_count, 1);
	assert_int_equal(ioapics[0].address, 0xfec01000);
	/* Length 0 would loop for ever: the walk stops, what came before is kept. */
	start(&t);
	ioapic(&t, 0, 0xfec00000, 0);
	put(&t, zero_len, sizeof(zero_len));
	ioapic(&t, 1, 0xfec01000, 24);
	finish(&t);
	assert_int_equal(parse(&t, &mi), MADT_EENTRY);
	assert_int_equal(mi.ioapic_count, 1);
	/* The last entry claims more bytes than the table has left. */
	start(&t);
	lapic(&t, 0, MADT_LAPIC_ENABLED);
	ioapic(&t, 0, 0xfec00000, 0);
	t.len -= 1;
	finish(&t);
	assert_int_equal(parse(&t, &mi), MADT_EENTRY);
	assert_int_equal(mi.lapic_count, 1);
	assert_int_equal(mi.ioapic_count, 0);
	/* One stray byte after the last entry. */
	start(&t);
	lapic(&t, 0, MADT_LAPIC_ENABLED);
	put(&t, "", 1);
	finish(&t);
	assert_int_equal(parse(&t, &mi), MADT_EENTRY);
	assert_int_equal(mi.lapic_count, 1);
	assert_string_equal(madt_strerror(MADT_EENTRY),
			    "MADT entry malformed (too short or past the table's end)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu),
		cmocka_unit_test(test_x2apic_and_flags),
		cmocka_unit_test(test_longer_entry),
		cmocka_unit_test(test_full_arrays),
		cmocka_unit_test(test_bad_tables),
		cmocka_unit_test(test_bad_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
