// SPDX-License-Identifier: MIT
/* virtio_pci.c: virtio-pci capability parsing and driver-side split virtqueues, free of hardware access. */
#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/virtio_pci.h>

static u32 le32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

int vpci_caps_parse(const u8 cfg[256], struct vpci_caps *out)
{
	const u8 need = 1u << VPCI_CAP_COMMON | 1u << VPCI_CAP_NOTIFY | 1u << VPCI_CAP_DEVICE;
	u8 p = cfg[0x34] & ~3u;

	*out = (struct vpci_caps){ 0 };
	/* 48 capabilities fill the 192 bytes above the header: more is a loop. */
	for (int n = 0; p >= 0x40 && n < 48; n++, p = cfg[p + 1] & ~3u) {
		const u8 *c = cfg + p;
		u8 type = c[3], len = c[2];
		struct vpci_region *r;

		if (c[0] != VPCI_CAP_VENDOR || p > 256 - 16 || len < 16 || p + len > 256)
			continue;
		if (c[4] > 5 || type < VPCI_CAP_COMMON || type > VPCI_CAP_DEVICE ||
		    (out->found & (1u << type)))
			continue;
		if (type == VPCI_CAP_NOTIFY) {
			if (len < 20)
				continue;
			out->notify_mult = le32(c + 16);
		}
		r = type == VPCI_CAP_COMMON ? &out->common : type == VPCI_CAP_NOTIFY ? &out->notify :
		    type == VPCI_CAP_ISR ? &out->isr : &out->device;
		r->bar = c[4];
		r->off = le32(c + 8);
		r->len = le32(c + 12);
		out->found |= 1u << type;
	}
	return (out->found & need) == need ? 0 : -ENODEV;
}

bool vpci_region_ok(const struct vpci_region *r, u64 bar_size, u32 min)
{
	return r->len >= min && (u64)r->off + r->len <= bar_size;
}

void vpci_vq_layout(u16 size, u32 *avail_off, u32 *used_off, u32 *total)
{
	*avail_off = 16u * size;
	*used_off = ALIGN_UP(*avail_off + 6u + 2u * size, 4u);
	*total = *used_off + 6u + 8u * size;
}

void vpci_vq_init(struct vpci_vq *q, u16 size, void *mem)
{
	u32 a, u, t;

	vpci_vq_layout(size, &a, &u, &t);
	q->size = size;
	q->desc = mem;
	q->avail = (volatile u16 *)((u8 *)mem + a);
	q->used = (volatile u16 *)((u8 *)mem + u);
	q->avail_idx = q->last_used = 0;
	q->nfree = size;
	for (unsigned i = 0; i < ARRAY_SIZE(q->busy); i++)
		q->busy[i] = 0;
	for (u16 i = 0; i < size; i++)
		q->free[i] = size - 1 - i;
}

int vpci_vq_get(struct vpci_vq *q)
{
	return q->nfree ? q->free[--q->nfree] : -EAGAIN;
}

void vpci_vq_put(struct vpci_vq *q, u16 id)
{
	if (q->nfree < q->size)
		q->free[q->nfree++] = id;
}

void vpci_vq_push(struct vpci_vq *q, u16 id, u64 pa, u32 len, bool device_writes)
{
	q->desc[id].addr = pa;
	q->desc[id].len = len;
	q->desc[id].flags = device_writes ? VPCI_D_WRITE : 0;
	q->desc[id].next = 0;
	q->busy[id / 64] |= 1ull << (id % 64);
	q->avail[2 + (q->avail_idx & (q->size - 1))] = id;
	barrier();   /* the ring entry before the index that publishes it */
	q->avail[1] = ++q->avail_idx;
}

int vpci_vq_pop(struct vpci_vq *q, u32 *len)
{
	volatile struct vpci_used_elem *ring = (volatile struct vpci_used_elem *)(q->used + 2);
	u16 idx = q->used[1];
	u32 id;

	if (idx == q->last_used)
		return -1;
	if ((u16)(idx - q->last_used) > q->size)
		return -EIO;
	barrier();   /* the element is valid once the index covers it */
	id = ring[q->last_used & (q->size - 1)].id;
	*len = ring[q->last_used & (q->size - 1)].len;
	q->last_used++;
	if (id >= q->size || !(q->busy[id / 64] & (1ull << (id % 64))))
		return -EIO;
	q->busy[id / 64] &= ~(1ull << (id % 64));
	return (int)id;
}

bool vpci_vq_notify_wanted(const struct vpci_vq *q)
{
	return !(q->used[0] & VPCI_USED_NO_NOTIFY);
}

u64 vnet_features(u64 offered)
{
	if (!(offered & VPCI_F_VERSION_1))
		return 0;
	return offered & (VPCI_F_VERSION_1 | VNET_F_MAC | VNET_F_STATUS);
}
