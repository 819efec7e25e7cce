// SPDX-License-Identifier: MIT
/*
 * mmio.c: the virtio-mmio transport, version 2 register layout (virtio 1.2,
 * 4.2.2): feature negotiation, device status, queue set-up, notifications
 * and a level-triggered interrupt line that drops when the driver
 * acknowledges. Pure: devices plug in through struct virtio_dev_ops.
 */
#include <tv/errno.h>
#include <tv/string.h>
#include <tv/virtio.h>

#define TRANSPORT_FEATURES ((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_EVENT_IDX) | \
			    (1ull << VIRTIO_F_INDIRECT_DESC))

static u64 dev_features(const struct virtio_mmio *d)
{
	return d->ops->features | TRANSPORT_FEATURES;
}

static inline void update_irq(struct virtio_mmio *d)
{
	d->host.set_irq(d->host.ctx, d->gsi, d->isr != 0);
}

void virtio_mmio_init(struct virtio_mmio *d, const struct virtio_dev_ops *ops, void *dev,
		      const struct vdev_host *host, const struct vq_mem *mem, unsigned gsi)
{
	d->ops = ops;
	d->dev = dev;
	d->host = *host;
	d->mem = *mem;
	d->gsi = gsi;
	virtio_mmio_reset(d);
}

void virtio_mmio_reset(struct virtio_mmio *d)
{
	bool had_irq = d->isr != 0;

	d->status = 0;
	d->isr = 0;
	d->drv_features = 0;
	d->dev_features_sel = d->drv_features_sel = d->queue_sel = 0;
	memset(d->q, 0, sizeof(d->q));
	if (d->ops->reset)
		d->ops->reset(d);
	if (had_irq)
		update_irq(d);
}

void virtio_mmio_fail(struct virtio_mmio *d, const char *why)
{
	if (d->status & VIRTIO_S_NEEDS_RESET)
		return;
	/* The spec's answer to a driver error: stop, tell the driver, wait for a reset. */
	d->status |= VIRTIO_S_NEEDS_RESET;
	if (d->broken)
		d->broken(d, why);
	if (d->status & VIRTIO_S_DRIVER_OK) {
		d->isr |= VIRTIO_INT_CONFIG;
		update_irq(d);
	}
}

void virtio_mmio_config_changed(struct virtio_mmio *d)
{
	if (!virtio_mmio_live(d))
		return;    /* the driver reads the config when it comes up */
	d->irqs++;
	d->isr |= VIRTIO_INT_CONFIG;
	update_irq(d);
}

bool virtio_mmio_live(const struct virtio_mmio *d)
{
	return (d->status & (VIRTIO_S_DRIVER_OK | VIRTIO_S_NEEDS_RESET | VIRTIO_S_FAILED)) ==
	       VIRTIO_S_DRIVER_OK;
}

void virtio_mmio_used(struct virtio_mmio *d, unsigned q)
{
	if (q < d->ops->nqueues &&
	    virtq_should_notify(&d->q[q], &d->mem, virtio_has(d, VIRTIO_F_EVENT_IDX))) {
		d->irqs++;
		d->isr |= VIRTIO_INT_USED;
		update_irq(d);
	}
}

/* The ring address a QueueDesc/Driver/Device Low or High register holds half of, or NULL. */
static u64 *ring_addr(struct virtq *q, u64 off)
{
	switch (off & ~4ull) {
	case VMMIO_QUEUE_DESC_LO: return &q->desc;
	case VMMIO_QUEUE_AVAIL_LO: return &q->avail;
	case VMMIO_QUEUE_USED_LO: return &q->used;
	}
	return NULL;
}

/* Set the low (off & 4 clear) or high half of *r. */
static void set_half(u64 *r, u64 off, u32 v)
{
	unsigned sh = off & 4 ? 32 : 0;

	*r = (*r & ~(0xffffffffull << sh)) | ((u64)v << sh);
}

static struct virtq *selq(struct virtio_mmio *d)
{
	return d->queue_sel < d->ops->nqueues ? &d->q[d->queue_sel] : NULL;
}

int virtio_mmio_read(void *dev, u64 off, unsigned size, u64 *val)
{
	struct virtio_mmio *d = dev;
	struct virtq *q = selq(d);
	u64 f;

	if (off >= VIRTIO_MMIO_SIZE)
		return -EINVAL;
	if (off >= VMMIO_CONFIG) {
		u32 o = (u32)(off - VMMIO_CONFIG);

		/* Config space: any natural access inside it; the rest reads 0. */
		if ((size != 1 && size != 2 && size != 4) || (off & (size - 1)))
			return -EOPNOTSUPP;
		*val = o + size <= d->ops->config_len ? d->ops->config_read(d, o, size) : 0;
		return 0;
	}
	if (size != 4 || (off & 3))
		return -EOPNOTSUPP;
	switch (off) {
	case VMMIO_MAGIC: *val = VIRTIO_MMIO_MAGIC; break;
	case VMMIO_VERSION: *val = 2; break;
	case VMMIO_DEVICE_ID: *val = d->ops->device_id; break;
	case VMMIO_VENDOR_ID: *val = VIRTIO_VENDOR_ID; break;
	case VMMIO_DEV_FEATURES:
		f = dev_features(d);
		*val = d->dev_features_sel == 0 ? (u32)f : d->dev_features_sel == 1 ? (u32)(f >> 32) : 0;
		break;
	case VMMIO_QUEUE_NUM_MAX: *val = q ? VIRTQ_MAX_SIZE : 0; break;
	case VMMIO_QUEUE_READY: *val = q && q->ready; break;
	case VMMIO_INT_STATUS: *val = d->isr; break;
	case VMMIO_STATUS: *val = d->status; break;
	case VMMIO_CONFIG_GEN: *val = 0; break;
	case VMMIO_QUEUE_NUM: *val = q ? q->size : 0; break;
	case VMMIO_QUEUE_DESC_LO ... VMMIO_QUEUE_USED_HI:
		if (q && ring_addr(q, off))
			*val = (u32)(*ring_addr(q, off) >> (off & 4 ? 32 : 0));
		else
			*val = 0;
		break;
	default: *val = 0; break;    /* write-only and reserved registers */
	}
	return 0;
}

static void write_status(struct virtio_mmio *d, u32 v)
{
	if (v == 0) {
		virtio_mmio_reset(d);
		return;
	}
	/* FEATURES_OK only for a modern driver asking for nothing we lack. */
	if ((v & VIRTIO_S_FEATURES_OK) && !(d->status & VIRTIO_S_FEATURES_OK) &&
	    (!virtio_has(d, VIRTIO_F_VERSION_1) || (d->drv_features & ~dev_features(d))))
		v &= ~VIRTIO_S_FEATURES_OK;
	/* The driver cannot clear bits short of a reset, nor set NEEDS_RESET. */
	d->status |= v & ~VIRTIO_S_NEEDS_RESET;
}

static void write_queue(struct virtio_mmio *d, struct virtq *q, u64 off, u32 v)
{
	vq_err e;

	if (off == VMMIO_QUEUE_READY) {
		if (!v) {
			q->ready = false;
			return;
		}
		e = virtq_check(q, &d->mem, VIRTQ_MAX_SIZE);
		if (e) {
			virtio_mmio_fail(d, e);
			return;
		}
		q->ready = true;
		return;
	}
	if (q->ready)
		return;    /* the spec forbids changing a live queue: ignore */
	if (off == VMMIO_QUEUE_NUM)
		q->size = (u16)(v > 0xffff ? 0 : v);
	else if (ring_addr(q, off))
		set_half(ring_addr(q, off), off, v);
}

/*
 * Serve queue qi: every available chain goes through the device's request()
 * and into the used ring; interrupts as the driver asked, and a re-check
 * after publishing avail_event so no buffer is left behind.
 */
static vq_err drain(struct virtio_mmio *d, unsigned qi)
{
	struct vq_chain *c = &d->chain;
	struct virtq *q = &d->q[qi];
	bool indirect = virtio_has(d, VIRTIO_F_INDIRECT_DESC);
	vq_err e = NULL;
	unsigned rounds = 0;
	int r;

	d->chain_q = qi;
	/*
	 * A second vCPU may keep adding buffers while this one works: a queue's
	 * worth per round and 16 rounds keep a hostile guest from holding the
	 * VMM here.
	 */
	do {
		for (unsigned n = 0; n < q->size && (r = virtq_pop(q, &d->mem, indirect, c, &e)) > 0; n++) {
			u32 len = d->ops->request(d, c, &e);

			if (e)
				return e;
			if (virtq_push(q, &d->mem, c->head, len))
				return "used ring unwritable";
		}
		if (e)
			return e;
		virtio_mmio_used(d, qi);
	} while (++rounds < 16 && virtq_pending(q, &d->mem));
	return NULL;
}

int virtio_mmio_write(void *dev, u64 off, unsigned size, u64 val)
{
	struct virtio_mmio *d = dev;
	struct virtq *q = selq(d);
	u32 v = (u32)val;
	vq_err e;

	if (off >= VIRTIO_MMIO_SIZE)
		return -EINVAL;
	if (off >= VMMIO_CONFIG) {
		u32 o = (u32)(off - VMMIO_CONFIG);

		if ((size != 1 && size != 2 && size != 4) || (off & (size - 1)))
			return -EOPNOTSUPP;
		/* Read-only configs and bytes past the end ignore writes. */
		if (d->ops->config_write && o + size <= d->ops->config_len)
			d->ops->config_write(d, o, size, v);
		return 0;
	}
	if (size != 4 || (off & 3))
		return -EOPNOTSUPP;
	switch (off) {
	case VMMIO_DEV_FEATURES_SEL: d->dev_features_sel = v; break;
	case VMMIO_DRV_FEATURES_SEL: d->drv_features_sel = v; break;
	case VMMIO_DRV_FEATURES:
		if (d->status & VIRTIO_S_FEATURES_OK)
			break;
		if (d->drv_features_sel < 2)
			set_half(&d->drv_features, d->drv_features_sel * 4, v);
		break;
	case VMMIO_QUEUE_SEL: d->queue_sel = v; break;
	case VMMIO_STATUS: write_status(d, v); break;
	case VMMIO_INT_ACK:
		d->isr &= ~v;
		update_irq(d);
		break;
	case VMMIO_QUEUE_NOTIFY:
		d->notifies++;
		/* Before DRIVER_OK, on a broken device or a queue not ready: ignored. */
		if (!virtio_mmio_live(d) || v >= d->ops->nqueues || !d->q[v].ready)
			break;
		if (!((d->ops->served >> v) & 1)) {
			/* The device fills this queue when it has something: tell it buffers came. */
			if (d->ops->kick)
				d->ops->kick(d, v);
			break;
		}
		e = drain(d, v);
		if (e)
			virtio_mmio_fail(d, e);
		break;
	case VMMIO_QUEUE_NUM:
	case VMMIO_QUEUE_READY:
	case VMMIO_QUEUE_DESC_LO ... VMMIO_QUEUE_USED_HI:
		if (q)
			write_queue(d, q, off, v);
		break;
	default: break;
	}
	return 0;
}

