/* virtio PCI transport. Legacy register offsets: virtio 1.1 §4.1.4.8 (BAR0: features 0,
 * guest features 4, queue PFN 8, queue size 12, select 14, notify 16, status 18, ISR 19,
 * config 20 without MSI-X). Modern: §4.1.4 capabilities and struct virtio_pci_common_cfg. */
#include <stddef.h>
#include <stdint.h>
#include "drivers/virtio_pci.h"
#include "kernel/io.h"
#include "kernel/paging.h"
#include "kernel/timer.h"

/* Legacy BAR0 registers. */
#define VL_DEVICE_FEATURES 0
#define VL_GUEST_FEATURES  4
#define VL_QUEUE_PFN       8
#define VL_QUEUE_SIZE      12
#define VL_QUEUE_SELECT    14
#define VL_QUEUE_NOTIFY    16
#define VL_STATUS          18
#define VL_ISR             19
#define VL_CONFIG          20      /* MSI-X is kept disabled, so never 24 */
#define VL_PFN_SHIFT       12

/* struct virtio_pci_common_cfg (§4.1.4.3). */
#define VC_DFSELECT   0
#define VC_DF         4
#define VC_GFSELECT   8
#define VC_GF         12
#define VC_NUMQ       18
#define VC_STATUS     20
#define VC_CFGGEN     21
#define VC_QSELECT    22
#define VC_QSIZE      24
#define VC_QENABLE    28
#define VC_QNOTIFYOFF 30
#define VC_QDESC      32
#define VC_QDRIVER    40
#define VC_QDEVICE    48

/* struct virtio_pci_cap (§4.1.4): vndr, next, len, cfg_type, bar, pad[3], offset, length. */
#define VCAP_TYPE     3
#define VCAP_BAR      4
#define VCAP_OFFSET   8
#define VCAP_LENGTH   12
#define VCAP_NOTIFY_MULT 16
enum { VCAP_COMMON = 1, VCAP_NOTIFY = 2, VCAP_ISR = 3, VCAP_DEVICE = 4 };

#define RESET_TIMEOUT_MS 1000

const char *vpci_strerror(enum vpci_err e)
{
	switch (e) {
	case VPCI_OK:         return "ok";
	case VPCI_ENOBAR:     return "no usable virtio interface (no legacy I/O BAR, modern capabilities incomplete)";
	case VPCI_EMAP:       return "cannot map the device's memory BAR";
	case VPCI_EFEATURES:  return "device did not accept the negotiated features";
	case VPCI_ENOQUEUE:   return "the device has no request queue";
	case VPCI_EQUEUEBUSY: return "the queue is still active after a device reset";
	case VPCI_EQUEUESIZE: return "the device offers an unusable queue size";
	}
	return "unknown virtio error";
}

static void write64_split(uintptr_t a, uint64_t v)
{
	mmio_write32(a, (uint32_t)v);
	mmio_write32(a + 4, (uint32_t)(v >> 32));
}

/* Resolve one modern capability to a mapped virtual (= physical) address. */
static bool cap_address(const struct pci_dev *d, uint8_t cap, uintptr_t *out)
{
	struct pci_bar bar;
	uint8_t bar_index = pci_read8(d, (uint8_t)(cap + VCAP_BAR));
	uint32_t off = pci_read32(d, (uint8_t)(cap + VCAP_OFFSET));
	uint32_t len = pci_read32(d, (uint8_t)(cap + VCAP_LENGTH));

	if (!pci_bar_decode(d, bar_index, &bar) || bar.io || bar.addr == 0)
		return false;
	/* OVMF places 64-bit BARs at 0xE0_0000_0000, outside thaw's boot-time map. */
	if (!paging_map_mmio(bar.addr + off, len ? len : 4096))
		return false;
	*out = (uintptr_t)(bar.addr + off);
	return true;
}

/* Find COMMON, NOTIFY, ISR and DEVICE; the first capability of each type wins
 * (§4.1.4: "the driver SHOULD use the first instance"). */
static bool find_modern(struct virtio_pci *vp, const struct pci_dev *d)
{
	uint8_t found = 0;

	for (uint8_t cap = pci_find_cap(d, PCI_CAP_ID_VNDR, 0); cap;
	     cap = pci_find_cap(d, PCI_CAP_ID_VNDR, cap)) {
		uint8_t type = pci_read8(d, (uint8_t)(cap + VCAP_TYPE));
		uintptr_t *slot = type == VCAP_COMMON ? &vp->common :
				  type == VCAP_NOTIFY ? &vp->notify_base :
				  type == VCAP_ISR ? &vp->isr :
				  type == VCAP_DEVICE ? &vp->device : NULL;

		if (!slot || (found & (1u << type)))
			continue;
		if (!cap_address(d, cap, slot))
			return false;
		if (type == VCAP_NOTIFY)
			vp->notify_mult = pci_read32(d, (uint8_t)(cap + VCAP_NOTIFY_MULT));
		found |= (uint8_t)(1u << type);
	}
	return found == (1u << VCAP_COMMON | 1u << VCAP_NOTIFY | 1u << VCAP_ISR | 1u << VCAP_DEVICE);
}

static bool find_legacy(struct virtio_pci *vp, const struct pci_dev *d)
{
	struct pci_bar bar;

	if (d->device < VIRTIO_PCI_LEGACY_FIRST || d->device > VIRTIO_PCI_LEGACY_LAST)
		return false;
	if (!pci_bar_decode(d, 0, &bar) || !bar.io || bar.addr == 0 || bar.addr > 0xFFFF)
		return false;
	vp->io = (uint16_t)bar.addr;
	return true;
}

enum vpci_err virtio_pci_init(struct virtio_pci *vp, const struct pci_dev *d)
{
	*vp = (struct virtio_pci){ .pci = d };
	if (find_modern(vp, d)) {
		vp->modern = true;
		pci_enable(d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	} else if (find_legacy(vp, d)) {
		/* Keep MSI-X off so the device config stays at BAR0+20 (§4.1.4.8). */
		pci_msix_disable(d);
		pci_enable(d, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
	} else {
		return VPCI_ENOBAR;
	}
	virtio_pci_reset(vp);
	virtio_pci_set_status(vp, VIRTIO_STATUS_ACK);
	virtio_pci_set_status(vp, VIRTIO_STATUS_DRIVER);
	return VPCI_OK;
}

uint8_t virtio_pci_status(struct virtio_pci *vp)
{
	return vp->modern ? mmio_read8(vp->common + VC_STATUS) : inb(vp->io + VL_STATUS);
}

static void write_status(struct virtio_pci *vp, uint8_t v)
{
	if (vp->modern)
		mmio_write8(vp->common + VC_STATUS, v);
	else
		outb(vp->io + VL_STATUS, v);
}

/* The device may take time to finish a reset; a modern driver must wait for the
 * status to read 0 (§4.1.4.3.2). Bounded, so a dead device cannot hang thaw. */
void virtio_pci_reset(struct virtio_pci *vp)
{
	uint64_t end;

	write_status(vp, 0);
	end = timer_ms() + RESET_TIMEOUT_MS;
	while (virtio_pci_status(vp) != 0 && timer_ms() < end)
		cpu_relax();
}

void virtio_pci_set_status(struct virtio_pci *vp, uint8_t bits)
{
	write_status(vp, virtio_pci_status(vp) | bits);
}

uint64_t virtio_pci_device_features(struct virtio_pci *vp)
{
	uint64_t f;

	if (!vp->modern)
		return inl(vp->io + VL_DEVICE_FEATURES);
	mmio_write32(vp->common + VC_DFSELECT, 0);
	f = mmio_read32(vp->common + VC_DF);
	mmio_write32(vp->common + VC_DFSELECT, 1);
	return f | (uint64_t)mmio_read32(vp->common + VC_DF) << 32;
}

enum vpci_err virtio_pci_set_features(struct virtio_pci *vp, uint64_t features)
{
	if (!vp->modern) {
		outl(vp->io + VL_GUEST_FEATURES, (uint32_t)features);
		return VPCI_OK;
	}
	mmio_write32(vp->common + VC_GFSELECT, 0);
	mmio_write32(vp->common + VC_GF, (uint32_t)features);
	mmio_write32(vp->common + VC_GFSELECT, 1);
	mmio_write32(vp->common + VC_GF, (uint32_t)(features >> 32));
	virtio_pci_set_status(vp, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_pci_status(vp) & VIRTIO_STATUS_FEATURES_OK))
		return VPCI_EFEATURES;
	return VPCI_OK;
}

uint16_t virtio_pci_queue_max(struct virtio_pci *vp, uint16_t q)
{
	if (!vp->modern) {
		outw(vp->io + VL_QUEUE_SELECT, q);
		return inw(vp->io + VL_QUEUE_SIZE);
	}
	if (q >= mmio_read16(vp->common + VC_NUMQ))
		return 0;
	mmio_write16(vp->common + VC_QSELECT, q);
	return mmio_read16(vp->common + VC_QSIZE);
}

static enum vpci_err legacy_queue_setup(struct virtio_pci *vp, uint16_t q, uint16_t size,
					uint64_t desc)
{
	outw(vp->io + VL_QUEUE_SELECT, q);
	/* The legacy interface cannot shrink a queue: the layout follows its size. */
	if (inw(vp->io + VL_QUEUE_SIZE) != size)
		return VPCI_EQUEUESIZE;
	if (inl(vp->io + VL_QUEUE_PFN) != 0)
		return VPCI_EQUEUEBUSY;
	outl(vp->io + VL_QUEUE_PFN, (uint32_t)(desc >> VL_PFN_SHIFT));
	vp->notify_addr = 0;
	return VPCI_OK;
}

enum vpci_err virtio_pci_queue_setup(struct virtio_pci *vp, uint16_t q, uint16_t size,
				     uint64_t desc, uint64_t avail, uint64_t used)
{
	uint16_t off;

	if (size == 0 || (size & (size - 1)))
		return VPCI_EQUEUESIZE;
	if (!vp->modern)
		return legacy_queue_setup(vp, q, size, desc);
	mmio_write16(vp->common + VC_QSELECT, q);
	if (mmio_read16(vp->common + VC_QENABLE) != 0)
		return VPCI_EQUEUEBUSY;
	mmio_write16(vp->common + VC_QSIZE, size);
	write64_split(vp->common + VC_QDESC, desc);
	write64_split(vp->common + VC_QDRIVER, avail);
	write64_split(vp->common + VC_QDEVICE, used);
	off = mmio_read16(vp->common + VC_QNOTIFYOFF);
	vp->notify_addr = vp->notify_base + (uintptr_t)off * vp->notify_mult;
	mmio_write16(vp->common + VC_QENABLE, 1);
	return VPCI_OK;
}

void virtio_pci_notify(struct virtio_pci *vp, uint16_t q)
{
	mb();      /* ring updates visible before the doorbell (§2.7.13) */
	if (vp->modern)
		mmio_write16(vp->notify_addr, q);
	else
		outw(vp->io + VL_QUEUE_NOTIFY, q);
}

uint32_t virtio_pci_cfg32(struct virtio_pci *vp, uint32_t off)
{
	return vp->modern ? mmio_read32(vp->device + off) : inl((uint16_t)(vp->io + VL_CONFIG + off));
}

/* §4.1.4.3: re-read while config_generation changes so both halves agree. */
uint64_t virtio_pci_cfg64(struct virtio_pci *vp, uint32_t off)
{
	uint8_t gen;
	uint64_t v;

	if (!vp->modern)
		return virtio_pci_cfg32(vp, off) | (uint64_t)virtio_pci_cfg32(vp, off + 4) << 32;
	for (int tries = 0; tries < 100; tries++) {
		gen = mmio_read8(vp->common + VC_CFGGEN);
		v = mmio_read32(vp->device + off) | (uint64_t)mmio_read32(vp->device + off + 4) << 32;
		if (mmio_read8(vp->common + VC_CFGGEN) == gen)
			break;
	}
	return v;
}
