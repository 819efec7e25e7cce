// SPDX-License-Identifier: MIT
/*
 * blk.c: virtio-blk (virtio 1.2, 5.2) on a struct blkdev: read, write,
 * flush and get-id, synchronously in the notify. Data moves through a
 * bounce buffer, so guest RAM is touched only through the vq_mem accessor.
 */
#include <tv/blkdev.h>
#include <tv/errno.h>
#include <tv/string.h>
#include <tv/virtio.h>

#define BLK_F_SIZE_MAX 1
#define BLK_F_SEG_MAX 2
#define BLK_F_RO 5
#define BLK_F_FLUSH 9

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2

#define ID_LEN 20

struct blk_hdr {
	u32 type;
	u32 reserved;
	u64 sector;
};

static struct virtio_blk *blk(struct virtio_mmio *d)
{
	return (struct virtio_blk *)d;
}

static u32 config_read(struct virtio_mmio *d, u32 off, unsigned size)
{
	u8 cfg[16];
	u32 v = 0;
	u64 cap = blk(d)->disk->sectors;
	u32 size_max = VIRTIO_BLK_SIZE_MAX, seg_max = VIRTIO_BLK_SEG_MAX;

	memcpy(cfg, &cap, 8);                 /* capacity in 512-byte sectors */
	memcpy(cfg + 8, &size_max, 4);
	memcpy(cfg + 12, &seg_max, 4);
	memcpy(&v, cfg + off, size);
	return v;
}

/* Move the request's data between the disk and the chain, a bounce buffer at a time. */
static u8 transfer(struct virtio_blk *b, struct vq_chain *c, bool write, u64 sector, u64 bytes)
{
	struct blkdev *disk = b->disk;
	const struct vq_mem *m = &b->t.mem;
	u64 done = 0;

	/* Linux sends up to 1.25 MiB by default; a larger one is refused, not served for long. */
	if (bytes % BLKDEV_SECTOR || bytes > VIRTIO_BLK_REQ_MAX || sector > disk->sectors ||
	    bytes / BLKDEV_SECTOR > disk->sectors - sector)
		return S_IOERR;
	if (write && disk->read_only)
		return S_IOERR;
	while (done < bytes) {
		u64 n = bytes - done < VIRTIO_BLK_BOUNCE ? bytes - done : VIRTIO_BLK_BOUNCE;
		u64 lba = sector + done / BLKDEV_SECTOR;
		u32 cnt = (u32)(n / BLKDEV_SECTOR);

		if (write) {
			if (vq_chain_read(c, m, sizeof(struct blk_hdr) + done, b->bounce, n) ||
			    disk->ops->write(disk, lba, cnt, b->bounce, false))
				return S_IOERR;
			b->sectors_written += cnt;
		} else {
			if (disk->ops->read(disk, lba, cnt, b->bounce) ||
			    vq_chain_write(c, m, done, b->bounce, n))
				return S_IOERR;
			b->sectors_read += cnt;
		}
		done += n;
	}
	return S_OK;
}

static u32 request(struct virtio_mmio *d, struct vq_chain *c, vq_err *err)
{
	struct virtio_blk *b = blk(d);
	struct blk_hdr h;
	u64 data_in;
	u8 st = S_UNSUPP;
	char id[ID_LEN];

	if (c->out_len < sizeof(h) || c->in_len < 1 ||
	    vq_chain_read(c, &d->mem, 0, &h, sizeof(h))) {
		*err = "block request without header or status byte";
		return 0;
	}
	data_in = c->in_len - 1;            /* the last writable byte is the status */
	switch (h.type) {
	case T_IN:
		st = transfer(b, c, false, h.sector, data_in);
		break;
	case T_OUT:
		st = transfer(b, c, true, h.sector, c->out_len - sizeof(h));
		data_in = 0;
		break;
	case T_FLUSH:
		st = b->disk->ops->flush(b->disk) ? S_IOERR : S_OK;
		data_in = 0;
		break;
	case T_GET_ID:
		memset(id, 0, sizeof(id));
		memcpy(id, b->disk->name, strnlen(b->disk->name, ID_LEN));
		data_in = data_in < ID_LEN ? data_in : ID_LEN;
		st = vq_chain_write(c, &d->mem, 0, id, data_in) ? S_IOERR : S_OK;
		break;
	default:
		data_in = 0;
		break;
	}
	if (st != S_OK)
		data_in = 0;
	if (vq_chain_write(c, &d->mem, c->in_len - 1, &st, 1))
		*err = "status byte unwritable";
	return (u32)(data_in + 1);
}

static const struct virtio_dev_ops blk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.features = (1ull << BLK_F_SIZE_MAX) | (1ull << BLK_F_SEG_MAX) | (1ull << BLK_F_FLUSH),
	.nqueues = 1,
	.config_len = 16,
	.config_read = config_read,
	.request = request,
	.served = 1,
};

static const struct virtio_dev_ops blk_ro_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.features = (1ull << BLK_F_SIZE_MAX) | (1ull << BLK_F_SEG_MAX) | (1ull << BLK_F_FLUSH) |
		    (1ull << BLK_F_RO),
	.nqueues = 1,
	.config_len = 16,
	.config_read = config_read,
	.request = request,
	.served = 1,
};

void virtio_blk_init(struct virtio_blk *b, struct blkdev *disk, u8 *bounce,
		     const struct vdev_host *host, const struct vq_mem *mem, unsigned gsi)
{
	b->disk = disk;
	b->bounce = bounce;
	virtio_mmio_init(&b->t, disk->read_only ? &blk_ro_ops : &blk_ops,
			 b, host, mem, gsi);
}
