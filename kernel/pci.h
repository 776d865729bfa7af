/* PCI configuration space through the 0xCF8/0xCFC mechanism (PCI Local Bus 3.0 §3.2.2.3.2),
 * a scan of every bus/device/function, capability lists and BAR decoding. */
#ifndef THAW_PCI_H
#define THAW_PCI_H
#include <stdbool.h>
#include <stdint.h>

/* Type-0 configuration header offsets (PCI 3.0 §6.1). */
#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_CLASS_REV      0x08
#define PCI_HEADER_TYPE    0x0E
#define PCI_BAR0           0x10
#define PCI_SUBSYS_VENDOR  0x2C
#define PCI_SUBSYS_ID      0x2E
#define PCI_CAP_PTR        0x34

#define PCI_COMMAND_IO     0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_STATUS_CAP     0x0010

#define PCI_CAP_ID_MSIX    0x11
#define PCI_CAP_ID_VNDR    0x09
#define PCI_MSIX_CTRL      2         /* u16 message control inside the MSI-X cap */
#define PCI_MSIX_ENABLE    0x8000

#define PCI_DEV_MAX        64

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_id;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type;          /* without the multi-function bit */
};

/* A decoded BAR: addr 0 means unassigned. */
struct pci_bar {
	uint64_t addr;
	bool io;                      /* I/O ports rather than memory */
	bool is64;                    /* 64-bit memory BAR (uses the next slot too) */
	bool prefetch;
};

/* Scan all 256 buses once; later calls return the same list. */
unsigned pci_scan(void);
unsigned pci_count(void);
const struct pci_dev *pci_at(unsigned i);

uint32_t pci_read32(const struct pci_dev *d, uint8_t off);
uint16_t pci_read16(const struct pci_dev *d, uint8_t off);
uint8_t pci_read8(const struct pci_dev *d, uint8_t off);
void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v);
void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v);
void pci_write8(const struct pci_dev *d, uint8_t off, uint8_t v);

/* Decode BAR index bar (0-5) of a type-0 header; false if bar is out of range or
 * the upper half of a 64-bit BAR. */
bool pci_bar_decode(const struct pci_dev *d, unsigned bar, struct pci_bar *out);

/* Offset of the first capability with id after `from` (0: from the start), or 0. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t from);

/* Set bits in the command register (read-modify-write). */
void pci_enable(const struct pci_dev *d, uint16_t bits);

/* Clear MSI-X enable so a legacy virtio device keeps its config at BAR0+20. */
void pci_msix_disable(const struct pci_dev *d);

#endif
