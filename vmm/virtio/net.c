// SPDX-License-Identifier: MIT
/*
 * net.c: virtio-net (virtio 1.2, 5.1) with one queue pair and no offloads:
 * no checksum or segmentation features are offered, so every buffer holds
 * the 12-byte virtio_net_hdr (all zero but num_buffers) and one plain
 * Ethernet frame of at most 1514 bytes, 1518 with a VLAN tag.
 */
#include <tv/frameq.h>
#include <tv/string.h>
#include <tv/virtio.h>

#define RXQ 0
#define TXQ 1
#define HDR 12                          /* struct virtio_net_hdr with num_buffers */
#define F_MTU 3
#define F_MAC 5
#define F_STATUS 16
#define S_LINK_UP 1
#define CFG_LEN 12                      /* mac[6], status, max_virtqueue_pairs, mtu */
#define MTU 1500
#define FRAME_MIN 14

static struct virtio_net *to_net(struct virtio_mmio *d)
{
	return (struct virtio_net *)d;
}

/* One frame the guest sent: checked, then handed to tx(); bad ones are dropped, not fatal. */
static u32 transmit(struct virtio_mmio *d, struct vq_chain *c, vq_err *err)
{
	struct virtio_net *n = to_net(d);
	u64 len;

	if (c->in_len) {
		*err = "net transmit buffer is device-writable";
		return 0;
	}
	len = c->out_len - HDR;
	if (c->out_len < HDR + FRAME_MIN || len > sizeof(n->buf)) {
		n->tx_bad++;
		return 0;
	}
	if (vq_chain_read(c, &d->mem, HDR, n->buf, len)) {
		*err = "net transmit buffer unreadable";
		return 0;
	}
	n->tx_frames++;
	n->tx(n->tx_ctx, n->buf, len);
	return 0;
}

/* Fill receive buffers from rxq; a bounded number of rounds, as the transport's drain. */
void virtio_net_rx(struct virtio_net *n)
{
	struct virtio_mmio *d = &n->t;
	struct virtq *q = &d->q[RXQ];
	bool indirect = virtio_has(d, VIRTIO_F_INDIRECT_DESC);
	const u8 *f;
	size_t len;
	vq_err e = NULL;
	int r;

	if (!virtio_mmio_live(d) || !q->ready)
		return;
	for (unsigned round = 0; round < 4; round++) {
		for (unsigned i = 0; i < q->size && (f = frameq_peek(n->rxq, &len)); i++) {
			u8 hdr[HDR] = { 0 };
			u32 used = 0;

			r = virtq_pop(q, &d->mem, indirect, &d->chain, &e);
			if (r < 0)
				goto broken;
			if (r == 0)
				break; /* no buffers posted: the frames wait (or drop) */
			if (d->chain.out_len) {
				e = "net receive buffer is device-readable";
				goto broken;
			}
			hdr[10] = 1; /* num_buffers */
			if (d->chain.in_len >= HDR + len) {
				if (vq_chain_write(&d->chain, &d->mem, 0, hdr, HDR) ||
				    vq_chain_write(&d->chain, &d->mem, HDR, f, len)) {
					e = "net receive buffer unwritable";
					goto broken;
				}
				used = (u32)(HDR + len);
				n->rx_frames++;
			} else {
				n->rx_short++; /* a buffer too small for the frame: returned empty */
			}
			frameq_pop(n->rxq);
			if (virtq_push(q, &d->mem, d->chain.head, used)) {
				e = "used ring unwritable";
				goto broken;
			}
		}
		/* Interrupt if the driver wants one; publishes avail_event for new buffers. */
		virtio_mmio_used(d, RXQ);
		if (frameq_empty(n->rxq) || !virtq_pending(q, &d->mem))
			return;
	}
	return;
broken:
	virtio_mmio_fail(d, e);
}

/* New receive buffers: frames may be waiting for them. */
static void kick(struct virtio_mmio *d, unsigned q)
{
	virtio_net_rx(to_net(d));
}

static u32 config_read(struct virtio_mmio *d, u32 off, unsigned size)
{
	const struct virtio_net *n = to_net(d);
	u8 cfg[CFG_LEN] = { 0 };
	u32 v = 0;

	memcpy(cfg, n->mac, 6);
	cfg[6] = S_LINK_UP;
	cfg[8] = 1; /* max_virtqueue_pairs */
	cfg[10] = MTU & 0xff;
	cfg[11] = MTU >> 8;
	for (unsigned i = 0; i < size && off + i < CFG_LEN; i++)
		v |= (u32)cfg[off + i] << (8 * i);
	return v;
}

static const struct virtio_dev_ops net_ops = {
	.device_id = VIRTIO_ID_NET,
	.features = 1ull << F_MAC | 1ull << F_STATUS | 1ull << F_MTU,
	.nqueues = 2,
	.config_len = CFG_LEN,
	.config_read = config_read,
	.request = transmit,
	.served = 1u << TXQ,
	.kick = kick,
};

void virtio_net_init(struct virtio_net *n, const u8 mac[6],
		     void (*tx)(void *ctx, const u8 *frame, size_t len), void *tx_ctx,
		     struct frameq *rxq, const struct vdev_host *host, const struct vq_mem *mem,
		     unsigned gsi)
{
	memcpy(n->mac, mac, 6);
	n->tx = tx;
	n->tx_ctx = tx_ctx;
	n->rxq = rxq;
	virtio_mmio_init(&n->t, &net_ops, n, host, mem, gsi);
}
