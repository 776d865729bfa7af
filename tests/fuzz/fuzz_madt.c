/* Fuzz target: kernel/madt.c over arbitrary table bytes.
 * Oracle: no out-of-bounds access or UB (ASan/UBSan; the input is copied into a buffer
 * of exactly its size); the parse is deterministic; every entry it reports takes at
 * least two bytes of the table; parsing with no room stores nothing and drops exactly
 * what the roomy parse stored. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/madt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 64

static struct madt_lapic lapic[2][CAP];
static struct madt_ioapic ioapic[2][CAP];
static struct madt_override override[2][CAP];

static enum madt_err parse(const uint8_t *buf, size_t size, int k, uint32_t cap,
			   struct madt_info *mi)
{
	memset(mi, 0, sizeof(*mi));
	mi->lapic = lapic[k];
	mi->ioapic = ioapic[k];
	mi->override = override[k];
	mi->lapic_cap = mi->ioapic_cap = mi->override_cap = cap;
	return madt_parse(buf, size, mi);
}

static uint32_t stored(const struct madt_info *mi)
{
	return mi->lapic_count + mi->ioapic_count + mi->override_count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct madt_info a, b, none;
	enum madt_err ea, eb, en;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	ea = parse(buf, size, 0, CAP, &a);
	eb = parse(buf, size, 1, CAP, &b);
	if (ea != eb || stored(&a) != stored(&b) || a.dropped != b.dropped ||
	    memcmp(lapic[0], lapic[1], a.lapic_count * sizeof(lapic[0][0])) ||
	    memcmp(ioapic[0], ioapic[1], a.ioapic_count * sizeof(ioapic[0][0])) ||
	    memcmp(override[0], override[1], a.override_count * sizeof(override[0][0])))
		abort();
	if (size >= sizeof(struct acpi_madt) &&
	    (uint64_t)(stored(&a) + a.dropped) * 2 > size - sizeof(struct acpi_madt))
		abort();
	if (size < sizeof(struct acpi_madt) && (stored(&a) || a.dropped))
		abort();
	en = parse(buf, size, 1, 0, &none);
	if (en != ea || stored(&none) || none.dropped != stored(&a) + a.dropped)
		abort();
	free(buf);
	return 0;
}
