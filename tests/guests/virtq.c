// SPDX-License-Identifier: MIT
/*
 * virtq.c: a hostile virtio driver. Against the virtio-mmio registers of the
 * spec (version 2 layout) it sets up disk0's virtio-blk queue and posts
 * chains no honest driver would: buffers outside RAM or in MMIO, address +
 * length wrapping, huge lengths, descriptor loops, bad indirect tables,
 * out-of-range heads, an avail index leaping ahead, a queue size that is
 * not a power of two, rings outside RAM, notifies before DRIVER_OK. Each
 * must leave the device marked DEVICE_NEEDS_RESET (status bit 64) or ignored,
 * never touch memory (a canary page is checked), and after a reset the
 * device must serve a good read again: sector 0 of the disk made by the
 * test starts with "TVDISK". The virtio-rng device gets a loop too. The
 * virtio-net device, when there is one, gets hostile transmit chains, then
 * sends a storm of broadcast frames onto the switch the other VMs share.
 * Then a sector is written and the VM resets itself (port 0xcf9): on the
 * second boot the device must be reset and the sector still written (the
 * RAM overlay lives as long as the VM, not the boot).
 *
 * Needs a VM with disk0 (a few sectors, "TVDISK" at 0) and virtioRng;
 * ethernet0 optional (cmdline "virtq.storm=N": frames in the storm).
 */
#include "rt.h"

TV_TEST_NAME("virtq");

#define VBASE 0xfeb00000ul
#define VSTRIDE 0x1000ul
#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVID 0x008
#define R_DEVFEAT 0x010
#define R_DEVFEATSEL 0x014
#define R_DRVFEAT 0x020
#define R_DRVFEATSEL 0x024
#define R_QSEL 0x030
#define R_QNUMMAX 0x034
#define R_QNUM 0x038
#define R_QREADY 0x044
#define R_NOTIFY 0x050
#define R_ISR 0x060
#define R_ACK 0x064
#define R_STATUS 0x070
#define R_QDESC 0x080
#define R_QAVAIL 0x090
#define R_QUSED 0x0a0

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 64

#define D_NEXT 1
#define D_WRITE 2
#define D_INDIRECT 4

#define QSZ 16
/* Our memory: rings, buffers, tables, a canary. All inside the 64 MiB VM. */
#define DESC 0x400000ul
#define AVAIL 0x401000ul
#define USED 0x402000ul
#define HDR 0x403000ul
#define DATA 0x404000ul
#define STAT 0x405000ul
#define ITAB 0x406000ul
#define ITAB2 0x407000ul
#define CANARY 0x408000ul

struct desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

static unsigned long blk, rng, net;
static u64 ram_end;

static u32 rd(unsigned long b, u32 r) { return *(volatile u32 *)(b + r); }
static void wr(unsigned long b, u32 r, u32 v) { *(volatile u32 *)(b + r) = v; }

static volatile u16 *avail_ring = (volatile u16 *)AVAIL;
static volatile u16 *used_ring = (volatile u16 *)USED;

static void zero(unsigned long a, u64 n) { memset((void *)a, 0, n); }

/* Reset, negotiate VERSION_1 + INDIRECT_DESC, queue q of `num` at our rings. */
static int dev_up_q(unsigned long b, u32 q, u32 num, u64 desc, int driver_ok)
{
	wr(b, R_STATUS, 0);
	zero(DESC, 0x3000);
	wr(b, R_STATUS, S_ACK | S_DRIVER);
	wr(b, R_DRVFEATSEL, 0);
	wr(b, R_DRVFEAT, 1u << 28);
	wr(b, R_DRVFEATSEL, 1);
	wr(b, R_DRVFEAT, 1);
	wr(b, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(rd(b, R_STATUS) & S_FEATURES_OK))
		return -1;
	wr(b, R_QSEL, q);
	wr(b, R_QNUM, num);
	wr(b, R_QDESC, (u32)desc);
	wr(b, R_QDESC + 4, (u32)(desc >> 32));
	wr(b, R_QAVAIL, AVAIL);
	wr(b, R_QAVAIL + 4, 0);
	wr(b, R_QUSED, USED);
	wr(b, R_QUSED + 4, 0);
	wr(b, R_QREADY, 1);
	if (driver_ok)
		wr(b, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return 0;
}

static int dev_up(unsigned long b, u32 num, u64 desc, int driver_ok)
{
	return dev_up_q(b, 0, num, desc, driver_ok);
}

static void set_desc(unsigned long table, unsigned i, u64 addr, u32 len, u16 flags, u16 next)
{
	volatile struct desc *d = (volatile struct desc *)table + i;

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static void post_q(unsigned long b, u32 q, u16 head)
{
	u16 idx = avail_ring[1];

	avail_ring[2 + idx % QSZ] = head;
	barrier();
	avail_ring[1] = idx + 1;
	barrier();
	wr(b, R_NOTIFY, q);
}

static void post(unsigned long b, u16 head)
{
	post_q(b, 0, head);
}

/* One request on a fresh queue: type 0 reads sector into DATA, 1 writes DATA there. */
static int blk_io(u32 type, u64 sector)
{
	u16 before;

	if (dev_up(blk, QSZ, DESC, 1))
		return 0;
	before = used_ring[1];
	*(volatile u32 *)HDR = type;
	*(volatile u64 *)(HDR + 8) = sector;
	*(volatile u8 *)STAT = 0xff;
	set_desc(DESC, 0, HDR, 16, D_NEXT, 1);
	set_desc(DESC, 1, DATA, 512, D_NEXT | (type ? 0 : D_WRITE), 2);
	set_desc(DESC, 2, STAT, 1, D_WRITE, 0);
	post(blk, 0);
	return used_ring[1] == (u16)(before + 1) && *(volatile u8 *)STAT == 0 &&
	       !(rd(blk, R_STATUS) & S_NEEDS_RESET);
}

/* A good read of sector 0: the device serves it and it starts with TVDISK. */
static int good_read(void)
{
	zero(DATA, 512);
	return blk_io(0, 0) && !tv_memcmp((void *)DATA, "TVDISK", 6);
}

static int canary_intact(void)
{
	for (unsigned i = 0; i < 4096; i++)
		if (((volatile u8 *)CANARY)[i] != (u8)(i * 13 + 5))
			return 0;
	return 1;
}

/* The chain in slot 0 is hostile: the device must end up NEEDS_RESET and use nothing. */
static void hostile(const char *what)
{
	u32 st;

	tv_current_case = what;
	post(blk, 0);
	st = rd(blk, R_STATUS);
	tv_check((st & S_NEEDS_RESET) && used_ring[1] == 0,
		 "%s: NEEDS_RESET (status %#x), nothing used (used idx %u)", what, st, used_ring[1]);
	tv_check(canary_intact(), "%s: memory around untouched", what);
	tv_check(good_read(), "%s: after a reset the device serves a good read", what);
	dev_up(blk, QSZ, DESC, 1);
}

/* ---- virtio-net: transmit queue 1; a 12-byte header, then the frame ---- */
#define NET_TXQ 1

/* A good broadcast frame from our own MAC: the device takes it, nothing breaks. */
static int good_send(void)
{
	u16 before;
	u8 *f = (u8 *)DATA;

	if (dev_up_q(net, NET_TXQ, QSZ, DESC, 1))
		return 0;
	before = used_ring[1];
	zero(HDR, 12);
	memset(f, 0xff, 6);
	for (int i = 0; i < 6; i++)
		f[6 + i] = *(volatile u8 *)(net + 0x100 + i);   /* config space: the MAC */
	f[12] = 0x88;
	f[13] = 0xb5;                                        /* local experimental ethertype */
	set_desc(DESC, 0, HDR, 12, D_NEXT, 1);
	set_desc(DESC, 1, DATA, 60, 0, 0);
	post_q(net, NET_TXQ, 0);
	return used_ring[1] == (u16)(before + 1) && !(rd(net, R_STATUS) & S_NEEDS_RESET);
}

static void net_hostile(const char *what)
{
	u32 st;

	tv_current_case = what;
	post_q(net, NET_TXQ, 0);
	st = rd(net, R_STATUS);
	tv_check((st & S_NEEDS_RESET) && used_ring[1] == 0,
		 "%s: NEEDS_RESET (status %#x), nothing used (used idx %u)", what, st, used_ring[1]);
	tv_check(canary_intact(), "%s: memory around untouched", what);
	tv_check(good_send(), "%s: after a reset the device sends again", what);
	dev_up_q(net, NET_TXQ, QSZ, DESC, 1);
}

static void net_checks(void)
{
	u64 storm = cmdline_u64("virtq.storm", 0);

	tv_check(good_send(), "net: a good frame is sent");
	dev_up_q(net, NET_TXQ, QSZ, DESC, 1);
	set_desc(DESC, 0, HDR, 12, D_NEXT, 1);
	set_desc(DESC, 1, ram_end + 0x1000, 60, 0, 0);
	net_hostile("net: frame above the end of RAM");
	set_desc(DESC, 0, HDR, 12, D_NEXT, 1);
	set_desc(DESC, 1, DATA, 60, D_WRITE, 0);
	net_hostile("net: a device-writable buffer to transmit");
	set_desc(DESC, 0, HDR, 12, D_NEXT, 1);
	set_desc(DESC, 1, 0xfee00000, 60, 0, 0);
	net_hostile("net: a frame in the local APIC page");

	/* The storm: the same good frame as fast as the device takes it. */
	tv_current_case = "net: broadcast storm";
	good_send();
	for (u64 i = 0; i < storm; i++) {
		set_desc(DESC, 0, HDR, 12, D_NEXT, 1);
		set_desc(DESC, 1, DATA, 60, 0, 0);
		post_q(net, NET_TXQ, 0);
	}
	tv_check(!(rd(net, R_STATUS) & S_NEEDS_RESET) && used_ring[1] == (u16)(storm + 1),
		 "net: %llu broadcast frames sent (used idx %u)", (unsigned long long)storm, used_ring[1]);
	tv_printf("virtq: storm of %llu frames sent\n", (unsigned long long)storm);
}

/* CMOS RAM survives the VM's reset: it says which boot this is. */
#define MARK_REG 0x3a
#define MARK 0x5d

/*
 * Second boot, after the guest's reset: the devices were reset with the VM,
 * and the disk kept what the first boot wrote (the overlay outlives resets).
 */
static void second_boot(void)
{
	cmos_write(MARK_REG, 0);
	tv_printf("TV-TEST virtq: second boot after the reset\n");
	tv_check(rd(blk, R_STATUS) == 0, "after the VM's reset the device is reset (status %#x)",
		 rd(blk, R_STATUS));
	zero(DATA, 512);
	tv_check(blk_io(0, 1) && !tv_memcmp((void *)DATA, "TVRESET", 7),
		 "sector 1 written before the reset reads back after it");
	tv_check(good_read(), "sector 0 is still the image's");
	tv_finish();
}

void guest_main(const u8 *boot_params)
{
	u32 st;

	for (int i = 0; i < e820_count(); i++) {
		const struct e820_entry *e = e820_entry(i);

		if (e->type == E820_RAM && e->addr + e->size > ram_end)
			ram_end = e->addr + e->size;
	}
	for (unsigned n = 0; n < 8; n++) {
		unsigned long b = VBASE + n * VSTRIDE;

		if (rd(b, R_MAGIC) != 0x74726976 || rd(b, R_VERSION) != 2)
			continue;
		if (rd(b, R_DEVID) == 2 && !blk)
			blk = b;
		if (rd(b, R_DEVID) == 4 && !rng)
			rng = b;
		if (rd(b, R_DEVID) == 1 && !net)
			net = b;
	}
	if (!blk || !rng)
		tv_fail("no virtio-blk or virtio-rng at %#lx (blk %#lx rng %#lx)", VBASE, blk, rng);
	if (cmos_read(MARK_REG) == MARK)
		second_boot();
	tv_printf("virtq: blk at %#lx, rng at %#lx, RAM ends at %#llx\n", blk, rng, ram_end);
	for (unsigned i = 0; i < 4096; i++)
		((volatile u8 *)CANARY)[i] = (u8)(i * 13 + 5);
	wr(blk, R_DEVFEATSEL, 1);
	tv_check(rd(blk, R_DEVFEAT) & 1, "VERSION_1 offered");
	tv_check(rd(blk, R_QNUMMAX) >= QSZ, "QueueNumMax %u", rd(blk, R_QNUMMAX));

	/* A legacy driver (no VERSION_1) is refused FEATURES_OK. */
	wr(blk, R_STATUS, 0);
	wr(blk, R_STATUS, S_ACK | S_DRIVER);
	wr(blk, R_DRVFEATSEL, 1);
	wr(blk, R_DRVFEAT, 0);
	wr(blk, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	tv_check(!(rd(blk, R_STATUS) & S_FEATURES_OK), "FEATURES_OK refused without VERSION_1");

	tv_check(good_read(), "a good read of sector 0");

	/* Notify before DRIVER_OK: ignored. */
	dev_up(blk, QSZ, DESC, 0);
	set_desc(DESC, 0, HDR, 16, D_NEXT, 1);
	set_desc(DESC, 1, DATA, 512, D_NEXT | D_WRITE, 2);
	set_desc(DESC, 2, STAT, 1, D_WRITE, 0);
	post(blk, 0);
	tv_check(used_ring[1] == 0 && !(rd(blk, R_STATUS) & S_NEEDS_RESET),
		 "notify before DRIVER_OK is ignored");

	dev_up(blk, QSZ, DESC, 1);
	set_desc(DESC, 0, HDR, 16, D_NEXT, 1);
	set_desc(DESC, 1, ram_end + 0x1000, 512, D_NEXT | D_WRITE, 2);
	set_desc(DESC, 2, STAT, 1, D_WRITE, 0);
	hostile("buffer above the end of RAM");

	set_desc(DESC, 0, HDR, 16, D_NEXT, 1);
	set_desc(DESC, 1, ram_end - 256, 512, D_NEXT | D_WRITE, 2);
	set_desc(DESC, 2, STAT, 1, D_WRITE, 0);
	hostile("buffer straddling the end of RAM");

	set_desc(DESC, 0, HDR, 16, D_NEXT, 1);
	set_desc(DESC, 1, 0xfffffffffffff000ull, 0x2000, D_NEXT | D_WRITE, 2);
	set_desc(DESC, 2, STAT, 1, D_WRITE, 0);
	hostile("address + length wraps around");

	set_desc(DESC, 0, HDR, 16, D_NEXT, 1);
	set_desc(DESC, 1, 0x100000, 0xffffffff, D_NEXT | D_WRITE, 2);
	set_desc(DESC, 2, STAT, 1, D_WRITE, 0);
	hostile("huge length");

	set_desc(DESC, 0, HDR, 16, D_NEXT, 1);
	set_desc(DESC, 1, 0xfee00000, 512, D_NEXT | D_WRITE, 2);   /* the local APIC */
	set_desc(DESC, 2, STAT, 1, D_WRITE, 0);
	hostile("buffer in the local APIC page");

	set_desc(DESC, 0, HDR, 16, D_NEXT, 1);
	set_desc(DESC, 1, blk, 512, D_NEXT | D_WRITE, 2);            /* the device's own registers */
	set_desc(DESC, 2, STAT, 1, D_WRITE, 0);
	hostile("buffer on the device's own registers");

	set_desc(DESC, 0, HDR, 16, D_NEXT, 1);
	set_desc(DESC, 1, DATA, 512, D_NEXT, 0);
	hostile("descriptor loop");

	set_desc(DESC, 0, HDR, 16, D_NEXT, 1);
	set_desc(DESC, 1, DATA, 512, D_NEXT | D_WRITE, 2);
	set_desc(DESC, 2, HDR, 16, 0, 0);
	hostile("readable buffer after a writable one");

	set_desc(DESC, 0, HDR, 16, D_NEXT, 0);
	hostile("descriptor pointing at itself");

	set_desc(DESC, 0, HDR, 16, D_NEXT, 200);
	hostile("next index out of the table");

	set_desc(DESC, 0, ITAB, 24, D_INDIRECT, 0);
	hostile("indirect table of 24 bytes");

	set_desc(DESC, 0, ram_end - 16, 48, D_INDIRECT, 0);
	hostile("indirect table past the end of RAM");

	set_desc(DESC, 0, ITAB, 16 * 4096, D_INDIRECT, 0);
	hostile("indirect table of 4096 entries");

	set_desc(ITAB, 0, ITAB2, 32, D_INDIRECT, 0);
	set_desc(DESC, 0, ITAB, 16, D_INDIRECT, 0);
	hostile("nested indirect table");

	set_desc(ITAB, 0, HDR, 16, D_NEXT, 1);
	set_desc(ITAB, 1, DATA, 512, D_NEXT | D_WRITE, 0);
	set_desc(DESC, 0, ITAB, 32, D_INDIRECT, 0);
	hostile("loop in an indirect table");

	set_desc(ITAB, 0, HDR, 16, D_NEXT, 1);
	set_desc(ITAB, 1, 0xfec00000, 512, D_WRITE, 0);            /* the I/O APIC */
	set_desc(DESC, 0, ITAB, 32, D_INDIRECT, 0);
	hostile("indirect buffer in the I/O APIC");

	/* Head out of range, and the avail index leaping more than a queue ahead. */
	avail_ring[2] = 999;
	avail_ring[1] = 0;
	tv_current_case = "head out of range";
	wr(blk, R_NOTIFY, 0);     /* nothing available yet: nothing happens */
	avail_ring[1] = 1;
	wr(blk, R_NOTIFY, 0);
	tv_check(rd(blk, R_STATUS) & S_NEEDS_RESET, "head index 999: NEEDS_RESET");
	tv_check(good_read(), "head index 999: recovers");
	dev_up(blk, QSZ, DESC, 1);
	avail_ring[1] = 1000;
	wr(blk, R_NOTIFY, 0);
	tv_check((rd(blk, R_STATUS) & S_NEEDS_RESET) && used_ring[1] == 0,
		 "avail index 1000 ahead: NEEDS_RESET");
	tv_check(good_read(), "avail index: recovers");

	/* Queue set-up: size 12, rings outside RAM, misaligned. */
	dev_up(blk, 12, DESC, 0);
	st = rd(blk, R_STATUS);
	tv_check((st & S_NEEDS_RESET) && !rd(blk, R_QREADY), "queue size 12: refused (status %#x)", st);
	dev_up(blk, QSZ, 0xfec00000, 0);
	tv_check((rd(blk, R_STATUS) & S_NEEDS_RESET) && !rd(blk, R_QREADY),
		 "descriptor table on the I/O APIC: refused");
	dev_up(blk, QSZ, ram_end - 64, 0);
	tv_check((rd(blk, R_STATUS) & S_NEEDS_RESET) && !rd(blk, R_QREADY),
		 "descriptor table past the end of RAM: refused");
	dev_up(blk, QSZ, 0x1000000000ull, 0);
	tv_check((rd(blk, R_STATUS) & S_NEEDS_RESET) && !rd(blk, R_QREADY),
		 "descriptor table at 64 GiB: refused");
	dev_up(blk, QSZ, DESC + 8, 0);
	tv_check((rd(blk, R_STATUS) & S_NEEDS_RESET) && !rd(blk, R_QREADY),
		 "misaligned descriptor table: refused");
	tv_check(good_read(), "queue set-up: recovers");

	/* The rng too: a loop. */
	dev_up(rng, QSZ, DESC, 1);
	set_desc(DESC, 0, DATA, 64, D_NEXT | D_WRITE, 1);
	set_desc(DESC, 1, DATA, 64, D_NEXT | D_WRITE, 0);
	post(rng, 0);
	tv_check((rd(rng, R_STATUS) & S_NEEDS_RESET) && used_ring[1] == 0, "rng: loop gives NEEDS_RESET");
	dev_up(rng, QSZ, DESC, 1);
	zero(DATA, 64);
	set_desc(DESC, 0, DATA, 64, D_WRITE, 0);
	post(rng, 0);
	tv_check(used_ring[1] == 1 && *(volatile u64 *)DATA != 0, "rng: recovers and gives bytes");
	if (net)
		net_checks();
	tv_check(canary_intact(), "canary intact at the end");

	/* A sector written now must outlive the VM's reset; the device must not. */
	zero(DATA, 512);
	memcpy((void *)DATA, "TVRESET", 7);
	tv_check(blk_io(1, 1), "write sector 1");
	if (tv_failures())
		tv_finish();
	tv_current_case = "reset";
	cmos_write(MARK_REG, MARK);
	tv_printf("TV-TEST virtq: first boot done, resetting the VM\n");
	reset();
}
