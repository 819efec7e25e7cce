// SPDX-License-Identifier: MIT
/*
 * test_virtio_balloon.c: virtio-balloon (vmm/virtio/balloon.c) driven like
 * Linux's driver through the registers: config space, inflate and deflate
 * reaching the host's calls with the right addresses, the configuration
 * interrupt on a new target, and what a hostile driver puts in the queues.
 */
#include "virtio_fixture.h"

#define MAXCALLS 1024
static u64 inflated[MAXCALLS], deflated[MAXCALLS];
static int ninfl, ndefl;
static u64 refuse_gpa = ~0ull;     /* the host refuses this page */

static int on_inflate(struct vm *vm, u64 gpa)
{
	if (gpa == refuse_gpa)
		return -EFAULT;
	if (ninfl < MAXCALLS)
		inflated[ninfl] = gpa;
	ninfl++;
	return 0;
}

static void on_deflate(struct vm *vm, u64 gpa)
{
	if (ndefl < MAXCALLS)
		deflated[ndefl] = gpa;
	ndefl++;
}

static u32 last_actual = ~0u;
static u64 last_held;
static int changes;
static void on_changed(void *ctx, u32 actual, u64 held)
{
	last_actual = actual;
	last_held = held;
	changes++;
}

static struct virtio_balloon bal;
static u64 map[VIRTIO_BALLOON_MAP_BYTES(RAM) / 8];
static u16 next_head[2];

static void bal_up(void)
{
	memset(ram, 0, sizeof(ram));
	memset(&bal, 0, sizeof(bal));
	memset(map, 0, sizeof(map));
	ninfl = ndefl = changes = 0;
	next_head[0] = next_head[1] = 0;
	refuse_gpa = ~0ull;
	/* 1 MiB of RAM: 256 pages. */
	virtio_balloon_init(&bal, on_inflate, on_deflate, map, RAM, &host, &mem, 20);
	bal.t.broken = on_broken;
	bal.changed = on_changed;
	driver_up(&bal.t, 2, FEAT | (1ull << VIRTIO_BALLOON_F_MUST_TELL_HOST));
}

/* On queue q, one buffer of len bytes at 0x10000 + 0x1000 * q holding page numbers pfn[0..n). */
static u16 send(unsigned q, const u32 *pfn, unsigned n, u32 len)
{
	u64 buf = 0x10000 + 0x1000 * q;
	u16 head = next_head[q]++ % QSZ;

	memcpy(ram + buf, pfn, 4 * n);
	desc(q, head, buf, len, 0, 0);
	avail(q, head);
	wr(&bal.t, VMMIO_QUEUE_NOTIFY, q);
	return head;
}

static u16 used_idx(unsigned q) { return get16(USED + 0x4000 * q + 2); }

TEST(config)
{
	u64 v = 0;

	bal_up();
	CHECK_EQ(rd(&bal.t, VMMIO_DEVICE_ID), VIRTIO_ID_BALLOON);
	wr(&bal.t, VMMIO_DEV_FEATURES_SEL, 0);
	CHECK_EQ(rd(&bal.t, VMMIO_DEV_FEATURES) & 1, 1);          /* MUST_TELL_HOST */
	CHECK_EQ(rd(&bal.t, VMMIO_DEV_FEATURES) & 2, 0);          /* no STATS_VQ */
	wr(&bal.t, VMMIO_DEV_FEATURES_SEL, 1);
	CHECK_EQ(rd(&bal.t, VMMIO_DEV_FEATURES) & 1, 1);          /* VERSION_1 */
	CHECK_EQ(rd(&bal.t, VMMIO_STATUS) & VIRTIO_S_FEATURES_OK, VIRTIO_S_FEATURES_OK);
	/* Asking for STATS_VQ, which is not offered, fails FEATURES_OK. */
	wr(&bal.t, VMMIO_STATUS, 0);
	wr(&bal.t, VMMIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
	wr(&bal.t, VMMIO_DRV_FEATURES_SEL, 0);
	wr(&bal.t, VMMIO_DRV_FEATURES, 2);
	wr(&bal.t, VMMIO_DRV_FEATURES_SEL, 1);
	wr(&bal.t, VMMIO_DRV_FEATURES, 1);
	wr(&bal.t, VMMIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	CHECK_EQ(rd(&bal.t, VMMIO_STATUS) & VIRTIO_S_FEATURES_OK, 0);

	bal_up();
	/* num_pages: the host's, read-only for the driver. */
	virtio_balloon_set_target(&bal, 0x12345678);
	CHECK_EQ(rd(&bal.t, VMMIO_CONFIG), 0x12345678);
	CHECK_EQ(virtio_mmio_read(&bal.t, VMMIO_CONFIG + 1, 1, &v), 0);
	CHECK_EQ(v, 0x56);
	CHECK_EQ(virtio_mmio_read(&bal.t, VMMIO_CONFIG + 2, 2, &v), 0);
	CHECK_EQ(v, 0x1234);
	wr(&bal.t, VMMIO_CONFIG, 7);
	CHECK_EQ(rd(&bal.t, VMMIO_CONFIG), 0x12345678);
	/* actual: the driver's, as a dword, a word and a byte. */
	CHECK_EQ(rd(&bal.t, VMMIO_CONFIG + 4), 0);
	wr(&bal.t, VMMIO_CONFIG + 4, 0xa0b0c0d0);
	CHECK_EQ(rd(&bal.t, VMMIO_CONFIG + 4), 0xa0b0c0d0);
	CHECK_EQ(bal.actual, 0xa0b0c0d0);
	CHECK_EQ(changes, 1);
	CHECK_EQ(last_actual, 0xa0b0c0d0);
	CHECK_EQ(virtio_mmio_write(&bal.t, VMMIO_CONFIG + 6, 2, 0x1111), 0);
	CHECK_EQ(virtio_mmio_write(&bal.t, VMMIO_CONFIG + 4, 1, 0x22), 0);
	CHECK_EQ(rd(&bal.t, VMMIO_CONFIG + 4), 0x1111c022);
	CHECK_EQ(changes, 3);
	/* The same value again is no change. */
	wr(&bal.t, VMMIO_CONFIG + 4, 0x1111c022);
	CHECK_EQ(changes, 3);
	/* Unaligned, odd-sized and out-of-range config accesses. */
	CHECK_EQ(virtio_mmio_write(&bal.t, VMMIO_CONFIG + 5, 2, 0), -EOPNOTSUPP);
	CHECK_EQ(virtio_mmio_write(&bal.t, VMMIO_CONFIG + 4, 8, 0), -EOPNOTSUPP);
	CHECK_EQ(virtio_mmio_write(&bal.t, VMMIO_CONFIG + 8, 4, 0x99), 0);
	CHECK_EQ(virtio_mmio_read(&bal.t, VMMIO_CONFIG + 8, 4, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(rd(&bal.t, VMMIO_CONFIG + 4), 0x1111c022);
	/* A driver reset zeroes actual, keeps the target. */
	wr(&bal.t, VMMIO_STATUS, 0);
	CHECK_EQ(rd(&bal.t, VMMIO_CONFIG + 4), 0);
	CHECK_EQ(rd(&bal.t, VMMIO_CONFIG), 0x12345678);
	CHECK_EQ(last_actual, 0);
}

TEST(config_interrupt)
{
	bal_up();
	CHECK(!line);
	virtio_balloon_set_target(&bal, 100);
	CHECK(line);
	CHECK_EQ(rd(&bal.t, VMMIO_INT_STATUS), VIRTIO_INT_CONFIG);
	wr(&bal.t, VMMIO_INT_ACK, VIRTIO_INT_CONFIG);
	CHECK(!line);
	/* The same target again: no interrupt. */
	virtio_balloon_set_target(&bal, 100);
	CHECK(!line);
	CHECK_EQ(rd(&bal.t, VMMIO_INT_STATUS), 0);
	virtio_balloon_set_target(&bal, 0);
	CHECK(line);
	wr(&bal.t, VMMIO_INT_ACK, VIRTIO_INT_CONFIG);
	/* Before DRIVER_OK the target changes quietly; the driver reads it when it comes up. */
	wr(&bal.t, VMMIO_STATUS, 0);
	virtio_balloon_set_target(&bal, 55);
	CHECK(!line);
	CHECK_EQ(rd(&bal.t, VMMIO_CONFIG), 55);
}

TEST(inflate_deflate)
{
	u32 p[4] = { 0x80, 0x81, 0xff, 0x10 };

	bal_up();
	u16 h = send(0, p, 4, 16);
	CHECK_EQ(ninfl, 4);
	CHECK_EQ(inflated[0], 0x80000);
	CHECK_EQ(inflated[1], 0x81000);
	CHECK_EQ(inflated[2], 0xff000);
	CHECK_EQ(inflated[3], 0x10000);
	CHECK_EQ(bal.held, 4);
	CHECK_EQ(bal.inflated, 4);
	/* The buffer is used, zero bytes written, and the driver interrupted. */
	CHECK_EQ(used_idx(0), 1);
	CHECK_EQ(get16(USED + 4), h);
	CHECK(line);
	CHECK_EQ(rd(&bal.t, VMMIO_INT_STATUS) & VIRTIO_INT_USED, VIRTIO_INT_USED);
	wr(&bal.t, VMMIO_INT_ACK, VIRTIO_INT_USED);

	u32 q[2] = { 0x81, 0x10 };
	send(1, q, 2, 8);
	CHECK_EQ(ndefl, 2);
	CHECK_EQ(deflated[0], 0x81000);
	CHECK_EQ(deflated[1], 0x10000);
	CHECK_EQ(bal.held, 2);
	CHECK_EQ(used_idx(1), 1);
	CHECK_EQ(ninfl, 4);
	/* A deflated page can be inflated again. */
	send(0, q, 1, 4);
	CHECK_EQ(ninfl, 5);
	CHECK_EQ(inflated[4], 0x81000);
	CHECK_EQ(bal.held, 3);
	CHECK_EQ(rd(&bal.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET, 0);
	/* A driver reset gives back what the balloon held. */
	ndefl = 0;
	wr(&bal.t, VMMIO_STATUS, 0);
	CHECK_EQ(ndefl, 3);
	CHECK_EQ(bal.held, 0);
	u64 sum = deflated[0] + deflated[1] + deflated[2];
	CHECK_EQ(sum, 0x80000 + 0x81000 + 0xff000);
}

TEST(hostile)
{
	u32 p[6] = { 0x100, 0xffffffff, 0x80, 0x80, 0x90, 0x10000000 };

	bal_up();
	/* Outside RAM (page 256 is the first past 1 MiB), twice the same page, one the host refuses. */
	refuse_gpa = 0x90000;
	send(0, p, 6, 24);
	CHECK_EQ(ninfl, 1);
	CHECK_EQ(inflated[0], 0x80000);
	CHECK_EQ(bal.held, 1);
	CHECK_EQ(bal.ignored, 5);
	CHECK_EQ(used_idx(0), 1);
	/* The same page in a later buffer. */
	send(0, p + 2, 1, 4);
	CHECK_EQ(ninfl, 1);
	CHECK_EQ(bal.held, 1);

	/* Deflating pages never inflated, outside RAM, and one twice: only the held one comes back. */
	u32 q[5] = { 0x81, 0x100, 0x80, 0x80, 0xffffffff };
	send(1, q, 5, 20);
	CHECK_EQ(ndefl, 1);
	CHECK_EQ(deflated[0], 0x80000);
	CHECK_EQ(bal.held, 0);
	send(1, q + 2, 1, 4);
	CHECK_EQ(ndefl, 1);
	CHECK_EQ(bal.held, 0);

	/* Odd lengths and an empty array are skipped whole, but completed. */
	u32 r[2] = { 0x40, 0x41 };
	send(0, r, 2, 7);
	send(0, r, 2, 1);
	CHECK_EQ(ninfl, 1);
	CHECK_EQ(used_idx(0), 4);
	/* Too long: skipped whole (it lies in RAM: 8 KiB of page numbers). */
	desc(0, 9, 0x20000, 2 * VIRTIO_BALLOON_BUF_MAX, 0, 0);
	memset(ram + 0x20000, 0, 2 * VIRTIO_BALLOON_BUF_MAX);
	avail(0, 9);
	wr(&bal.t, VMMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(ninfl, 1);
	CHECK_EQ(used_idx(0), 5);
	/* Exactly the longest buffer: 1024 page numbers, all of page 0x42: one accepted. */
	for (unsigned i = 0; i < VIRTIO_BALLOON_BUF_MAX / 4; i++)
		memcpy(ram + 0x20000 + 4 * i, &(u32){ 0x42 }, 4);
	desc(0, 9, 0x20000, VIRTIO_BALLOON_BUF_MAX, 0, 0);
	avail(0, 9);
	wr(&bal.t, VMMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(ninfl, 2);
	CHECK_EQ(inflated[1], 0x42000);
	CHECK_EQ(bal.held, 1);
	/* A device-writable buffer holds no page numbers: nothing, and completed. */
	desc(0, 10, 0x10000, 8, VIRTQ_DESC_F_WRITE, 0);
	avail(0, 10);
	wr(&bal.t, VMMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(ninfl, 2);
	CHECK_EQ(used_idx(0), 7);
	CHECK_EQ(rd(&bal.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET, 0);
	CHECK_EQ(broken_calls, 0);

	/* A descriptor outside RAM: the transport's rule, NEEDS_RESET, nothing inflated. */
	desc(0, 11, RAM - 4, 8, 0, 0);
	avail(0, 11);
	wr(&bal.t, VMMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(ninfl, 2);
	CHECK_EQ(rd(&bal.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET, VIRTIO_S_NEEDS_RESET);
	CHECK_EQ(broken_calls, 1);
	/* Its reset gives the held page back. */
	wr(&bal.t, VMMIO_STATUS, 0);
	CHECK_EQ(ndefl, 2);
	CHECK_EQ(deflated[1], 0x42000);
	CHECK_EQ(bal.held, 0);
	/* A queue notify for a queue that does not exist. */
	driver_up(&bal.t, 2, FEAT);
	wr(&bal.t, VMMIO_QUEUE_NOTIFY, 2);
	wr(&bal.t, VMMIO_QUEUE_NOTIFY, 0xffffffff);
	CHECK_EQ(rd(&bal.t, VMMIO_STATUS) & VIRTIO_S_NEEDS_RESET, 0);
}

/* A map smaller than RAM (top below the end): pages past it are ignored, never written. */
TEST(small_map)
{
	static u64 small[2];
	u32 p[3] = { 127, 128, 200 };

	memset(&bal, 0, sizeof(bal));
	memset(ram, 0, sizeof(ram));
	memset(small, 0, sizeof(small));
	ninfl = ndefl = 0;
	next_head[0] = next_head[1] = 0;
	refuse_gpa = ~0ull;
	virtio_balloon_init(&bal, on_inflate, on_deflate, small, 128 << 12, &host, &mem, 20);
	driver_up(&bal.t, 2, FEAT);
	send(0, p, 3, 12);
	CHECK_EQ(ninfl, 1);
	CHECK_EQ(inflated[0], 127ull << 12);
	CHECK_EQ(small[1], 1ull << 63);
}

TEST_MAIN({ "config", config }, { "config_interrupt", config_interrupt },
	  { "inflate_deflate", inflate_deflate }, { "hostile", hostile }, { "small_map", small_map })
