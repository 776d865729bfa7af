/* virtio PCI transport: the legacy BAR0 registers (virtio 1.1 §4.1.4.8) or the
 * modern capabilities and struct virtio_pci_common_cfg (§4.1.4), one set of calls. */
#include <stddef.h>
#include <stdint.h>
#include "drivers/virtio_pci.h"
#include "kernel/io.h"
#include "kernel/paging.h"
#include "kernel/timer.h"

/* Legacy BAR0 registers (virtio 1.1 §4.1.4.8), I/O port offsets. */
struct __attribute__((packed)) virtio_pci_legacy {
	uint32_t device_features;       /*  0 */
	uint32_t guest_features;        /*  4 */
	uint32_t queue_address;         /*  8: queue page frame number */
	uint16_t queue_size;            /* 12 */
	uint16_t queue_select;          /* 14 */
	uint16_t queue_notify;          /* 16 */
	uint8_t device_status;          /* 18 */
	uint8_t isr_status;             /* 19 */
	/* 20: device configuration; MSI-X is kept disabled, so never at 24 */
};
_Static_assert(offsetof(struct virtio_pci_legacy, queue_address) == 8, "legacy queue PFN");
_Static_assert(offsetof(struct virtio_pci_legacy, queue_size) == 12, "legacy queue size");
_Static_assert(offsetof(struct virtio_pci_legacy, queue_select) == 14, "legacy queue select");
_Static_assert(offsetof(struct virtio_pci_legacy, queue_notify) == 16, "legacy notify");
_Static_assert(offsetof(struct virtio_pci_legacy, device_status) == 18, "legacy status");
_Static_assert(offsetof(struct virtio_pci_legacy, isr_status) == 19, "legacy ISR");
_Static_assert(sizeof(struct virtio_pci_legacy) == 20, "legacy config follows at 20");
#define VL(field)       offsetof(struct virtio_pci_legacy, field)
#define VL_CONFIG       sizeof(struct virtio_pci_legacy)
#define VL_PFN_SHIFT    12      /* queue_address is in 4096-byte units */

/* struct virtio_pci_common_cfg (§4.1.4.3), MMIO offsets in the COMMON capability. */
struct __attribute__((packed)) virtio_pci_common_cfg {
	uint32_t device_feature_select; /*  0 */
	uint32_t device_feature;        /*  4 */
	uint32_t driver_feature_select; /*  8 */
	uint32_t driver_feature;        /* 12 */
	uint16_t msix_config;           /* 16 */
	uint16_t num_queues;            /* 18 */
	uint8_t device_status;          /* 20 */
	uint8_t config_generation;      /* 21 */
	uint16_t queue_select;          /* 22 */
	uint16_t queue_size;            /* 24 */
	uint16_t queue_msix_vector;     /* 26 */
	uint16_t queue_enable;          /* 28 */
	uint16_t queue_notify_off;      /* 30 */
	uint64_t queue_desc;            /* 32 */
	uint64_t queue_driver;          /* 40: available ring */
	uint64_t queue_device;          /* 48: used ring */
};
_Static_assert(offsetof(struct virtio_pci_common_cfg, driver_feature) == 12, "common gf");
_Static_assert(offsetof(struct virtio_pci_common_cfg, num_queues) == 18, "common numq");
_Static_assert(offsetof(struct virtio_pci_common_cfg, device_status) == 20, "common status");
_Static_assert(offsetof(struct virtio_pci_common_cfg, config_generation) == 21, "common gen");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_select) == 22, "common qsel");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_enable) == 28, "common qen");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_notify_off) == 30, "common qnoff");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_desc) == 32, "common qdesc");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_device) == 48, "common qdevice");
_Static_assert(sizeof(struct virtio_pci_common_cfg) == 56, "common cfg");
#define VC(field)       offsetof(struct virtio_pci_common_cfg, field)

/* struct virtio_pci_cap and virtio_pci_notify_cap (§4.1.4, §4.1.4.4), offsets in
 * PCI configuration space from the capability's start. */
struct __attribute__((packed)) virtio_pci_cap {
	uint8_t cap_vndr;               /*  0: PCI_CAP_ID_VNDR */
	uint8_t cap_next;               /*  1 */
	uint8_t cap_len;                /*  2 */
	uint8_t cfg_type;               /*  3: VCAP_* */
	uint8_t bar;                    /*  4 */
	uint8_t padding[3];             /*  5 */
	uint32_t offset;                /*  8: within the BAR */
	uint32_t length;                /* 12 */
	uint32_t notify_off_multiplier; /* 16: NOTIFY capability only */
};
_Static_assert(offsetof(struct virtio_pci_cap, cfg_type) == 3, "cap cfg_type");
_Static_assert(offsetof(struct virtio_pci_cap, bar) == 4, "cap bar");
_Static_assert(offsetof(struct virtio_pci_cap, offset) == 8, "cap offset");
_Static_assert(offsetof(struct virtio_pci_cap, length) == 12, "cap length");
_Static_assert(offsetof(struct virtio_pci_cap, notify_off_multiplier) == 16, "notify mult");
#define VCAP(field)     ((uint8_t)offsetof(struct virtio_pci_cap, field))

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
	uint8_t bar_index = pci_read8(d, (uint8_t)(cap + VCAP(bar)));
	uint32_t off = pci_read32(d, (uint8_t)(cap + VCAP(offset)));
	uint32_t len = pci_read32(d, (uint8_t)(cap + VCAP(length)));

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
		uint8_t type = pci_read8(d, (uint8_t)(cap + VCAP(cfg_type)));
		uintptr_t *slot = type == VCAP_COMMON ? &vp->common :
				  type == VCAP_NOTIFY ? &vp->notify_base :
				  type == VCAP_ISR ? &vp->isr :
				  type == VCAP_DEVICE ? &vp->device : NULL;

		if (!slot || (found & (1u << type)))
			continue;
		if (!cap_address(d, cap, slot))
			return false;
		if (type == VCAP_NOTIFY)
			vp->notify_mult = pci_read32(d, (uint8_t)(cap + VCAP(notify_off_multiplier)));
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
	return vp->modern ? mmio_read8(vp->common + VC(device_status)) : inb(vp->io + VL(device_status));
}

static void write_status(struct virtio_pci *vp, uint8_t v)
{
	if (vp->modern)
		mmio_write8(vp->common + VC(device_status), v);
	else
		outb(vp->io + VL(device_status), v);
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
		return inl(vp->io + VL(device_features));
	mmio_write32(vp->common + VC(device_feature_select), 0);
	f = mmio_read32(vp->common + VC(device_feature));
	mmio_write32(vp->common + VC(device_feature_select), 1);
	return f | (uint64_t)mmio_read32(vp->common + VC(device_feature)) << 32;
}

enum vpci_err virtio_pci_set_features(struct virtio_pci *vp, uint64_t features)
{
	if (!vp->modern) {
		outl(vp->io + VL(guest_features), (uint32_t)features);
		return VPCI_OK;
	}
	mmio_write32(vp->common + VC(driver_feature_select), 0);
	mmio_write32(vp->common + VC(driver_feature), (uint32_t)features);
	mmio_write32(vp->common + VC(driver_feature_select), 1);
	mmio_write32(vp->common + VC(driver_feature), (uint32_t)(features >> 32));
	virtio_pci_set_status(vp, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_pci_status(vp) & VIRTIO_STATUS_FEATURES_OK))
		return VPCI_EFEATURES;
	return VPCI_OK;
}

uint16_t virtio_pci_queue_max(struct virtio_pci *vp, uint16_t q)
{
	if (!vp->modern) {
		outw(vp->io + VL(queue_select), q);
		return inw(vp->io + VL(queue_size));
	}
	if (q >= mmio_read16(vp->common + VC(num_queues)))
		return 0;
	mmio_write16(vp->common + VC(queue_select), q);
	return mmio_read16(vp->common + VC(queue_size));
}

static enum vpci_err legacy_queue_setup(struct virtio_pci *vp, uint16_t q, uint16_t size,
					uint64_t desc)
{
	outw(vp->io + VL(queue_select), q);
	/* The legacy interface cannot shrink a queue: the layout follows its size. */
	if (inw(vp->io + VL(queue_size)) != size)
		return VPCI_EQUEUESIZE;
	if (inl(vp->io + VL(queue_address)) != 0)
		return VPCI_EQUEUEBUSY;
	outl(vp->io + VL(queue_address), (uint32_t)(desc >> VL_PFN_SHIFT));
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
	mmio_write16(vp->common + VC(queue_select), q);
	if (mmio_read16(vp->common + VC(queue_enable)) != 0)
		return VPCI_EQUEUEBUSY;
	mmio_write16(vp->common + VC(queue_size), size);
	write64_split(vp->common + VC(queue_desc), desc);
	write64_split(vp->common + VC(queue_driver), avail);
	write64_split(vp->common + VC(queue_device), used);
	off = mmio_read16(vp->common + VC(queue_notify_off));
	vp->notify_addr = vp->notify_base + (uintptr_t)off * vp->notify_mult;
	mmio_write16(vp->common + VC(queue_enable), 1);
	return VPCI_OK;
}

void virtio_pci_notify(struct virtio_pci *vp, uint16_t q)
{
	mb();      /* ring updates visible before the doorbell (§2.7.13) */
	if (vp->modern)
		mmio_write16(vp->notify_addr, q);
	else
		outw(vp->io + VL(queue_notify), q);
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
		gen = mmio_read8(vp->common + VC(config_generation));
		v = mmio_read32(vp->device + off) | (uint64_t)mmio_read32(vp->device + off + 4) << 32;
		if (mmio_read8(vp->common + VC(config_generation)) == gen)
			break;
	}
	return v;
}
