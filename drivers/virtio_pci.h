/* virtio over PCI: the legacy I/O-port interface (virtio 1.1 §4.1.4.8, "Legacy
 * Interfaces") and the virtio 1.0 capability-based interface (§4.1.4), chosen per
 * device, behind one set of calls so the device drivers never see the difference. */
#ifndef THAW_VIRTIO_PCI_H
#define THAW_VIRTIO_PCI_H
#include <stdbool.h>
#include <stdint.h>
#include "kernel/pci.h"

#define VIRTIO_PCI_VENDOR       0x1AF4
#define VIRTIO_PCI_LEGACY_FIRST 0x1000   /* transitional IDs 0x1000-0x103F (§4.1.2.1) */
#define VIRTIO_PCI_LEGACY_LAST  0x103F
#define VIRTIO_PCI_MODERN_BASE  0x1040   /* 0x1040 + virtio device id */

/* Device status bits (virtio 1.1 §2.1). */
#define VIRTIO_STATUS_ACK         0x01
#define VIRTIO_STATUS_DRIVER      0x02
#define VIRTIO_STATUS_DRIVER_OK   0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_FAILED      0x80

#define VIRTIO_F_VERSION_1 32            /* §6: modern interface */

enum vpci_err {
	VPCI_OK = 0,
	VPCI_ENOBAR,          /* no usable BAR: neither legacy I/O nor all modern caps */
	VPCI_EMAP,            /* could not map the modern BAR */
	VPCI_EFEATURES,       /* device refused the features (FEATURES_OK not kept) */
	VPCI_ENOQUEUE,        /* the queue does not exist */
	VPCI_EQUEUEBUSY,      /* the queue is still live after a reset */
	VPCI_EQUEUESIZE,      /* the queue size is unusable (0, not a power of two) */
};

const char *vpci_strerror(enum vpci_err e);

struct virtio_pci {
	const struct pci_dev *pci;
	bool modern;
	uint16_t io;                 /* legacy: BAR0 port base */
	uintptr_t common;            /* modern: struct virtio_pci_common_cfg */
	uintptr_t isr;
	uintptr_t device;            /* modern: device-specific configuration */
	uintptr_t notify_base;
	uint32_t notify_mult;
	uintptr_t notify_addr;       /* where the selected queue's index is written */
};

/* Map the transport (modern if all four modern capabilities are usable, else the
 * legacy I/O BAR), reset the device, enable bus mastering and set
 * ACKNOWLEDGE|DRIVER (§3.1.1 steps 1-3). */
enum vpci_err virtio_pci_init(struct virtio_pci *vp, const struct pci_dev *d);

/* Write status 0 and wait until the device reads back 0 (§4.1.4.3.2). */
void virtio_pci_reset(struct virtio_pci *vp);
uint8_t virtio_pci_status(struct virtio_pci *vp);
void virtio_pci_set_status(struct virtio_pci *vp, uint8_t bits);   /* OR into status */

uint64_t virtio_pci_device_features(struct virtio_pci *vp);
/* Write the driver's features; on modern devices also set FEATURES_OK and check it
 * stuck (§3.1.1 steps 5-6). */
enum vpci_err virtio_pci_set_features(struct virtio_pci *vp, uint64_t features);

/* Select queue q and return its maximum size (0: no such queue). */
uint16_t virtio_pci_queue_max(struct virtio_pci *vp, uint16_t q);

/* Program queue q with size entries laid out as the legacy interface requires
 * (one block: desc at ring_phys, used at the next 4096 boundary past avail). */
enum vpci_err virtio_pci_queue_setup(struct virtio_pci *vp, uint16_t q, uint16_t size,
				     uint64_t desc, uint64_t avail, uint64_t used);

void virtio_pci_notify(struct virtio_pci *vp, uint16_t q);

/* Device-specific configuration reads (little-endian fields; 64-bit fields are
 * read consistently through config_generation on modern devices). */
uint32_t virtio_pci_cfg32(struct virtio_pci *vp, uint32_t off);
uint64_t virtio_pci_cfg64(struct virtio_pci *vp, uint32_t off);

#endif
