// SPDX-License-Identifier: MIT
/*
 * test_virtio_pci.c: virtio-pci capability parsing, driver-side split
 * virtqueues and virtio-net feature choice (drivers/virtio_pci.c), against
 * config space laid out as QEMU's virtio-net-pci has it and a small model
 * of a device consuming a queue.
 */
#include "test.h"

#include <tv/errno.h>
#include <tv/virtio_pci.h>

static u8 cfg[256];

static void put32(u8 *p, u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (u8)(v >> (8 * i));
}

/* A vendor capability at p: type, bar, offset, length, next; len bytes long. */
static void vcap(u8 p, u8 type, u8 bar, u32 off, u32 len, u8 next, u8 caplen)
{
	cfg[p] = VPCI_CAP_VENDOR;
	cfg[p + 1] = next;
	cfg[p + 2] = caplen;
	cfg[p + 3] = type;
	cfg[p + 4] = bar;
	put32(cfg + p + 8, off);
	put32(cfg + p + 12, len);
}

/* QEMU 7.2's virtio-net-pci,disable-legacy=on: MSI-X at 0x98, then five vendor caps in BAR4. */
static void qemu_layout(void)
{
	memset(cfg, 0, sizeof(cfg));
	cfg[0x34] = 0x98;
	cfg[0x98] = 0x11, cfg[0x99] = 0x84;             /* MSI-X */
	vcap(0x84, 5, 0, 0, 0, 0x70, 20);               /* PCI cfg access: ignored */
	vcap(0x70, VPCI_CAP_NOTIFY, 4, 0x3000, 0x1000, 0x60, 20);
	put32(cfg + 0x70 + 16, 4);
	vcap(0x60, VPCI_CAP_DEVICE, 4, 0x2000, 0x1000, 0x50, 16);
	vcap(0x50, VPCI_CAP_ISR, 4, 0x1000, 0x1000, 0x40, 16);
	vcap(0x40, VPCI_CAP_COMMON, 4, 0, 0x1000, 0, 16);
}

TEST(caps_qemu)
{
	struct vpci_caps c;

	qemu_layout();
	CHECK_EQ(vpci_caps_parse(cfg, &c), 0);
	CHECK_EQ(c.common.bar, 4);
	CHECK_EQ(c.common.off, 0);
	CHECK_EQ(c.isr.off, 0x1000);
	CHECK_EQ(c.device.off, 0x2000);
	CHECK_EQ(c.notify.off, 0x3000);
	CHECK_EQ(c.notify.len, 0x1000);
	CHECK_EQ(c.notify_mult, 4);
	CHECK(vpci_region_ok(&c.common, 0x4000, VPCI_COMMON_LEN));
	CHECK(!vpci_region_ok(&c.notify, 0x3800, 2));   /* runs past a smaller BAR */
	CHECK(!vpci_region_ok(&c.common, 0x4000, 0x2000));
}

TEST(caps_first_usable_wins)
{
	struct vpci_caps c;

	qemu_layout();
	/* A second common cfg later in the list does not replace the first. */
	cfg[0x40 + 1] = 0xa0;
	vcap(0xa0, VPCI_CAP_COMMON, 2, 0x500, 0x100, 0, 16);
	CHECK_EQ(vpci_caps_parse(cfg, &c), 0);
	CHECK_EQ(c.common.bar, 4);
	/* A notify cap too short for its multiplier is skipped, a later good one used. */
	qemu_layout();
	cfg[0x70 + 2] = 16;
	cfg[0x40 + 1] = 0xa0;
	vcap(0xa0, VPCI_CAP_NOTIFY, 2, 0x800, 0x100, 0, 20);
	put32(cfg + 0xa0 + 16, 2);
	CHECK_EQ(vpci_caps_parse(cfg, &c), 0);
	CHECK_EQ(c.notify.bar, 2);
	CHECK_EQ(c.notify_mult, 2);
}

TEST(caps_hostile)
{
	struct vpci_caps c;

	/* Legacy-only: no vendor capabilities at all. */
	memset(cfg, 0, sizeof(cfg));
	cfg[0x34] = 0x40;
	cfg[0x40] = 0x11;
	CHECK_EQ(vpci_caps_parse(cfg, &c), -ENODEV);
	/* Missing the device cfg. */
	qemu_layout();
	cfg[0x60 + 3] = 9;
	CHECK_EQ(vpci_caps_parse(cfg, &c), -ENODEV);
	/* A BAR number out of range. */
	qemu_layout();
	cfg[0x40 + 4] = 6;
	CHECK_EQ(vpci_caps_parse(cfg, &c), -ENODEV);
	/* A loop: terminates, finds nothing it did not see. */
	qemu_layout();
	cfg[0x50 + 1] = 0x70;
	CHECK_EQ(vpci_caps_parse(cfg, &c), -ENODEV);
	/* A capability running past config space. */
	memset(cfg, 0, sizeof(cfg));
	cfg[0x34] = 0xf8;
	vcap(0xf0, VPCI_CAP_COMMON, 0, 0, 0x100, 0, 16);
	cfg[0xf8] = VPCI_CAP_VENDOR, cfg[0xfa] = 16, cfg[0xfb] = VPCI_CAP_COMMON;
	CHECK_EQ(vpci_caps_parse(cfg, &c), -ENODEV);
	CHECK_EQ(c.found, 0);
	/* A pointer into the header. */
	qemu_layout();
	cfg[0x34] = 0x20;
	CHECK_EQ(vpci_caps_parse(cfg, &c), -ENODEV);
}

TEST(layout)
{
	u32 a, u, t;

	vpci_vq_layout(64, &a, &u, &t);
	CHECK_EQ(a, 1024);
	CHECK_EQ(u, 1160);                              /* 1024 + 6 + 128, rounded up to 4 */
	CHECK_EQ(t, u + 6 + 8 * 64);
	CHECK(t <= 4096);
	vpci_vq_layout(1, &a, &u, &t);
	CHECK_EQ(a, 16);
	CHECK_EQ(u, 24);                                /* 16 + 6 + 2 = 24 */
	vpci_vq_layout(256, &a, &u, &t);
	CHECK_EQ(u % 4, 0);
}

/* The device side, as the spec describes it. */
static _Alignas(4096) u8 mem[4096];

static u16 *avail(void) { return (u16 *)(mem + 16 * 8); }
static u16 *used(void) { u32 a, u, t; vpci_vq_layout(8, &a, &u, &t); return (u16 *)(mem + u); }
static u16 dev_last;

/* The device takes the next available descriptor and returns it used with len. */
static bool dev_use(u32 len)
{
	u16 *av = avail(), *us = used();
	struct vpci_used_elem *ring = (struct vpci_used_elem *)(us + 2);

	if (dev_last == av[1])
		return false;
	ring[us[1] % 8] = (struct vpci_used_elem){ .id = av[2 + dev_last % 8], .len = len };
	dev_last++;
	us[1]++;
	return true;
}

TEST(vq_roundtrip)
{
	struct vpci_vq q;
	u32 len;
	int id;

	memset(mem, 0, sizeof(mem));
	dev_last = 0;
	vpci_vq_init(&q, 8, mem);
	CHECK_EQ(vpci_vq_pop(&q, &len), -1);
	/* Fill, exhaust, then wrap the 16-bit indexes past the ring size many times. */
	for (int k = 0; k < 8; k++) {
		id = vpci_vq_get(&q);
		CHECK_EQ(id, k);
		vpci_vq_push(&q, (u16)id, 0x1000 * (u64)k, 100 + k, k & 1);
		CHECK_EQ(q.desc[k].addr, 0x1000 * (u64)k);
		CHECK_EQ(q.desc[k].len, 100 + k);
		CHECK_EQ(q.desc[k].flags, (k & 1) ? VPCI_D_WRITE : 0);
	}
	CHECK_EQ(vpci_vq_get(&q), -EAGAIN);
	CHECK_EQ(avail()[1], 8);
	for (int k = 0; k < 8; k++) {
		CHECK(dev_use(k));
		CHECK_EQ(vpci_vq_pop(&q, &len), k);
		CHECK_EQ(len, k);
		vpci_vq_put(&q, (u16)k);
	}
	for (int k = 0; k < 1000; k++) {
		id = vpci_vq_get(&q);
		CHECK(id >= 0);
		if (id < 0)
			return;
		vpci_vq_push(&q, (u16)id, 0, 60, false);
		CHECK(dev_use(60));
		CHECK_EQ(vpci_vq_pop(&q, &len), id);
		vpci_vq_put(&q, (u16)id);
	}
	CHECK_EQ(q.avail_idx, 1008);
	CHECK_EQ(avail()[1], 1008);
	CHECK_EQ(vpci_vq_pop(&q, &len), -1);
}

TEST(vq_hostile_device)
{
	struct vpci_vq q;
	u32 len;
	struct vpci_used_elem *ring;

	memset(mem, 0, sizeof(mem));
	vpci_vq_init(&q, 8, mem);
	ring = (struct vpci_used_elem *)(used() + 2);
	/* An id beyond the queue. */
	ring[0] = (struct vpci_used_elem){ .id = 8, .len = 1 };
	used()[1] = 1;
	CHECK_EQ(vpci_vq_pop(&q, &len), -EIO);
	/* An id never made available, and one returned twice. */
	vpci_vq_init(&q, 8, mem);
	used()[1] = 0;
	ring[0] = (struct vpci_used_elem){ .id = 2, .len = 1 };
	used()[1] = 1;
	CHECK_EQ(vpci_vq_pop(&q, &len), -EIO);
	vpci_vq_init(&q, 8, mem);
	used()[1] = 0;
	vpci_vq_push(&q, (u16)vpci_vq_get(&q), 0x1000, 60, false);
	ring[0] = (struct vpci_used_elem){ .id = 0, .len = 0 };
	ring[1] = (struct vpci_used_elem){ .id = 0, .len = 0 };
	used()[1] = 2;
	CHECK_EQ(vpci_vq_pop(&q, &len), 0);
	CHECK_EQ(vpci_vq_pop(&q, &len), -EIO);
	/* An index that runs more than a ring ahead. */
	vpci_vq_init(&q, 8, mem);
	used()[1] = 9;
	CHECK_EQ(vpci_vq_pop(&q, &len), -EIO);
	/* Notification suppression. */
	used()[0] = 0;
	CHECK(vpci_vq_notify_wanted(&q));
	used()[0] = VPCI_USED_NO_NOTIFY;
	CHECK(!vpci_vq_notify_wanted(&q));
	/* put never overfills the free stack. */
	vpci_vq_init(&q, 8, mem);
	vpci_vq_put(&q, 3);
	CHECK_EQ(q.nfree, 8);
}

TEST(net_features)
{
	/* What QEMU's virtio-net offers: offloads, MRG_RXBUF, CTRL_VQ, EVENT_IDX ... */
	u64 qemu = 0x10179bf8027ull | VPCI_F_VERSION_1 | VNET_F_MAC | VNET_F_STATUS;

	CHECK_EQ(vnet_features(qemu), VPCI_F_VERSION_1 | VNET_F_MAC | VNET_F_STATUS);
	CHECK_EQ(vnet_features(VPCI_F_VERSION_1), VPCI_F_VERSION_1);
	CHECK_EQ(vnet_features(VNET_F_MAC | VNET_F_STATUS), 0);   /* legacy only */
	CHECK_EQ(VNET_HDR_LEN, 12);
}

TEST_MAIN({ "caps_qemu", caps_qemu }, { "caps_first_usable_wins", caps_first_usable_wins },
	  { "caps_hostile", caps_hostile }, { "layout", layout }, { "vq_roundtrip", vq_roundtrip },
	  { "vq_hostile_device", vq_hostile_device }, { "net_features", net_features })
