/* PCI enumeration over configuration mechanism #1 (ports 0xCF8/0xCFC), which both
 * QEMU machine types (pc, q35) decode; BAR layout per PCI 3.0 §6.2.5.1. */
#include <stddef.h>
#include <stdint.h>
#include "kernel/pci.h"
#include "kernel/console.h"
#include "kernel/io.h"

#define PCI_CONFIG_ADDR 0xCF8
#define PCI_CONFIG_DATA 0xCFC
#define PCI_ENABLE_BIT  0x80000000u

static struct {
	struct pci_dev dev[PCI_DEV_MAX];
	unsigned count;
	bool scanned;
} pci;

static uint32_t cfg_addr(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	return PCI_ENABLE_BIT | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
	       (uint32_t)fn << 8 | (off & 0xFC);
}

static uint32_t raw_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	outl(PCI_CONFIG_ADDR, cfg_addr(bus, dev, fn, off));
	return inl(PCI_CONFIG_DATA);
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off)
{
	return raw_read32(d->bus, d->dev, d->fn, off);
}

/* Sub-dword accesses use the byte lanes of the data port (0xCFC + (off & 3)). */
uint16_t pci_read16(const struct pci_dev *d, uint8_t off)
{
	outl(PCI_CONFIG_ADDR, cfg_addr(d->bus, d->dev, d->fn, off));
	return inw(PCI_CONFIG_DATA + (off & 2));
}

uint8_t pci_read8(const struct pci_dev *d, uint8_t off)
{
	outl(PCI_CONFIG_ADDR, cfg_addr(d->bus, d->dev, d->fn, off));
	return inb(PCI_CONFIG_DATA + (off & 3));
}

void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v)
{
	outl(PCI_CONFIG_ADDR, cfg_addr(d->bus, d->dev, d->fn, off));
	outl(PCI_CONFIG_DATA, v);
}

void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v)
{
	outl(PCI_CONFIG_ADDR, cfg_addr(d->bus, d->dev, d->fn, off));
	outw(PCI_CONFIG_DATA + (off & 2), v);
}

void pci_write8(const struct pci_dev *d, uint8_t off, uint8_t v)
{
	outl(PCI_CONFIG_ADDR, cfg_addr(d->bus, d->dev, d->fn, off));
	outb(PCI_CONFIG_DATA + (off & 3), v);
}

static void add_function(uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id)
{
	struct pci_dev *d;
	uint32_t cls;

	if (pci.count == PCI_DEV_MAX) {
		kprintf("pci: more than %d functions, %02x:%02x.%x and later ignored\n",
			PCI_DEV_MAX, bus, dev, fn);
		return;
	}
	d = &pci.dev[pci.count++];
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	cls = pci_read32(d, PCI_CLASS_REV);
	d->revision = (uint8_t)cls;
	d->prog_if = (uint8_t)(cls >> 8);
	d->subclass = (uint8_t)(cls >> 16);
	d->class_code = (uint8_t)(cls >> 24);
	d->header_type = pci_read8(d, PCI_HEADER_TYPE) & 0x7F;
	if (d->header_type == 0) {
		d->subsys_vendor = pci_read16(d, PCI_SUBSYS_VENDOR);
		d->subsys_id = pci_read16(d, PCI_SUBSYS_ID);
	}
}

/* Every bus number is probed (not just those behind bridges): 256 × 32 reads of
 * the vendor ID is cheap and finds devices however the firmware numbered buses. */
unsigned pci_scan(void)
{
	if (pci.scanned)
		return pci.count;
	pci.scanned = true;
	for (unsigned bus = 0; bus < 256; bus++) {
		for (uint8_t dev = 0; dev < 32; dev++) {
			uint32_t id = raw_read32((uint8_t)bus, dev, 0, PCI_VENDOR_ID);

			if ((id & 0xFFFF) == 0xFFFF)
				continue;
			add_function((uint8_t)bus, dev, 0, id);
			if (!(raw_read32((uint8_t)bus, dev, 0, 0x0C) >> 16 & 0x80))
				continue;        /* header type bit 7: multi-function */
			for (uint8_t fn = 1; fn < 8; fn++) {
				id = raw_read32((uint8_t)bus, dev, fn, PCI_VENDOR_ID);
				if ((id & 0xFFFF) != 0xFFFF)
					add_function((uint8_t)bus, dev, fn, id);
			}
		}
	}
	return pci.count;
}

unsigned pci_count(void)
{
	return pci.count;
}

const struct pci_dev *pci_at(unsigned i)
{
	return i < pci.count ? &pci.dev[i] : NULL;
}

static bool bar_is64(uint32_t v)
{
	return !(v & 1) && ((v >> 1) & 3) == 2;
}

bool pci_bar_decode(const struct pci_dev *d, unsigned bar, struct pci_bar *out)
{
	uint32_t lo;

	if (bar > 5 || d->header_type != 0)
		return false;
	/* Walk from BAR0 so the upper half of a 64-bit BAR is never taken for a BAR. */
	for (unsigned i = 0; i < bar; i++) {
		if (bar_is64(pci_read32(d, (uint8_t)(PCI_BAR0 + 4 * i)))) {
			if (i + 1 == bar)
				return false;
			i++;
		}
	}
	lo = pci_read32(d, (uint8_t)(PCI_BAR0 + 4 * bar));
	out->io = lo & 1;
	out->is64 = bar_is64(lo);
	out->prefetch = !out->io && (lo & 8);
	out->addr = out->io ? (lo & ~3u) : (lo & ~0xFu);
	if (out->is64) {
		if (bar == 5)
			return false;
		out->addr |= (uint64_t)pci_read32(d, (uint8_t)(PCI_BAR0 + 4 * (bar + 1))) << 32;
	}
	return true;
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t from)
{
	uint8_t p;

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP))
		return 0;
	p = from ? pci_read8(d, (uint8_t)(from + 1)) : pci_read8(d, PCI_CAP_PTR);
	/* At most 48 capabilities fit in 192 bytes: bound the walk against loops. */
	for (int n = 0; n < 48 && p >= 0x40; n++) {
		p &= 0xFC;
		if (pci_read8(d, p) == id)
			return p;
		p = pci_read8(d, (uint8_t)(p + 1));
	}
	return 0;
}

void pci_enable(const struct pci_dev *d, uint16_t bits)
{
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | bits);
}

void pci_msix_disable(const struct pci_dev *d)
{
	uint8_t cap = pci_find_cap(d, PCI_CAP_ID_MSIX, 0);

	if (cap) {
		uint16_t ctl = pci_read16(d, (uint8_t)(cap + PCI_MSIX_CTRL));

		pci_write16(d, (uint8_t)(cap + PCI_MSIX_CTRL), ctl & ~PCI_MSIX_ENABLE);
	}
}
