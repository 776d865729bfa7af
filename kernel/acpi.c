/* ACPI table lookup over the RSDT/XSDT with checksums (ACPI 6.4 §5.2.5-§5.2.8).
 * Tables above 4 GiB are mapped on demand; everything is read-only. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "kernel/acpi.h"
#include "kernel/acpi_tables.h"
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/paging.h"

#define BDA_EBDA_SEGMENT 0x40E          /* BIOS data area: EBDA segment (u16) */
#define EBDA_SCAN_LEN    1024
#define BIOS_ROM_START   0xE0000
#define BIOS_ROM_END     0x100000
#define RSDP_ALIGN       16
#define TABLE_MAX_LEN    (16u << 20)    /* sanity bound on a header's length */
#define LOW_4G           (1ull << 32)

static struct {
	uint64_t rsdp;                  /* physical; 0 = none */
	const struct acpi_rsdp *r;
} acpi;

static bool sum_ok(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += b[i];
	return s == 0;
}

static bool rsdp_valid(const struct acpi_rsdp *r)
{
	if (memcmp(r->signature, "RSD PTR ", 8) || !sum_ok(r, RSDP_V1_LEN))
		return false;
	return r->revision < 2 || (r->length >= sizeof(*r) && r->length <= 4096 &&
				   sum_ok(r, sizeof(*r)));
}

static uint64_t scan(uint64_t start, uint64_t end)
{
	for (uint64_t a = start; a + sizeof(struct acpi_rsdp) <= end; a += RSDP_ALIGN)
		if (rsdp_valid((const struct acpi_rsdp *)(uintptr_t)a))
			return a;
	return 0;
}

/* A fixed low physical address, hidden from gcc's object-size checks (it cannot
 * know the BIOS data area is there). */
static uintptr_t low_address(uintptr_t a)
{
	__asm__("" : "+r"(a));
	return a;
}

/* Under UEFI the low BIOS areas hold no RSDP and may not even be memory: skip them. */
static uint64_t find_rsdp(const struct boot_info *bi, uint64_t override)
{
	uint64_t ebda;

	if (override) {
		paging_map_mmio(override, sizeof(struct acpi_rsdp));
		if (rsdp_valid((const struct acpi_rsdp *)(uintptr_t)override))
			return override;
		kprintf("acpi: no valid RSDP at acpi_rsdp=0x%llx; looking elsewhere\n",
			(unsigned long long)override);
	}
	if (bi->rsdp_len && rsdp_valid((const struct acpi_rsdp *)(uintptr_t)bi->acpi_rsdp))
		return bi->acpi_rsdp;
	if (bi->efi_system_table)
		return 0;
	ebda = (uint64_t)mmio_read16(low_address(BDA_EBDA_SEGMENT)) << 4;
	if (ebda >= 0x80000 && ebda < 0xA0000) {
		uint64_t a = scan(ebda, ebda + EBDA_SCAN_LEN);
		if (a)
			return a;
	}
	return scan(BIOS_ROM_START, BIOS_ROM_END);
}

void acpi_init(const struct boot_info *bi, uint64_t rsdp_override)
{
	acpi.rsdp = find_rsdp(bi, rsdp_override);
	acpi.r = (const struct acpi_rsdp *)(uintptr_t)acpi.rsdp;
	if (!acpi.rsdp)
		kprintf("acpi: no RSDP found (pass acpi_rsdp=<addr> when loaded by kexec); "
			"reboot and poweroff use fallbacks\n");
}

uint64_t acpi_rsdp_phys(void)
{
	return acpi.rsdp;
}

/* A table at phys whose header and checksum check out, or NULL. */
static const struct acpi_header *table_at(uint64_t phys, bool verify)
{
	const struct acpi_header *h = (const struct acpi_header *)(uintptr_t)phys;

	if (!phys)
		return NULL;
	if (phys >= LOW_4G && !paging_map_mmio(phys, sizeof(*h)))
		return NULL;
	if (h->length < sizeof(*h) || h->length > TABLE_MAX_LEN)
		return NULL;
	if (phys >= LOW_4G && !paging_map_mmio(phys, h->length))
		return NULL;
	return !verify || sum_ok(h, h->length) ? h : NULL;
}

/* The DSDT the FADT names: the 64-bit field when present and non-zero (ACPICA
 * acpi_tb_select_address()). The FACS: the 32-bit field when non-zero, as Linux
 * reads it (resume/hwsig.c says why). */
static uint64_t fadt_addr(const struct acpi_header *fadt, bool facs)
{
	struct acpi_fadt f;
	uint64_t a64 = 0;
	uint32_t a32 = 0;

	acpi_fadt_load(fadt, fadt->length, &f);
	if (facs) {
		a64 = ACPI_FADT_HAS(fadt->length, x_firmware_ctrl) ? f.x_firmware_ctrl : 0;
		a32 = ACPI_FADT_HAS(fadt->length, firmware_ctrl) ? f.firmware_ctrl : 0;
	} else {
		a64 = ACPI_FADT_HAS(fadt->length, x_dsdt) ? f.x_dsdt : 0;
		a32 = ACPI_FADT_HAS(fadt->length, dsdt) ? f.dsdt : 0;
	}
	if (facs)
		return a32 ? a32 : a64;
	return a64 ? a64 : a32;
}

/* Walk the XSDT (8-byte entries) when the RSDP offers one, else the RSDT (4-byte). */
static const struct acpi_header *find_in_sdt(const char sig[4])
{
	bool x = acpi.r->revision >= 2 && acpi.r->xsdt;
	const struct acpi_header *sdt = table_at(x ? acpi.r->xsdt : acpi.r->rsdt, true);
	size_t esz = x ? 8 : 4;

	if (!sdt)
		return NULL;
	for (size_t off = sizeof(*sdt); off + esz <= sdt->length; off += esz) {
		uint64_t a = 0;

		memcpy(&a, (const uint8_t *)sdt + off, esz);
		const struct acpi_header *t = table_at(a, true);
		if (t && !memcmp(t->signature, sig, 4))
			return t;
	}
	return NULL;
}

const void *acpi_find_table(const char sig[4])
{
	const struct acpi_header *fadt, *t;
	bool facs = !memcmp(sig, "FACS", 4);

	if (!acpi.rsdp)
		return NULL;
	if (memcmp(sig, "DSDT", 4) && !facs)
		return find_in_sdt(sig);
	if (!(fadt = find_in_sdt("FACP")))
		return NULL;
	t = table_at(fadt_addr(fadt, facs), !facs);
	return t && !memcmp(t->signature, sig, 4) ? t : NULL;
}
