// SPDX-License-Identifier: MIT
/*
 * console.c: virtio-console (virtio 1.2, 5.3), port 0 only (hvc0 in
 * Linux): what the guest transmits goes to out(); the receive queue is
 * accepted but never filled (no host input yet).
 */
#include <tv/virtio.h>

#define RXQ 0
#define TXQ 1
#define CHUNK 128

static u32 transmit(struct virtio_mmio *d, struct vq_chain *c, vq_err *err)
{
	struct virtio_con *con = (struct virtio_con *)d;
	u8 buf[CHUNK];
	/* Bounded like a UART line: a huge buffer is cut, not copied forever. */
	u64 len = c->out_len < 4096 ? c->out_len : 4096;

	for (u64 off = 0; off < len; off += CHUNK) {
		u64 n = len - off < CHUNK ? len - off : CHUNK;

		if (vq_chain_read(c, &d->mem, off, buf, n)) {
			*err = "console buffer unreadable";
			return 0;
		}
		con->out(con->out_ctx, buf, n);
	}
	return 0;
}

static u32 config_read(struct virtio_mmio *d, u32 off, unsigned size)
{
	return 0;   /* cols, rows, max_nr_ports: no F_SIZE, no MULTIPORT */
}

static const struct virtio_dev_ops con_ops = {
	.device_id = VIRTIO_ID_CONSOLE,
	.nqueues = 2,
	.config_len = 12,
	.config_read = config_read,
	.request = transmit,
	.served = 1u << TXQ,   /* receive buffers stay with the device until there is input */
};

void virtio_con_init(struct virtio_con *c, void (*out)(void *ctx, const u8 *buf, u64 n),
		     void *out_ctx, const struct vdev_host *host, const struct vq_mem *mem,
		     unsigned gsi)
{
	c->out = out;
	c->out_ctx = out_ctx;
	virtio_mmio_init(&c->t, &con_ops, c, host, mem, gsi);
}
