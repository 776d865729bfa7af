/* Split virtqueue bookkeeping: a free list through desc.next, chains published in
 * batches, completions taken from the used ring (virtio 1.1 §2.6.13, §2.6.14). */
#include <stddef.h>
#include <stdint.h>
#include "drivers/virtqueue.h"
#include "kernel/io.h"

#define RING_ALIGN 4096

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* §2.6.2: descriptors, then the available ring with its trailing u16 used_event. */
static size_t avail_offset(uint16_t size)
{
	return sizeof(struct virtq_desc) * size;
}

static size_t used_offset(uint16_t size)
{
	size_t avail = offsetof(struct virtq_avail, ring) + sizeof(uint16_t) * (size + 1u);

	return align_up(avail_offset(size) + avail, RING_ALIGN);
}

/* The used ring with its trailing u16 avail_event. */
size_t virtq_bytes(uint16_t size)
{
	size_t used = offsetof(struct virtq_used, ring) + sizeof(struct virtq_used_elem) * size +
		      sizeof(uint16_t);

	return used_offset(size) + align_up(used, RING_ALIGN);
}

void virtq_init(struct virtq *vq, void *mem, uint16_t size)
{
	uint8_t *base = mem;

	vq->size = size;
	vq->desc = (struct virtq_desc *)base;
	vq->avail = (volatile struct virtq_avail *)(base + avail_offset(size));
	vq->used = (volatile struct virtq_used *)(base + used_offset(size));
	for (uint16_t i = 0; i + 1 < size; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = size;
	vq->avail_shadow = 0;
	vq->last_used = 0;
	/* thaw polls; interrupts stay off (§2.6.10). */
	vq->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
}

uint64_t virtq_avail_addr(const struct virtq *vq)
{
	return (uint64_t)(uintptr_t)vq->avail;
}

uint64_t virtq_used_addr(const struct virtq *vq)
{
	return (uint64_t)(uintptr_t)vq->used;
}

int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned n)
{
	uint16_t head, d;

	if (n == 0 || n > vq->num_free)
		return -1;
	head = d = vq->free_head;
	for (unsigned i = 0; i < n; i++) {
		struct virtq_desc *desc = &vq->desc[d];

		desc->addr = bufs[i].addr;
		desc->len = bufs[i].len;
		desc->flags = (uint16_t)((bufs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
					 (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		if (i + 1 < n)
			d = desc->next;
	}
	vq->free_head = vq->desc[d].next;
	vq->num_free = (uint16_t)(vq->num_free - n);
	vq->avail->ring[vq->avail_shadow % vq->size] = head;
	vq->avail_shadow++;
	return head;
}

bool virtq_publish(struct virtq *vq)
{
	if (vq->avail->idx == vq->avail_shadow)
		return false;
	wmb();     /* ring entries before the index that exposes them (§2.6.13.3) */
	vq->avail->idx = vq->avail_shadow;
	return true;
}

bool virtq_pop_used(struct virtq *vq, uint16_t *head, uint32_t *len)
{
	uint16_t d, n = 1;
	volatile struct virtq_used_elem *e;

	if (vq->used->idx == vq->last_used)
		return false;
	rmb();     /* the element after the index that announced it (§2.6.14) */
	e = &vq->used->ring[vq->last_used % vq->size];
	*len = e->len;
	vq->last_used++;
	if (e->id >= vq->size) {
		*head = VIRTQ_BAD_HEAD;       /* a broken device: leak nothing, trust nothing */
		return true;
	}
	*head = (uint16_t)e->id;
	for (d = *head; (vq->desc[d].flags & VIRTQ_DESC_F_NEXT) && n < vq->size;
	     d = vq->desc[d].next)
		n++;
	vq->desc[d].next = vq->free_head;
	vq->free_head = *head;
	vq->num_free = (uint16_t)(vq->num_free + n);
	return true;
}
