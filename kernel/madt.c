/* MADT → local APICs, IOAPICs and interrupt source overrides (ACPI 6.4 §5.2.12).
 * Pure: every entry is bounds-checked against the table and memcpy'd into its
 * struct before a field is read. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "kernel/madt.h"
#include "lib/le.h"

const char *madt_strerror(enum madt_err e)
{
	switch (e) {
	case MADT_OK:     return "ok";
	case MADT_ESHORT: return "MADT shorter than its header or its length field";
	case MADT_ESIG:   return "not an MADT (signature is not APIC)";
	case MADT_EENTRY: return "MADT entry malformed (too short or past the table's end)";
	}
	return "unknown MADT error";
}

/* Whether an array with count of cap entries used has room; if not, count a drop. */
static bool room(struct madt_info *out, uint32_t count, uint32_t cap)
{
	if (count < cap)
		return true;
	out->dropped++;
	return false;
}

static void add_lapic(struct madt_info *out, uint32_t id, uint32_t uid, uint32_t flags,
		      bool x2apic)
{
	if (room(out, out->lapic_count, out->lapic_cap))
		out->lapic[out->lapic_count++] = (struct madt_lapic){
			.apic_id = id,
			.processor_uid = uid,
			.enabled = flags & MADT_LAPIC_ENABLED,
			.online_capable = flags & MADT_LAPIC_ONLINE_CAPABLE,
			.x2apic = x2apic,
		};
}

/* The layout size a known type needs; 2 (the header) for any other type. */
static size_t entry_min(uint8_t type)
{
	switch (type) {
	case MADT_TYPE_LAPIC:    return sizeof(struct madt_lapic_entry);
	case MADT_TYPE_IOAPIC:   return sizeof(struct madt_ioapic_entry);
	case MADT_TYPE_OVERRIDE: return sizeof(struct madt_override_entry);
	case MADT_TYPE_X2APIC:   return sizeof(struct madt_x2apic_entry);
	}
	return sizeof(struct madt_entry_header);
}

/* One entry of at least entry_min(type) bytes at p. Longer entries (later ACPI
 * revisions append fields) are read by their known prefix. */
static void decode_entry(struct madt_info *out, const uint8_t *p, uint8_t type)
{
	union {
		struct madt_lapic_entry lapic;
		struct madt_ioapic_entry ioapic;
		struct madt_override_entry override;
		struct madt_x2apic_entry x2apic;
	} e;

	memcpy(&e, p, entry_min(type));
	switch (type) {
	case MADT_TYPE_LAPIC:
		add_lapic(out, e.lapic.apic_id, e.lapic.processor_uid, le32(e.lapic.flags), false);
		break;
	case MADT_TYPE_X2APIC:
		add_lapic(out, le32(e.x2apic.x2apic_id), le32(e.x2apic.processor_uid),
			  le32(e.x2apic.flags), true);
		break;
	case MADT_TYPE_IOAPIC:
		if (room(out, out->ioapic_count, out->ioapic_cap))
			out->ioapic[out->ioapic_count++] = (struct madt_ioapic){
				.id = e.ioapic.ioapic_id,
				.address = le32(e.ioapic.address),
				.gsi_base = le32(e.ioapic.gsi_base),
			};
		break;
	case MADT_TYPE_OVERRIDE:
		if (room(out, out->override_count, out->override_cap))
			out->override[out->override_count++] = (struct madt_override){
				.bus = e.override.bus,
				.source = e.override.source,
				.gsi = le32(e.override.gsi),
				.flags = le16(e.override.flags),
			};
		break;
	}
}

enum madt_err madt_parse(const void *buf, size_t len, struct madt_info *out)
{
	const uint8_t *t = buf;
	enum madt_err err = MADT_OK;
	struct acpi_madt m;
	size_t end;

	out->lapic_count = out->ioapic_count = out->override_count = out->dropped = 0;
	out->lapic_address = out->flags = 0;
	if (len < sizeof(m))
		return MADT_ESHORT;
	memcpy(&m, t, sizeof(m));
	if (memcmp(m.header.signature, "APIC", 4) != 0)
		return MADT_ESIG;
	end = le32(m.header.length);
	if (end < sizeof(m) || end > len)
		return MADT_ESHORT;
	out->lapic_address = le32(m.lapic_address);
	out->flags = le32(m.flags);
	for (size_t off = sizeof(m); off < end;) {
		struct madt_entry_header h;

		if (end - off < sizeof(h))
			return MADT_EENTRY;
		memcpy(&h, t + off, sizeof(h));
		if (h.length < sizeof(h) || h.length > end - off)
			return MADT_EENTRY;
		if (h.length < entry_min(h.type))
			err = MADT_EENTRY;      /* skipped; the rest still parses */
		else
			decode_entry(out, t + off, h.type);
		off += h.length;
	}
	return err;
}
