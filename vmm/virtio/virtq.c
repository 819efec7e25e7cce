// SPDX-License-Identifier: MIT
/*
 * virtq.c: split virtqueues (virtio 1.2, 2.7) as a device sees them. Pure:
 * guest RAM only through struct vq_mem, and every ring, descriptor and
 * indirect table is checked before use (docs/vmm.md, "virtio").
 */
#include <tv/errno.h>
#include <tv/string.h>
#include <tv/virtio.h>

struct vq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
} __attribute__((packed));

#define AVAIL_IDX(q) ((q)->avail + 2)
#define AVAIL_RING(q, i) ((q)->avail + 4 + 2ull * (i))
#define USED_IDX(q) ((q)->used + 2)
#define USED_RING(q, i) ((q)->used + 4 + 8ull * (i))

static inline bool rd16(const struct vq_mem *m, u64 gpa, u16 *v)
{
	return m->read(m->vm, gpa, v, 2) == 0;
}

static inline bool wr16(const struct vq_mem *m, u64 gpa, u16 v)
{
	return m->write(m->vm, gpa, &v, 2) == 0;
}

vq_err virtq_check(const struct virtq *q, const struct vq_mem *m, unsigned max)
{
	u64 n = q->size;

	if (n == 0 || n > max || (n & (n - 1)))
		return "queue size is not a power of two up to the maximum";
	if ((q->desc & 15) || (q->avail & 1) || (q->used & 3))
		return "ring address misaligned";
	/* The rings with their event fields (EVENT_IDX or not: the space is the driver's). */
	if (!m->contains(m->vm, q->desc, 16 * n) || !m->contains(m->vm, q->avail, 6 + 2 * n) ||
	    !m->contains(m->vm, q->used, 6 + 8 * n))
		return "ring outside guest RAM";
	return NULL;
}

/* Append one buffer to the chain, checking it against RAM and the direction rule. */
static vq_err add_seg(struct vq_chain *c, const struct vq_mem *m, const struct vq_desc *d)
{
	bool w = d->flags & VIRTQ_DESC_F_WRITE;
	struct vq_seg *s;

	if (c->nseg == VIRTQ_MAX_SEGS)
		return "chain has too many buffers";
	if (d->len && !m->contains(m->vm, d->addr, d->len))
		return "buffer outside guest RAM";
	if (!w && c->in_len)
		return "device-readable buffer after a writable one";
	s = &c->seg[c->nseg++];
	s->gpa = d->addr;
	s->len = d->len;
	s->write = w;
	if (w)
		c->in_len += d->len;
	else
		c->out_len += d->len;
	return NULL;
}

/* Walk an indirect table of n descriptors at gpa. */
static vq_err walk_indirect(struct vq_chain *c, const struct vq_mem *m, u64 gpa, u32 n)
{
	struct vq_desc d;
	u32 i = 0, steps = 0;
	vq_err e;

	for (;;) {
		if (m->read(m->vm, gpa + 16ull * i, &d, sizeof(d)))
			return "indirect table unreadable";
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return "nested indirect table";
		e = add_seg(c, m, &d);
		if (e)
			return e;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return NULL;
		if (d.next >= n)
			return "indirect next index out of the table";
		if (++steps >= n)
			return "loop in an indirect table";
		i = d.next;
	}
}

int virtq_pop(struct virtq *q, const struct vq_mem *m, bool indirect, struct vq_chain *c,
	      vq_err *err)
{
	u16 avail_idx, head, i;
	unsigned steps = 0;
	struct vq_desc d;
	vq_err e = NULL;

	if (!rd16(m, AVAIL_IDX(q), &avail_idx)) {
		e = "avail ring unreadable";
		goto bad;
	}
	if (avail_idx == q->last_avail)
		return 0;
	if ((u16)(avail_idx - q->last_avail) > q->size) {
		e = "avail index runs more than a queue ahead";
		goto bad;
	}
	if (!rd16(m, AVAIL_RING(q, q->last_avail & (q->size - 1)), &head)) {
		e = "avail ring unreadable";
		goto bad;
	}
	if (head >= q->size) {
		e = "head descriptor index out of the table";
		goto bad;
	}
	c->head = head;
	c->nseg = 0;
	c->out_len = c->in_len = 0;
	for (i = head;;) {
		if (m->read(m->vm, q->desc + 16ull * i, &d, sizeof(d))) {
			e = "descriptor table unreadable";
			goto bad;
		}
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!indirect)
				e = "indirect descriptor not negotiated";
			else if (d.flags & VIRTQ_DESC_F_NEXT)
				e = "indirect descriptor with NEXT";
			else if (d.len == 0 || d.len % 16 || d.len / 16 > VIRTQ_MAX_SEGS)
				e = "indirect table size not a multiple of 16 up to the limit";
			else if (!m->contains(m->vm, d.addr, d.len))
				e = "indirect table outside guest RAM";
			else
				e = walk_indirect(c, m, d.addr, d.len / 16);
			if (e)
				goto bad;
			break;
		}
		e = add_seg(c, m, &d);
		if (e)
			goto bad;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		if (d.next >= q->size) {
			e = "next descriptor index out of the table";
			goto bad;
		}
		if (++steps >= q->size) {
			e = "descriptor loop";
			goto bad;
		}
		i = d.next;
	}
	q->last_avail++;
	return 1;
bad:
	*err = e;
	return -1;
}

int virtq_push(struct virtq *q, const struct vq_mem *m, u16 head, u32 len)
{
	u32 elem[2] = { head, len };

	if (m->write(m->vm, USED_RING(q, q->used_idx & (q->size - 1)), elem, sizeof(elem)))
		return -1;
	/* x86 keeps stores in order: the element is visible before the index. */
	q->used_idx++;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return wr16(m, USED_IDX(q), q->used_idx) ? 0 : -1;
}

bool virtq_should_notify(struct virtq *q, const struct vq_mem *m, bool event_idx)
{
	u16 flags = 0, used_event = 0, old = q->signalled, now = q->used_idx;

	if (event_idx) {
		/* avail_event: notify me once you add past what I have taken. */
		wr16(m, USED_RING(q, q->size), q->last_avail);
		if (old == now)
			return false;
		q->signalled = now;
		if (!rd16(m, AVAIL_RING(q, q->size), &used_event))
			return true;
		/* used_event among the entries [old, now) added since the last interrupt. */
		return (u16)(now - used_event - 1) < (u16)(now - old);
	}
	if (old == now)
		return false;
	q->signalled = now;
	return !rd16(m, q->avail, &flags) || !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

int vq_chain_copy(const struct vq_chain *c, const struct vq_mem *m, bool write, u64 off, void *buf,
		  u64 len)
{
	u8 *p = buf;

	for (unsigned i = 0; i < c->nseg && len; i++) {
		const struct vq_seg *s = &c->seg[i];
		u64 n;

		if (s->write != write)
			continue;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off < len ? s->len - off : len;
		if (write ? m->write(m->vm, s->gpa + off, p, n) : m->read(m->vm, s->gpa + off, p, n))
			return -EFAULT;
		p += n;
		len -= n;
		off = 0;
	}
	return len ? -EINVAL : 0;
}

bool virtq_pending(const struct virtq *q, const struct vq_mem *m)
{
	u16 idx;

	return rd16(m, AVAIL_IDX(q), &idx) && idx != q->last_avail;
}
