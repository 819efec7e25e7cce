// SPDX-License-Identifier: MIT
/*
 * balloon.c: virtio-balloon (virtio 1.2, 5.5) without statistics or free
 * page hinting: pages the driver inflates go back to the host, pages it
 * deflates come back. A page number the guest gets wrong is skipped and
 * counted as ignored; it never reaches inflate() or deflate().
 */
#include <tv/virtio.h>

#define INFLATEQ 0
#define DEFLATEQ 1
#define PAGE 4096u
#define CHUNK 64    /* page numbers read from guest RAM at a time */

static bool test_bit(const struct virtio_balloon *b, u64 n)
{
	return (b->map[n / 64] >> (n % 64)) & 1;
}

static void flip_bit(struct virtio_balloon *b, u64 n)
{
	b->map[n / 64] ^= 1ull << (n % 64);
}

/* One page number from the driver; false if it was ignored. */
static bool page(struct virtio_balloon *b, bool in, u32 pfn)
{
	u64 gpa = (u64)pfn << VIRTIO_BALLOON_PFN_SHIFT;

	if (pfn >= b->npages || !b->t.mem.contains(b->t.mem.vm, gpa, PAGE))
		return false;
	if (in) {
		/* Twice the same page, or a page the host refuses: nothing changes. */
		if (test_bit(b, pfn) || b->inflate(b->t.mem.vm, gpa) != 0)
			return false;
		flip_bit(b, pfn);
		b->held++;
		return true;
	}
	if (!test_bit(b, pfn))
		return false;   /* never inflated, or already back */
	flip_bit(b, pfn);
	b->held--;
	b->deflate(b->t.mem.vm, gpa);
	return true;
}

static u32 request(struct virtio_mmio *d, struct vq_chain *c, vq_err *err)
{
	struct virtio_balloon *b = (struct virtio_balloon *)d;
	bool in = d->chain_q == INFLATEQ;
	u64 len = c->out_len, n = len / 4;
	u8 raw[CHUNK * 4];

	/* A buffer that is not a whole array of page numbers, or too long, is skipped whole. */
	if (len % 4 || len > VIRTIO_BALLOON_BUF_MAX) {
		b->ignored++;
		return 0;
	}
	for (u64 i = 0; i < n; i += CHUNK) {
		u64 k = n - i < CHUNK ? n - i : CHUNK;

		if (vq_chain_read(c, &d->mem, i * 4, raw, k * 4)) {
			*err = "balloon buffer unreadable";
			return 0;
		}
		for (u64 j = 0; j < k; j++) {
			const u8 *p = raw + 4 * j;
			bool ok = page(b, in, p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24);

			if (!ok)
				b->ignored++;
			else if (in)
				b->inflated++;
			else
				b->deflated++;
		}
	}
	return 0;
}

/* Every page the balloon holds goes back to the guest. */
static void give_back(struct virtio_balloon *b)
{
	for (u64 w = 0; w < (b->npages + 63) / 64; w++) {
		while (b->map[w]) {
			u64 n = w * 64 + (u64)__builtin_ctzll(b->map[w]);

			flip_bit(b, n);
			b->deflate(b->t.mem.vm, n << VIRTIO_BALLOON_PFN_SHIFT);
		}
	}
	b->held = 0;
}

static void reset(struct virtio_mmio *d)
{
	struct virtio_balloon *b = (struct virtio_balloon *)d;

	/* A new driver starts from an empty balloon: it believes all its RAM is its own. */
	if (b->map)
		give_back(b);
	if (b->actual && b->changed)
		b->changed(b->changed_ctx, 0, 0);
	b->actual = 0;
}

static u32 config_read(struct virtio_mmio *d, u32 off, unsigned size)
{
	struct virtio_balloon *b = (struct virtio_balloon *)d;
	u8 cfg[8];
	u32 v = 0;

	/* Little-endian num_pages then actual. */
	for (unsigned i = 0; i < 4; i++) {
		cfg[i] = (u8)(b->num_pages >> (8 * i));
		cfg[4 + i] = (u8)(b->actual >> (8 * i));
	}
	for (unsigned i = 0; i < size; i++)
		v |= (u32)cfg[off + i] << (8 * i);
	return v;
}

static void config_write(struct virtio_mmio *d, u32 off, unsigned size, u32 val)
{
	struct virtio_balloon *b = (struct virtio_balloon *)d;
	u32 old = b->actual;

	/* Only actual (bytes 4-7) is the driver's; num_pages is the host's. */
	for (unsigned i = 0; i < size; i++) {
		u32 o = off + i;

		if (o >= 4) {
			unsigned sh = 8 * (o - 4);

			b->actual = (b->actual & ~(0xffu << sh)) | (((val >> (8 * i)) & 0xff) << sh);
		}
	}
	if (b->actual != old && b->changed)
		b->changed(b->changed_ctx, b->actual, b->held);
}

static const struct virtio_dev_ops balloon_ops = {
	.device_id = VIRTIO_ID_BALLOON,
	.features = 1ull << VIRTIO_BALLOON_F_MUST_TELL_HOST,
	.nqueues = 2,
	.config_len = 8,
	.config_read = config_read,
	.config_write = config_write,
	.request = request,
	.served = (1u << INFLATEQ) | (1u << DEFLATEQ),
	.reset = reset,
};

void virtio_balloon_init(struct virtio_balloon *b, int (*inflate)(struct vm *vm, u64 gpa),
			 void (*deflate)(struct vm *vm, u64 gpa), u64 *map, u64 top,
			 const struct vdev_host *host, const struct vq_mem *mem, unsigned gsi)
{
	b->inflate = inflate;
	b->deflate = deflate;
	b->map = map;
	b->npages = top >> VIRTIO_BALLOON_PFN_SHIFT;
	/* Page numbers are 32 bits: the balloon cannot name RAM at or above 16 TiB. */
	if (b->npages > 1ull << 32)
		b->npages = 1ull << 32;
	virtio_mmio_init(&b->t, &balloon_ops, b, host, mem, gsi);
}

void virtio_balloon_set_target(struct virtio_balloon *b, u32 pages)
{
	if (pages == b->num_pages)
		return;
	b->num_pages = pages;
	virtio_mmio_config_changed(&b->t);
}
