// SPDX-License-Identifier: MIT
/* overlay.c: a per-VM copy-on-write RAM overlay over a read-only image (tv/overlay.h). Pure. */
#include <tv/errno.h>
#include <tv/overlay.h>
#include <tv/string.h>

#define SPB (OVERLAY_BLOCK / BLKDEV_SECTOR)  /* sectors per block */

static struct overlay *ov(struct blkdev *d)
{
	return (struct overlay *)d;
}

static bool in_range(const struct blkdev *d, u64 lba, u32 count)
{
	return lba <= d->sectors && count <= d->sectors - lba;
}

/* The overlay block holding block b, or NULL (create: allocate it, copy of the image). */
static u8 *block(struct overlay *o, u64 b, bool create)
{
	u8 **leaf = o->top[b / OVERLAY_LEAF], *p;
	u64 off = b * OVERLAY_BLOCK;

	if (!leaf) {
		if (!create)
			return NULL;
		if (o->max_bytes && o->bytes + OVERLAY_LEAF * sizeof(u8 *) > o->max_bytes)
			return NULL;
		leaf = o->alloc(OVERLAY_LEAF * sizeof(u8 *));
		if (!leaf)
			return NULL;
		o->bytes += OVERLAY_LEAF * sizeof(u8 *);
		o->top[b / OVERLAY_LEAF] = leaf;
	}
	p = leaf[b % OVERLAY_LEAF];
	if (p || !create)
		return p;
	if (o->max_bytes && o->bytes + OVERLAY_BLOCK > o->max_bytes)
		return NULL;
	p = o->alloc(OVERLAY_BLOCK);
	if (!p)
		return NULL;
	o->bytes += OVERLAY_BLOCK;
	/* Copy on write: the block starts as the image had it (zeros past its end). */
	if (off < o->image_len)
		memcpy(p, o->image + off,
		       o->image_len - off < OVERLAY_BLOCK ? o->image_len - off : OVERLAY_BLOCK);
	leaf[b % OVERLAY_LEAF] = p;
	return p;
}

static void image_read(const struct overlay *o, u64 off, u8 *dst, u64 n)
{
	u64 have = off < o->image_len ? o->image_len - off : 0;

	if (have > n)
		have = n;
	memcpy(dst, o->image + off, have);
	memset(dst + have, 0, n - have);
}

static int ov_read(struct blkdev *d, u64 lba, u32 count, void *buf)
{
	struct overlay *o = ov(d);
	u8 *dst = buf;

	if (!in_range(d, lba, count))
		return -EINVAL;
	while (count) {
		u64 b = lba / SPB, s = lba % SPB, n = SPB - s < count ? SPB - s : count;
		const u8 *p = block(o, b, false);

		if (p)
			memcpy(dst, p + s * BLKDEV_SECTOR, n * BLKDEV_SECTOR);
		else
			image_read(o, lba * BLKDEV_SECTOR, dst, n * BLKDEV_SECTOR);
		dst += n * BLKDEV_SECTOR;
		lba += n;
		count -= (u32)n;
	}
	return 0;
}

static int ov_write(struct blkdev *d, u64 lba, u32 count, const void *buf, bool fua)
{
	struct overlay *o = ov(d);
	const u8 *src = buf;

	if (!in_range(d, lba, count))
		return -EINVAL;
	if (d->read_only)
		return -EROFS;
	while (count) {
		u64 b = lba / SPB, s = lba % SPB, n = SPB - s < count ? SPB - s : count;
		u8 *p = block(o, b, true);

		if (!p)
			return -ENOMEM;
		memcpy(p + s * BLKDEV_SECTOR, src, n * BLKDEV_SECTOR);
		src += n * BLKDEV_SECTOR;
		lba += n;
		count -= (u32)n;
	}
	/* RAM is as stable as this disk gets: FUA and flush are complete on return. */
	return 0;
}

static int ov_flush(struct blkdev *d)
{
	return 0;
}

static void ov_close(struct blkdev *d)
{
	struct overlay *o = ov(d);

	if (!o->top)
		return;
	for (u64 t = 0; t < o->ntop; t++) {
		u8 **leaf = o->top[t];

		if (!leaf)
			continue;
		for (u64 i = 0; i < OVERLAY_LEAF; i++)
			if (leaf[i])
				o->free(leaf[i]);
		o->free(leaf);
	}
	o->free(o->top);
	o->top = NULL;
	o->bytes = 0;
}

static const struct blkdev_ops overlay_ops = {
	.read = ov_read, .write = ov_write, .flush = ov_flush, .close = ov_close,
};

int overlay_init(struct overlay *o, const void *image, u64 image_len, u64 sectors, bool read_only,
		 const char *name, void *(*alloc)(size_t size), void (*free_fn)(void *p),
		 u64 max_bytes)
{
	u64 min = (image_len + BLKDEV_SECTOR - 1) / BLKDEV_SECTOR;

	memset(o, 0, sizeof(*o));
	if (sectors < min)
		sectors = min;
	if (!sectors || sectors > (1ull << 40))
		return -EINVAL;
	o->image = image;
	o->image_len = image_len;
	o->nblocks = (sectors + SPB - 1) / SPB;
	o->ntop = (o->nblocks + OVERLAY_LEAF - 1) / OVERLAY_LEAF;
	o->alloc = alloc;
	o->free = free_fn;
	o->max_bytes = max_bytes;
	o->top = alloc(o->ntop * sizeof(u8 **));
	if (!o->top)
		return -ENOMEM;
	o->bytes = o->ntop * sizeof(u8 **);
	o->dev.ops = &overlay_ops;
	o->dev.sectors = sectors;
	o->dev.read_only = read_only;
	o->dev.priv = o;
	tv_strlcpy(o->dev.name, name, sizeof(o->dev.name));
	return 0;
}
