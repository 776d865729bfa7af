/* Rebuild the firmware e820 table a Linux image kernel hashed at hibernation time and
 * compute its checksum (Linux arch/x86/kernel/e820.c, arch/x86/power/hibernate.c). */
#include "resume/e820.h"

#include <stdbool.h>
#include <string.h>

#include "lib/crc32.h"

#define E820_NONE 0     /* no entry covers an address (a hole) */

static bool e820_usable_entry(const struct e820_entry *e)
{
	/* e820__update_table() skips empty entries and ones that wrap past 2^64. */
	return e->size != 0 && e->addr + e->size > e->addr;
}

/* Smallest entry boundary strictly above `after`; false when there is none. */
static bool e820_next_point(const struct e820_entry *in, size_t n, uint64_t after, uint64_t *next)
{
	bool found = false;

	for (size_t i = 0; i < n; i++) {
		if (!e820_usable_entry(&in[i]))
			continue;
		uint64_t ends[2] = { in[i].addr, in[i].addr + in[i].size };
		for (int k = 0; k < 2; k++) {
			if (ends[k] > after && (!found || ends[k] < *next)) {
				*next = ends[k];
				found = true;
			}
		}
	}
	return found;
}

/* The type Linux assigns to [at, ...): the highest type of the entries covering it. */
static uint32_t e820_type_at(const struct e820_entry *in, size_t n, uint64_t at)
{
	uint32_t type = E820_NONE;

	for (size_t i = 0; i < n; i++) {
		if (!e820_usable_entry(&in[i]))
			continue;
		if (at >= in[i].addr && at - in[i].addr < in[i].size && in[i].type > type)
			type = in[i].type;
	}
	return type;
}

static bool e820_nomerge(uint32_t type)
{
	/* Linux e820_nomerge(): each PRAM / soft-reserved range stays its own entry. */
	return type == E820_TYPE_PRAM || type == E820_TYPE_SOFT_RESERVED;
}

/* Sweep the change points in address order, as e820__update_table() does with its
 * sorted change_point[] list: a new entry starts wherever the winning type changes. */
size_t e820_sanitize(const struct e820_entry *in, size_t n, struct e820_entry *out, size_t cap)
{
	size_t count = 0;
	uint64_t at, next = 0;
	uint32_t last = E820_NONE;

	if (n > E820_MAX)
		return (size_t)-1;
	at = 0;
	for (;;) {
		uint32_t type = e820_type_at(in, n, at);
		bool more = e820_next_point(in, n, at, &next);

		if (!more)
			break;  /* `at` is the end of the last entry */
		if (type != E820_NONE) {
			if (type == last && !e820_nomerge(type)) {
				out[count - 1].size += next - at;
			} else {
				if (count == cap)
					return (size_t)-1;
				out[count].addr = at;
				out[count].size = next - at;
				out[count].type = type;
				count++;
			}
		}
		last = type;
		at = next;
	}
	return count;
}

/* GRUB 2.06 grub-core/mmap/efi/mmap.c grub_efi_mmap_iterate(): EFI type → GRUB type,
 * which GRUB's Linux loader copies into the e820 table unchanged. */
static uint32_t e820_type_grub(uint32_t efi_type)
{
	switch (efi_type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		return E820_TYPE_RAM;
	case EFI_RUNTIME_SERVICES_CODE:
		return E820_TYPE_GRUB_CODE;
	case EFI_UNUSABLE_MEMORY:
		return E820_TYPE_UNUSABLE;
	case EFI_ACPI_RECLAIM_MEMORY:
		return E820_TYPE_ACPI;
	case EFI_ACPI_MEMORY_NVS:
		return E820_TYPE_NVS;
	case EFI_PERSISTENT_MEMORY:
		return E820_TYPE_PMEM;
	default:        /* reserved, runtime data, MMIO, PAL code, unknown */
		return E820_TYPE_RESERVED;
	}
}

/* Linux drivers/firmware/efi/libstub/x86-stub.c setup_e820(); 0 = descriptor skipped. */
static uint32_t e820_type_stub(const struct e820_efi_desc *d)
{
	switch (d->type) {
	case EFI_RESERVED_TYPE:
	case EFI_RUNTIME_SERVICES_CODE:
	case EFI_RUNTIME_SERVICES_DATA:
	case EFI_MEMORY_MAPPED_IO:
	case EFI_MEMORY_MAPPED_IO_PORT_SPACE:
	case EFI_PAL_CODE:
		return E820_TYPE_RESERVED;
	case EFI_UNUSABLE_MEMORY:
		return E820_TYPE_UNUSABLE;
	case EFI_ACPI_RECLAIM_MEMORY:
		return E820_TYPE_ACPI;
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL_MEMORY:
	case EFI_UNACCEPTED_MEMORY:
		return (d->attr & EFI_MEMORY_SP) ? E820_TYPE_SOFT_RESERVED : E820_TYPE_RAM;
	case EFI_ACPI_MEMORY_NVS:
		return E820_TYPE_NVS;
	case EFI_PERSISTENT_MEMORY:
		return E820_TYPE_PMEM;
	default:
		return E820_NONE;
	}
}

size_t e820_from_efi(const struct e820_efi_desc *d, size_t n, enum e820_efi_style style,
		     struct e820_entry *out, size_t cap)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t type = style == E820_EFI_GRUB ? e820_type_grub(d[i].type)
						       : e820_type_stub(&d[i]);
		uint64_t len = d[i].pages << 12;

		if (type == E820_NONE)
			continue;
		/* Both writers extend the previous entry when it is contiguous and of the
		 * same type; the sanitiser would merge them anyway. */
		if (count && out[count - 1].type == type &&
		    out[count - 1].addr + out[count - 1].size == d[i].phys) {
			out[count - 1].size += len;
			continue;
		}
		if (count == cap)
			return (size_t)-1;
		out[count].addr = d[i].phys;
		out[count].size = len;
		out[count].type = type;
		count++;
	}
	return count;
}

/* Linux arch/x86/power/hibernate.c compute_e820_crc32(): zlib's CRC-32 of struct
 * e820_table from nr_entries up to the last used entry. */
uint32_t e820_checksum(const struct e820_entry *map, size_t n)
{
	uint32_t count = (uint32_t)n;   /* struct e820_table.nr_entries, little endian */

	return crc32(crc32(0, &count, sizeof(count)), map, n * sizeof(*map));
}
