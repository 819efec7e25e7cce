// SPDX-License-Identifier: MIT
/* rng.c: virtio-rng (virtio 1.2, 5.4): fills every writable buffer from the entropy source. */
#include <tv/virtio.h>

#define CHUNK 256

static u32 request(struct virtio_mmio *d, struct vq_chain *c, vq_err *err)
{
	struct virtio_rng *r = (struct virtio_rng *)d;
	u8 buf[CHUNK];
	/* Linux asks for at most a page or so; more is filled only up to 4 KiB per request. */
	u64 want = c->in_len < 4096 ? c->in_len : 4096, done = 0;

	while (done < want) {
		u64 n = want - done < CHUNK ? want - done : CHUNK;

		r->fill(r->fill_ctx, buf, n);
		if (vq_chain_write(c, &d->mem, done, buf, n)) {
			*err = "rng buffer unwritable";
			return 0;
		}
		done += n;
	}
	r->bytes += done;
	return (u32)done;
}

static const struct virtio_dev_ops rng_ops = {
	.device_id = VIRTIO_ID_RNG,
	.nqueues = 1,
	.request = request,
	.served = 1,
};

void virtio_rng_init(struct virtio_rng *r, virtio_rng_fill_fn fill, void *fill_ctx,
		     const struct vdev_host *host, const struct vq_mem *mem, unsigned gsi)
{
	r->fill = fill;
	r->fill_ctx = fill_ctx;
	virtio_mmio_init(&r->t, &rng_ops, r, host, mem, gsi);
}
