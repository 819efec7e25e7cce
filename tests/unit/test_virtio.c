// SPDX-License-Identifier: MIT
/*
 * test_virtio.c: the virtio-mmio transport and the blk, rng and console
 * devices (vmm/virtio/), driven like a guest driver would through the
 * registers, over a RAM overlay disk (vmm/disk/overlay.c).
 */
#include "virtio_fixture.h"

#include <tv/overlay.h>

/* ---- a disk over an overlay ---- */
static void *t_alloc(size_t size) { return calloc(1, size); }
static void t_free(void *p) { free(p); }
static unsigned char image[64 * 512];
static struct overlay ovl;
static struct virtio_blk blk;
static u8 bounce[VIRTIO_BLK_BOUNCE];

static void blk_up(bool ro)
{
	for (unsigned i = 0; i < sizeof(image); i++)
		image[i] = (unsigned char)(i * 7 + i / 512);
	memset(ram, 0, sizeof(ram));
	if (ovl.dev.ops)
		ovl.dev.ops->close(&ovl.dev);
	CHECK_EQ(overlay_init(&ovl, image, sizeof(image), 0, ro, "stick:disk.img", t_alloc, t_free, 0), 0);
	memset(&blk, 0, sizeof(blk));
	virtio_blk_init(&blk, &ovl.dev, bounce, &host, &mem, 16);
	blk.t.broken = on_broken;
	driver_up(&blk.t, 1, FEAT);
}

/* One request: header at 0x10000, data at 0x11000 (len), status at 0x20000. */
static u8 blk_req(u32 type, u64 sector, u32 len, bool data_writable)
{
	u32 h[4] = { type, 0, (u32)sector, (u32)(sector >> 32) };

	memcpy(ram + 0x10000, h, 16);
	ram[0x20000] = 0xee;
	if (len) {
		desc(0, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 1);
		desc(0, 1, 0x11000, len, VIRTQ_DESC_F_NEXT | (data_writable ? VIRTQ_DESC_F_WRITE : 0), 2);
		desc(0, 2, 0x20000, 1, VIRTQ_DESC_F_WRITE, 0);
	} else {
		desc(0, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 2);
		desc(0, 2, 0x20000, 1, VIRTQ_DESC_F_WRITE, 0);
	}
	avail(0, 0);
	wr(&blk.t, VMMIO_QUEUE_NOTIFY, 0);
	return ram[0x20000];
}

/* A backend that counts writes and accepts them all. */
static int rec_writes;
static int rec_read(struct blkdev *d, u64 lba, u32 count, void *buf)
{
	memset(buf, 0, count * 512);
	return 0;
}
static int rec_write(struct blkdev *d, u64 lba, u32 count, const void *buf, bool fua)
{
	rec_writes++;
	return 0;
}
static int rec_flush(struct blkdev *d) { return 0; }

TEST(registers)
{
	blk_up(false);
	CHECK_EQ(rd(&blk.t, VMMIO_MAGIC), 0x74726976);
	CHECK_EQ(rd(&blk.t, VMMIO_VERSION), 2);
	CHECK_EQ(rd(&blk.t, VMMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	wr(&blk.t, VMMIO_DEV_FEATURES_SEL, 1);
	CHECK_EQ(rd(&blk.t, VMMIO_DEV_FEATURES) & 1, 1);          /* VERSION_1 */
	CHECK_EQ(rd(&blk.t, VMMIO_QUEUE_NUM_MAX), VIRTQ_MAX_SIZE);
	CHECK_EQ(rd(&blk.t, VMMIO_STATUS) & VIRTIO_S_DRIVER_OK, VIRTIO_S_DRIVER_OK);
	/* Capacity in the config space, read as two dwords and as bytes. */
	CHECK_EQ(rd(&blk.t, VMMIO_CONFIG), 64);
	u64 v = 0;
	CHECK_EQ(virtio_mmio_read(&blk.t, VMMIO_CONFIG, 1, &v), 0);
	CHECK_EQ(v, 64);
	/* Odd sizes on the registers are refused, not crashed. */
	CHECK(virtio_mmio_read(&blk.t, VMMIO_STATUS, 2, &v) != 0);
	CHECK(virtio_mmio_read(&blk.t, VIRTIO_MMIO_SIZE, 4, &v) != 0);

	/* A legacy driver (no VERSION_1) does not get FEATURES_OK. */
	wr(&blk.t, VMMIO_STATUS, 0);
	wr(&blk.t, VMMIO_STATUS, 3);
	wr(&blk.t, VMMIO_DRV_FEATURES_SEL, 1);
	wr(&blk.t, VMMIO_DRV_FEATURES, 0);
	wr(&blk.t, VMMIO_STATUS, 3 | VIRTIO_S_FEATURES_OK);
	CHECK_EQ(rd(&blk.t, VMMIO_STATUS) & VIRTIO_S_FEATURES_OK, 0);
	/* Nor does one asking for features the device lacks. */
	wr(&blk.t, VMMIO_STATUS, 0);
	wr(&blk.t, VMMIO_DRV_FEATURES_SEL, 1);
	wr(&blk.t, VMMIO_DRV_FEATURES, 1 | 2);
	wr(&blk.t, VMMIO_STATUS, 3 | VIRTIO_S_FEATURES_OK);
	CHECK_EQ(rd(&blk.t, VMMIO_STATUS) & VIRTIO_S_FEATURES_OK, 0);
}

TEST(blk_io)
{
	u32 id[5];

	blk_up(false);
	/* Read sectors 3-4 from the image. */
	CHECK_EQ(blk_req(0, 3, 1024, true), 0);
	CHECK(memcmp(ram + 0x11000, image + 3 * 512, 1024) == 0);
	CHECK_EQ(get16(USED + 2), 1);
	CHECK(line);                                  /* interrupt raised, level */
	CHECK_EQ(rd(&blk.t, VMMIO_INT_STATUS), VIRTIO_INT_USED);
	wr(&blk.t, VMMIO_INT_ACK, VIRTIO_INT_USED);
	CHECK(!line);                                 /* and dropped on ACK */
	/* Write sector 5 and read it back: the overlay has it, the image not. */
	memset(ram + 0x11000, 0xab, 512);
	CHECK_EQ(blk_req(1, 5, 512, false), 0);
	memset(ram + 0x11000, 0, 512);
	CHECK_EQ(blk_req(0, 5, 512, true), 0);
	CHECK_EQ(ram[0x11000], 0xab);
	CHECK_EQ(ram[0x11000 + 511], 0xab);
	CHECK(image[5 * 512] != 0xab);
	/* Its neighbour in the same overlay block still reads the image. */
	CHECK_EQ(blk_req(0, 4, 512, true), 0);
	CHECK(memcmp(ram + 0x11000, image + 4 * 512, 512) == 0);
	/* Past the end, or not whole sectors: an I/O error, the device lives on. */
	CHECK_EQ(blk_req(0, 63, 1024, true), 1);
	CHECK_EQ(blk_req(0, ~0ull, 512, true), 1);
	CHECK_EQ(blk_req(0, 0, 100, true), 1);
	CHECK_EQ(blk_req(4, 0, 0, true), 0);          /* flush */
	CHECK_EQ(blk_req(8, 0, 20, true), 0);         /* get id */
	memcpy(id, ram + 0x11000, 20);
	CHECK(memcmp(ram + 0x11000, "stick:disk.img", 14) == 0);
	CHECK_EQ(blk_req(77, 0, 0, true), 2);         /* unsupported */
	CHECK_EQ(rd(&blk.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET, 0);

	/* A read-only disk: the device refuses the write itself, whatever the backend would do. */
	ovl.dev.ops->close(&ovl.dev);
	{
		static const struct blkdev_ops counting = { .read = rec_read, .write = rec_write,
							    .flush = rec_flush };
		struct blkdev d = { .ops = &counting, .sectors = 1u << 20, .read_only = true,
				    .name = "t" };

		memset(&blk, 0, sizeof(blk));
		virtio_blk_init(&blk, &d, bounce, &host, &mem, 16);
		driver_up(&blk.t, 1, FEAT);
		rec_writes = 0;
		CHECK_EQ(blk_req(1, 5, 512, false), 1);
		CHECK_EQ(rec_writes, 0);
		CHECK_EQ(blk_req(0, 5, 512, true), 0);
		/*
		 * More than a request may carry, on a big disk: nine 512 KiB
		 * buffers, all the same RAM (legal, and the cheap way to ask for a lot).
		 */
		{
			u32 h[4] = { 0, 0, 0, 0 };

			memcpy(ram + 0x10000, h, 16);
			ram[0x20000] = 0xee;
			desc(0, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 1);
			for (unsigned i = 1; i <= 9; i++)
				desc(0, i, 0x80000, 0x80000, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, (u16)(i + 1));
			desc(0, 10, 0x20000, 1, VIRTQ_DESC_F_WRITE, 0);
			avail(0, 0);
			wr(&blk.t, VMMIO_QUEUE_NOTIFY, 0);
			CHECK_EQ(ram[0x20000], 1);
			CHECK_EQ(rd(&blk.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET, 0);
		}
	}
	/* A read-only disk refuses writes and says so in its features. */
	blk_up(true);
	CHECK_EQ(rd(&blk.t, VMMIO_DEV_FEATURES) & (1u << 5), 1u << 5);
	CHECK_EQ(blk_req(1, 5, 512, false), 1);
	ovl.dev.ops->close(&ovl.dev);
}

TEST(hostile_driver)
{
	blk_up(false);
	broken_calls = 0;
	/* A chain out of RAM: NEEDS_RESET, a config interrupt, one report, then silence. */
	desc(0, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(0, 1, RAM - 256, 4096, VIRTQ_DESC_F_WRITE, 0);
	avail(0, 0);
	wr(&blk.t, VMMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(rd(&blk.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET, VIRTIO_S_NEEDS_RESET);
	CHECK(rd(&blk.t, VMMIO_INT_STATUS) & VIRTIO_INT_CONFIG);
	CHECK_EQ(broken_calls, 1);
	CHECK_STR(broken_why, "buffer outside guest RAM");
	u16 used = get16(USED + 2);
	avail(0, 0);
	wr(&blk.t, VMMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(broken_calls, 1);
	CHECK_EQ(get16(USED + 2), used);              /* stopped: nothing processed */
	/* The driver cannot clear it but by a reset; then the device works again. */
	wr(&blk.t, VMMIO_STATUS, 0x4f & ~VIRTIO_S_NEEDS_RESET);
	CHECK(rd(&blk.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET);
	driver_up(&blk.t, 1, FEAT);
	CHECK_EQ(rd(&blk.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET, 0);
	CHECK_EQ(blk_req(0, 0, 512, true), 0);

	/* Notify before DRIVER_OK: ignored. */
	wr(&blk.t, VMMIO_STATUS, 0);
	u16 before = get16(USED + 2);
	avail(0, 0);
	wr(&blk.t, VMMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(get16(USED + 2), before);
	CHECK_EQ(rd(&blk.t, VMMIO_STATUS), 0);

	/* A queue size that is not a power of two: refused at QueueReady. */
	broken_calls = 0;
	wr(&blk.t, VMMIO_STATUS, 3);
	wr(&blk.t, VMMIO_QUEUE_SEL, 0);
	wr(&blk.t, VMMIO_QUEUE_NUM, 12);
	wr(&blk.t, VMMIO_QUEUE_DESC_LO, DESC);
	wr(&blk.t, VMMIO_QUEUE_AVAIL_LO, AVAIL);
	wr(&blk.t, VMMIO_QUEUE_USED_LO, USED);
	wr(&blk.t, VMMIO_QUEUE_READY, 1);
	CHECK_EQ(rd(&blk.t, VMMIO_QUEUE_READY), 0);
	CHECK(rd(&blk.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET);
	CHECK_EQ(broken_calls, 1);
	/* Rings outside RAM (high dword set). */
	blk_up(false);
	broken_calls = 0;
	wr(&blk.t, VMMIO_STATUS, 0);
	wr(&blk.t, VMMIO_STATUS, 3);
	wr(&blk.t, VMMIO_QUEUE_SEL, 0);
	wr(&blk.t, VMMIO_QUEUE_NUM, 16);
	wr(&blk.t, VMMIO_QUEUE_DESC_LO, DESC);
	wr(&blk.t, VMMIO_QUEUE_DESC_HI, 1);
	wr(&blk.t, VMMIO_QUEUE_AVAIL_LO, AVAIL);
	wr(&blk.t, VMMIO_QUEUE_USED_LO, USED);
	wr(&blk.t, VMMIO_QUEUE_READY, 1);
	CHECK_EQ(rd(&blk.t, VMMIO_QUEUE_READY), 0);
	CHECK_EQ(broken_calls, 1);
	/* A queue selector out of range reads as absent and writes vanish. */
	wr(&blk.t, VMMIO_QUEUE_SEL, 7);
	CHECK_EQ(rd(&blk.t, VMMIO_QUEUE_NUM_MAX), 0);
	wr(&blk.t, VMMIO_QUEUE_READY, 1);
	wr(&blk.t, VMMIO_QUEUE_NOTIFY, 7);
	ovl.dev.ops->close(&ovl.dev);
}

static void fill(void *ctx, void *buf, u64 n) { memset(buf, 0x42, n); }

TEST(rng)
{
	struct virtio_rng r;

	memset(ram, 0, sizeof(ram));
	memset(&r, 0, sizeof(r));
	virtio_rng_init(&r, fill, NULL, &host, &mem, 17);
	driver_up(&r.t, 1, FEAT);
	desc(0, 0, 0x10000, 64, VIRTQ_DESC_F_WRITE, 0);
	avail(0, 0);
	wr(&r.t, VMMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(ram[0x10000], 0x42);
	CHECK_EQ(ram[0x10000 + 63], 0x42);
	CHECK_EQ(ram[0x10000 + 64], 0);
	CHECK_EQ(r.bytes, 64);
	u32 used_len;
	memcpy(&used_len, ram + USED + 8, 4);
	CHECK_EQ(used_len, 64);
}

static char conbuf[256];
static unsigned conlen;
static void con_out(void *ctx, const u8 *b, u64 n)
{
	memcpy(conbuf + conlen, b, n);
	conlen += (unsigned)n;
}

TEST(console)
{
	struct virtio_con c;

	memset(ram, 0, sizeof(ram));
	memset(&c, 0, sizeof(c));
	virtio_con_init(&c, con_out, NULL, &host, &mem, 18);
	driver_up(&c.t, 2, FEAT);
	memcpy(ram + 0x10000, "hello hvc0\n", 11);
	desc(1, 0, 0x10000, 11, 0, 0);
	avail(1, 0);
	wr(&c.t, VMMIO_QUEUE_NOTIFY, 1);
	CHECK_EQ(conlen, 11);
	CHECK(memcmp(conbuf, "hello hvc0\n", 11) == 0);
	CHECK_EQ(get16(USED + 0x4000 + 2), 1);
	/* Receive buffers are kept (no input), not an error. */
	desc(0, 0, 0x10000, 11, VIRTQ_DESC_F_WRITE, 0);
	avail(0, 0);
	wr(&c.t, VMMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(rd(&c.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET, 0);
}

TEST(overlay_sparse)
{
	static unsigned char img[10000], buf[8192];
	struct overlay o;

	for (unsigned i = 0; i < sizeof(img); i++)
		img[i] = (unsigned char)(i ^ (i >> 8));
	/* 10000 bytes round up to 20 sectors; the disk is made 100 000 sectors. */
	CHECK_EQ(overlay_init(&o, img, sizeof(img), 100000, false, "t", t_alloc, t_free, 0), 0);
	CHECK_EQ(o.dev.sectors, 100000);
	CHECK_EQ(o.dev.ops->read(&o.dev, 0, 16, buf), 0);
	CHECK(memcmp(buf, img, 8192) == 0);
	/* The tail of the image's last sector, and beyond it, read as zeros. */
	CHECK_EQ(o.dev.ops->read(&o.dev, 19, 2, buf), 0);
	CHECK(memcmp(buf, img + 19 * 512, 10000 - 19 * 512) == 0);
	CHECK_EQ(buf[10000 - 19 * 512], 0);
	CHECK_EQ(buf[1023], 0);
	u64 before = o.bytes;
	/* A write far away allocates one leaf and one block only. */
	memset(buf, 0x77, 512);
	CHECK_EQ(o.dev.ops->write(&o.dev, 99999, 1, buf, false), 0);
	CHECK_EQ(o.bytes - before, OVERLAY_LEAF * sizeof(void *) + OVERLAY_BLOCK);
	memset(buf, 0, 512);
	CHECK_EQ(o.dev.ops->read(&o.dev, 99999, 1, buf), 0);
	CHECK_EQ(buf[0], 0x77);
	/* A write across a block boundary, partly over image data: merge is exact. */
	memset(buf, 0x55, 1024);
	CHECK_EQ(o.dev.ops->write(&o.dev, 7, 2, buf, true), 0);
	CHECK_EQ(o.dev.ops->read(&o.dev, 6, 4, buf), 0);
	CHECK(memcmp(buf, img + 6 * 512, 512) == 0);
	CHECK_EQ(buf[512], 0x55);
	CHECK_EQ(buf[1535], 0x55);
	CHECK(memcmp(buf + 1536, img + 9 * 512, 512) == 0);
	CHECK_EQ(img[7 * 512], (unsigned char)((7 * 512) ^ (7 * 512 >> 8)));   /* image untouched */
	/* Out of range, and overflowing lba + count. */
	CHECK_EQ(o.dev.ops->read(&o.dev, 100000, 1, buf), -EINVAL);
	CHECK_EQ(o.dev.ops->write(&o.dev, ~0ull, 2, buf, false), -EINVAL);
	CHECK_EQ(o.dev.ops->flush(&o.dev), 0);
	o.dev.ops->close(&o.dev);
	CHECK_EQ(o.bytes, 0);

	/* A cap on overlay memory: writes beyond it fail with -ENOMEM. */
	CHECK_EQ(overlay_init(&o, img, sizeof(img), 1000, false, "t", t_alloc, t_free,
			      OVERLAY_LEAF * sizeof(void *) + 2 * OVERLAY_BLOCK + 64), 0);
	CHECK_EQ(o.dev.ops->write(&o.dev, 0, 16, buf, false), 0);
	CHECK_EQ(o.dev.ops->write(&o.dev, 16, 8, buf, false), -ENOMEM);
	o.dev.ops->close(&o.dev);
	/* Read-only. */
	CHECK_EQ(overlay_init(&o, img, sizeof(img), 0, true, "t", t_alloc, t_free, 0), 0);
	CHECK_EQ(o.dev.sectors, 20);
	CHECK_EQ(o.dev.ops->write(&o.dev, 0, 1, buf, false), -EROFS);
	o.dev.ops->close(&o.dev);
}

TEST_MAIN({ "registers", registers }, { "blk_io", blk_io }, { "hostile_driver", hostile_driver },
	  { "rng", rng }, { "console", console }, { "overlay_sparse", overlay_sparse })
