/* The split virtqueue (virtio 1.1 §2.6): descriptor table, available and used rings
 * in one block laid out as the legacy interface demands (§2.6.2), driven by polling. */
#ifndef THAW_VIRTQUEUE_H
#define THAW_VIRTQUEUE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct virtq_desc {
	uint64_t addr;           /* 0: guest-physical buffer address */
	uint32_t len;            /* 8 */
	uint16_t flags;          /* 12: VIRTQ_DESC_F_* */
	uint16_t next;           /* 14: next descriptor when F_NEXT */
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes");
_Static_assert(offsetof(struct virtq_desc, next) == 14, "next at 14");

#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2     /* device writes into the buffer */

struct virtq_avail {
	uint16_t flags;          /* 0: VIRTQ_AVAIL_F_NO_INTERRUPT */
	uint16_t idx;            /* 2: free-running */
	uint16_t ring[];         /* 4: then u16 used_event (unused: no EVENT_IDX) */
};
_Static_assert(offsetof(struct virtq_avail, ring) == 4, "avail ring at 4");
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_used_elem {
	uint32_t id;             /* 0: head of the finished chain */
	uint32_t len;            /* 4: bytes written into device-writable buffers */
};
_Static_assert(sizeof(struct virtq_used_elem) == 8, "used elem is 8 bytes");

struct virtq_used {
	uint16_t flags;          /* 0 */
	uint16_t idx;            /* 2 */
	struct virtq_used_elem ring[];   /* 4 */
};
_Static_assert(offsetof(struct virtq_used, ring) == 4, "used ring at 4");

/* One buffer of a chain. */
struct virtq_buf {
	uint64_t addr;
	uint32_t len;
	bool device_writes;
};

struct virtq {
	uint16_t size;                      /* entries, a power of two */
	struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint16_t free_head;
	uint16_t num_free;
	uint16_t avail_shadow;              /* avail.idx once the batch is published */
	uint16_t last_used;
};

/* Bytes the ring needs for size entries, legacy layout: desc, avail, then used at
 * the next 4096 boundary (§2.6.2 "Legacy Interfaces"). */
size_t virtq_bytes(uint16_t size);

/* Set up vq over zeroed, 4096-aligned, identity-mapped mem of virtq_bytes(size). */
void virtq_init(struct virtq *vq, void *mem, uint16_t size);

uint64_t virtq_avail_addr(const struct virtq *vq);
uint64_t virtq_used_addr(const struct virtq *vq);

/* Queue a chain of n buffers; returns its head descriptor, or -1 if fewer than n
 * descriptors are free. The chain becomes visible to the device at virtq_publish. */
int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned n);

/* The head descriptor the next virtq_add will return (if it succeeds). */
static inline uint16_t virtq_next_head(const struct virtq *vq)
{
	return vq->free_head;
}

/* Publish every chain added since the last call (one avail.idx store); true if
 * there was any, i.e. the device needs a notification. */
bool virtq_publish(struct virtq *vq);

/* Take one finished chain off the used ring and free its descriptors. A used
 * element naming no descriptor yields *head == VIRTQ_BAD_HEAD. */
#define VIRTQ_BAD_HEAD 0xFFFF
bool virtq_pop_used(struct virtq *vq, uint16_t *head, uint32_t *len);

#endif
