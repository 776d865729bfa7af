/* The ACPI MADT ("APIC", ACPI 6.4 §5.2.12): its layout and a pure parser that lists
 * the processors' local APICs, the IOAPICs and the interrupt source overrides. */
#ifndef THAW_MADT_H
#define THAW_MADT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/acpi_tables.h"

/* ACPI 6.4 §5.2.12: the fixed part; interrupt controller structures follow. */
struct __attribute__((packed)) acpi_madt {
	struct acpi_header header;      /*  0: signature "APIC" */
	uint32_t lapic_address;         /* 36: physical address of the local APICs */
	uint32_t flags;                 /* 40: MADT_PCAT_COMPAT */
};
_Static_assert(offsetof(struct acpi_madt, lapic_address) == 36, "MADT lapic_address");
_Static_assert(offsetof(struct acpi_madt, flags) == 40, "MADT flags");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT entries start at 44");

#define MADT_PCAT_COMPAT 1u             /* dual 8259s present too */

/* Every interrupt controller structure starts with type and length. */
struct __attribute__((packed)) madt_entry_header {
	uint8_t type;                   /* 0: MADT_TYPE_* */
	uint8_t length;                 /* 1: whole entry, these two bytes included */
};
_Static_assert(sizeof(struct madt_entry_header) == 2, "MADT entry header");

#define MADT_TYPE_LAPIC         0
#define MADT_TYPE_IOAPIC        1
#define MADT_TYPE_OVERRIDE      2
#define MADT_TYPE_X2APIC        9

/* Processor Local APIC (§5.2.12.2). */
struct __attribute__((packed)) madt_lapic_entry {
	struct madt_entry_header h;     /* 0: type 0, length 8 */
	uint8_t processor_uid;          /* 2 */
	uint8_t apic_id;                /* 3 */
	uint32_t flags;                 /* 4: MADT_LAPIC_* */
};
_Static_assert(offsetof(struct madt_lapic_entry, apic_id) == 3, "LAPIC apic_id");
_Static_assert(offsetof(struct madt_lapic_entry, flags) == 4, "LAPIC flags");
_Static_assert(sizeof(struct madt_lapic_entry) == 8, "LAPIC entry");

/* Local APIC flags, for the LAPIC and x2APIC entries alike. */
#define MADT_LAPIC_ENABLED        (1u << 0)
#define MADT_LAPIC_ONLINE_CAPABLE (1u << 1)     /* ACPI 6.3+: may be enabled later */

/* I/O APIC (§5.2.12.3). */
struct __attribute__((packed)) madt_ioapic_entry {
	struct madt_entry_header h;     /* 0: type 1, length 12 */
	uint8_t ioapic_id;              /* 2 */
	uint8_t reserved;               /* 3 */
	uint32_t address;               /* 4: physical MMIO base */
	uint32_t gsi_base;              /* 8: first global system interrupt */
};
_Static_assert(offsetof(struct madt_ioapic_entry, address) == 4, "IOAPIC address");
_Static_assert(offsetof(struct madt_ioapic_entry, gsi_base) == 8, "IOAPIC gsi_base");
_Static_assert(sizeof(struct madt_ioapic_entry) == 12, "IOAPIC entry");

/* Interrupt Source Override (§5.2.12.5). */
struct __attribute__((packed)) madt_override_entry {
	struct madt_entry_header h;     /* 0: type 2, length 10 */
	uint8_t bus;                    /* 2: 0 = ISA */
	uint8_t source;                 /* 3: bus-relative IRQ */
	uint32_t gsi;                   /* 4 */
	uint16_t flags;                 /* 8: MPS INTI flags (polarity, trigger mode) */
};
_Static_assert(offsetof(struct madt_override_entry, gsi) == 4, "override gsi");
_Static_assert(offsetof(struct madt_override_entry, flags) == 8, "override flags");
_Static_assert(sizeof(struct madt_override_entry) == 10, "override entry");

/* Processor Local x2APIC (§5.2.12.12). */
struct __attribute__((packed)) madt_x2apic_entry {
	struct madt_entry_header h;     /*  0: type 9, length 16 */
	uint16_t reserved;              /*  2 */
	uint32_t x2apic_id;             /*  4 */
	uint32_t flags;                 /*  8: MADT_LAPIC_* */
	uint32_t processor_uid;         /* 12 */
};
_Static_assert(offsetof(struct madt_x2apic_entry, x2apic_id) == 4, "x2APIC id");
_Static_assert(offsetof(struct madt_x2apic_entry, flags) == 8, "x2APIC flags");
_Static_assert(offsetof(struct madt_x2apic_entry, processor_uid) == 12, "x2APIC uid");
_Static_assert(sizeof(struct madt_x2apic_entry) == 16, "x2APIC entry");

/* What the parser returns, decoded. */
struct madt_lapic {
	uint32_t apic_id;               /* xAPIC ids widened; x2APIC ids as listed */
	uint32_t processor_uid;
	bool enabled;                   /* usable now */
	bool online_capable;            /* disabled, but the OS may enable it */
	bool x2apic;                    /* listed by a type 9 entry */
};

struct madt_ioapic {
	uint8_t id;
	uint32_t address;
	uint32_t gsi_base;
};

struct madt_override {
	uint8_t bus, source;
	uint32_t gsi;
	uint16_t flags;
};

/* The caller's arrays and their capacities (a NULL array with cap 0 skips that
 * kind); the parser sets the counts and the header fields. Entries beyond an
 * array's cap are counted in dropped, not stored. */
struct madt_info {
	uint32_t lapic_address, flags;
	struct madt_lapic *lapic;
	uint32_t lapic_cap, lapic_count;
	struct madt_ioapic *ioapic;
	uint32_t ioapic_cap, ioapic_count;
	struct madt_override *override;
	uint32_t override_cap, override_count;
	uint32_t dropped;
};

enum madt_err {
	MADT_OK = 0,
	MADT_ESHORT,            /* shorter than the fixed part, or than its own length field */
	MADT_ESIG,              /* signature is not "APIC" */
	MADT_EENTRY,            /* an entry is shorter than 2 bytes, than its type's layout,
				 * or runs past the table; the entries before it are kept */
};

const char *madt_strerror(enum madt_err e);

/* Parse the MADT in buf[0, len): len is what may be read, the table's own length
 * field bounds the walk. Unknown entry types are skipped by their length. Never
 * reads outside buf. */
enum madt_err madt_parse(const void *buf, size_t len, struct madt_info *out);

#endif
