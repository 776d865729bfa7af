/* virtio-scsi (virtio 1.1 §5.6) over the PCI transport: every disk LUN behind the
 * host adapter becomes a struct blockdev named sdX, requests on the first request
 * queue, completion by polling with a timeout. */
#ifndef THAW_VIRTIO_SCSI_H
#define THAW_VIRTIO_SCSI_H
#include <stddef.h>
#include <stdint.h>
#include "kernel/pci.h"

#define VIRTIO_SCSI_DEVICE_ID 8          /* 1af4:1004 transitional, 1af4:1048 modern */
#define VIRTIO_SCSI_REQUEST_Q 2          /* 0 control, 1 event, 2… requests (§5.6.2) */
#define VIRTIO_SCSI_CDB_SIZE  32         /* config defaults after reset (§5.6.4) */
#define VIRTIO_SCSI_SENSE_SIZE 96

/* struct virtio_scsi_config offsets (§5.6.4). */
#define VSCSI_CFG_NUM_QUEUES  0
#define VSCSI_CFG_SEG_MAX     4
#define VSCSI_CFG_MAX_SECTORS 8
#define VSCSI_CFG_SENSE_SIZE  20
#define VSCSI_CFG_CDB_SIZE    24
#define VSCSI_CFG_MAX_TARGET  28         /* u16 max_channel at 28, u16 max_target at 30 */
#define VSCSI_CFG_MAX_LUN     32

/* Request header, device-readable (§5.6.6.1 struct virtio_scsi_req_cmd). */
struct virtio_scsi_req {
	uint8_t lun[8];          /* 0: 1, target, LUN (SAM single level, flat), 0… */
	uint64_t id;             /* 8: tag */
	uint8_t task_attr;       /* 16: VIRTIO_SCSI_S_SIMPLE */
	uint8_t prio;            /* 17 */
	uint8_t crn;             /* 18 */
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE];   /* 19 */
} __attribute__((packed));
_Static_assert(offsetof(struct virtio_scsi_req, cdb) == 19, "cdb at 19");
_Static_assert(sizeof(struct virtio_scsi_req) == 51, "request header is 51 bytes");

/* Response, device-writable. */
struct virtio_scsi_resp {
	uint32_t sense_len;      /* 0 */
	uint32_t residual;       /* 4: bytes not transferred */
	uint16_t status_qualifier;   /* 8 */
	uint8_t status;          /* 10: SCSI status byte */
	uint8_t response;        /* 11: VIRTIO_SCSI_S_* */
	uint8_t sense[VIRTIO_SCSI_SENSE_SIZE];   /* 12 */
} __attribute__((packed));
_Static_assert(offsetof(struct virtio_scsi_resp, response) == 11, "response at 11");
_Static_assert(sizeof(struct virtio_scsi_resp) == 108, "response is 108 bytes");

#define VIRTIO_SCSI_S_SIMPLE 0

/* Response codes (§5.6.6.1). */
enum {
	VIRTIO_SCSI_S_OK = 0,
	VIRTIO_SCSI_S_OVERRUN = 1,
	VIRTIO_SCSI_S_ABORTED = 2,
	VIRTIO_SCSI_S_BAD_TARGET = 3,
	VIRTIO_SCSI_S_RESET = 4,
	VIRTIO_SCSI_S_BUSY = 5,
	VIRTIO_SCSI_S_TRANSPORT_FAILURE = 6,
	VIRTIO_SCSI_S_TARGET_FAILURE = 7,
	VIRTIO_SCSI_S_NEXUS_FAILURE = 8,
	VIRTIO_SCSI_S_FAILURE = 9,
};

#define VIRTIO_SCSI_MAX        8          /* host adapters driven */
#define VIRTIO_SCSI_DISKS_MAX  16         /* LUNs driven, over all adapters */
#define VIRTIO_SCSI_ASYNC_MAX  64         /* submit_read()s outstanding per LUN */
#define VIRTIO_SCSI_TIMEOUT_MS 5000       /* no completion for this long: adapter dead */
#define VIRTIO_SCSI_TIMEOUT_POLLS 20000000ull

/* True for a virtio-scsi PCI function (transitional 1af4:1004 or modern 1af4:1048). */
bool virtio_scsi_match(const struct pci_dev *d);

#endif
