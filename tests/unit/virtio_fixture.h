/* SPDX-License-Identifier: MIT */
/*
 * virtio_fixture.h: what the virtio device tests share: 1 MiB of guest RAM
 * behind a struct vq_mem, an interrupt line, the registers as a driver
 * writes them, and descriptor/avail-ring builders for queue q at
 * DESC/AVAIL/USED + 0x4000 * q. One test program includes it once.
 */
#ifndef TESTS_UNIT_VIRTIO_FIXTURE_H
#define TESTS_UNIT_VIRTIO_FIXTURE_H

#include "test.h"

#include <tv/errno.h>
#include <tv/virtio.h>

#define RAM (1u << 20)
static unsigned char ram[RAM];

static inline bool ok_range(u64 gpa, u64 len) { return len && gpa < RAM && len <= RAM - gpa; }
static inline int m_read(struct vm *vm, u64 gpa, void *dst, u64 len)
{
	if (!ok_range(gpa, len))
		return -EFAULT;
	memcpy(dst, ram + gpa, len);
	return 0;
}
static inline int m_write(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	if (!ok_range(gpa, len))
		return -EFAULT;
	memcpy(ram + gpa, src, len);
	return 0;
}
static inline bool m_contains(struct vm *vm, u64 gpa, u64 len) { return ok_range(gpa, len); }
static const struct vq_mem mem = { NULL, m_read, m_write, m_contains };

static bool line;
static int line_sets, broken_calls;
static char broken_why[128];
static inline void set_irq(void *ctx, unsigned gsi, bool level) { line = level; line_sets++; }
static const struct vdev_host host = { .set_irq = set_irq };
static inline void on_broken(struct virtio_mmio *d, const char *why)
{
	broken_calls++;
	snprintf(broken_why, sizeof(broken_why), "%s", why);
}

static inline u32 rd(struct virtio_mmio *d, u64 off)
{
	u64 v = 0;

	CHECK_EQ(virtio_mmio_read(d, off, 4, &v), 0);
	return (u32)v;
}
static inline void wr(struct virtio_mmio *d, u64 off, u32 v) { CHECK_EQ(virtio_mmio_write(d, off, 4, v), 0); }

#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define QSZ 16

/* The driver's side of the handshake: features, one queue per 0x4000, DRIVER_OK. */
static inline void driver_up(struct virtio_mmio *d, unsigned nq, u64 feat)
{
	wr(d, VMMIO_STATUS, 0);
	wr(d, VMMIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
	wr(d, VMMIO_DRV_FEATURES_SEL, 0);
	wr(d, VMMIO_DRV_FEATURES, (u32)feat);
	wr(d, VMMIO_DRV_FEATURES_SEL, 1);
	wr(d, VMMIO_DRV_FEATURES, (u32)(feat >> 32));
	wr(d, VMMIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	for (unsigned i = 0; i < nq; i++) {
		wr(d, VMMIO_QUEUE_SEL, i);
		wr(d, VMMIO_QUEUE_NUM, QSZ);
		wr(d, VMMIO_QUEUE_DESC_LO, DESC + 0x4000 * i);
		wr(d, VMMIO_QUEUE_AVAIL_LO, AVAIL + 0x4000 * i);
		wr(d, VMMIO_QUEUE_USED_LO, USED + 0x4000 * i);
		wr(d, VMMIO_QUEUE_READY, 1);
	}
	wr(d, VMMIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK |
				    VIRTIO_S_DRIVER_OK);
}

static inline void put16(u64 gpa, u16 v) { memcpy(ram + gpa, &v, 2); }
static inline u16 get16(u64 gpa) { u16 v; memcpy(&v, ram + gpa, 2); return v; }
static inline void desc(unsigned q, unsigned i, u64 addr, u32 len, u16 flags, u16 next)
{
	unsigned char *p = ram + DESC + 0x4000 * q + 16 * i;

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}
static inline void avail(unsigned q, u16 head)
{
	u64 a = AVAIL + 0x4000 * q;
	u16 idx = get16(a + 2);

	put16(a + 4 + 2 * (idx % QSZ), head);
	put16(a + 2, idx + 1);
}

#define FEAT ((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_EVENT_IDX) | (1ull << VIRTIO_F_INDIRECT_DESC))

#endif
