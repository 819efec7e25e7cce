// SPDX-License-Identifier: MIT
/*
 * test_virtq.c: split virtqueue validation (vmm/virtio/virtq.c), with good
 * and hostile rings and chains in a fake guest RAM: nothing outside the RAM
 * may ever be touched, whatever the descriptors say.
 */
#include "test.h"

#include <tv/errno.h>
#include <tv/virtio.h>

#define RAM (1u << 20)
static unsigned char ram[RAM];
static long outside;    /* accesses refused by the accessor: must be caught earlier */

static bool ok_range(u64 gpa, u64 len)
{
	return len && gpa < RAM && len <= RAM - gpa;
}

static int m_read(struct vm *vm, u64 gpa, void *dst, u64 len)
{
	if (!ok_range(gpa, len)) {
		outside++;
		return -EFAULT;
	}
	memcpy(dst, ram + gpa, len);
	return 0;
}

static int m_write(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	if (!ok_range(gpa, len)) {
		outside++;
		return -EFAULT;
	}
	memcpy(ram + gpa, src, len);
	return 0;
}

static bool m_contains(struct vm *vm, u64 gpa, u64 len)
{
	return ok_range(gpa, len);
}

static const struct vq_mem mem = { NULL, m_read, m_write, m_contains };

#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define QSZ 8

static struct virtq q;
static struct vq_chain ch;

static void setq(void)
{
	memset(ram, 0, sizeof(ram));
	memset(&q, 0, sizeof(q));
	q.size = QSZ;
	q.desc = DESC;
	q.avail = AVAIL;
	q.used = USED;
	q.ready = true;
	outside = 0;
}

static void put16(u64 gpa, u16 v) { memcpy(ram + gpa, &v, 2); }
static u16 get16(u64 gpa) { u16 v; memcpy(&v, ram + gpa, 2); return v; }

static void desc_at(u64 table, unsigned i, u64 addr, u32 len, u16 flags, u16 next)
{
	unsigned char *p = ram + table + 16 * i;

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

static void desc(unsigned i, u64 addr, u32 len, u16 flags, u16 next)
{
	desc_at(DESC, i, addr, len, flags, next);
}

/* Make head available as the next avail entry. */
static void avail(u16 head)
{
	u16 idx = get16(AVAIL + 2);

	put16(AVAIL + 4 + 2 * (idx % QSZ), head);
	put16(AVAIL + 2, idx + 1);
}

static const char *pop_err(bool indirect)
{
	vq_err e = NULL;
	int r = virtq_pop(&q, &mem, indirect, &ch, &e);

	return r < 0 ? e : r == 1 ? "ok" : "none";
}

TEST(queue_checks)
{
	setq();
	CHECK(virtq_check(&q, &mem, 256) == NULL);
	q.size = 6;
	CHECK(virtq_check(&q, &mem, 256) != NULL);     /* not a power of two */
	q.size = 0;
	CHECK(virtq_check(&q, &mem, 256) != NULL);
	q.size = 512;
	CHECK(virtq_check(&q, &mem, 256) != NULL);     /* above the maximum */
	q.size = QSZ;
	q.desc = DESC + 8;
	CHECK(virtq_check(&q, &mem, 256) != NULL);     /* misaligned */
	q.desc = DESC;
	q.avail = AVAIL + 1;
	CHECK(virtq_check(&q, &mem, 256) != NULL);
	q.avail = AVAIL;
	q.used = USED + 2;
	CHECK(virtq_check(&q, &mem, 256) != NULL);
	q.used = RAM - 16;                             /* runs past the end of RAM */
	CHECK(virtq_check(&q, &mem, 256) != NULL);
	q.used = 0xfffffffffffffff0ull;                /* wraps */
	CHECK(virtq_check(&q, &mem, 256) != NULL);
	q.used = USED;
	q.desc = RAM - 64;                             /* 8 descriptors need 128 bytes */
	CHECK(virtq_check(&q, &mem, 256) != NULL);
	CHECK_EQ(outside, 0);
}

TEST(good_chains)
{
	u8 st = 0;

	setq();
	CHECK_STR(pop_err(false), "none");
	desc(0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, 0x11000, 4096, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	desc(2, 0x12000, 1, VIRTQ_DESC_F_WRITE, 0);
	avail(0);
	CHECK_STR(pop_err(false), "ok");
	CHECK_EQ(ch.head, 0);
	CHECK_EQ(ch.nseg, 3);
	CHECK_EQ(ch.out_len, 16);
	CHECK_EQ(ch.in_len, 4097);
	CHECK_EQ(q.last_avail, 1);
	CHECK_STR(pop_err(false), "none");
	/* Writes land in the writable part, at the offset asked. */
	st = 0x5a;
	CHECK_EQ(vq_chain_write(&ch, &mem, 4096, &st, 1), 0);
	CHECK_EQ(ram[0x12000], 0x5a);
	CHECK(vq_chain_write(&ch, &mem, 4096, "ab", 2) != 0);   /* past its end */
	CHECK_EQ(virtq_push(&q, &mem, ch.head, 4097), 0);
	CHECK_EQ(get16(USED + 2), 1);
	CHECK_EQ(get16(USED + 4), 0);

	/* An indirect table of two, when negotiated. */
	desc_at(0x20000, 0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 1);
	desc_at(0x20000, 1, 0x12000, 1, VIRTQ_DESC_F_WRITE, 0);
	desc(3, 0x20000, 32, VIRTQ_DESC_F_INDIRECT, 0);
	avail(3);
	CHECK_STR(pop_err(true), "ok");
	CHECK_EQ(ch.nseg, 2);
	CHECK_EQ(ch.head, 3);
	/* A chain of exactly the queue size is fine. */
	for (unsigned i = 0; i < QSZ; i++)
		desc(i, 0x10000, 8, i + 1 < QSZ ? VIRTQ_DESC_F_NEXT : 0, (u16)(i + 1));
	avail(0);
	CHECK_STR(pop_err(false), "ok");
	CHECK_EQ(ch.nseg, QSZ);
	CHECK_EQ(outside, 0);
}

/*
 * Each hostile chain is refused for the reason expected (so one check cannot
 * hide behind another) and the host touched nothing outside RAM.
 */
static void hostile(const char *what, bool indirect, const char *reason)
{
	const char *e = pop_err(indirect);

	test_current = what;
	CHECK_STR(e, reason);
	CHECK_EQ(outside, 0);
}

TEST(hostile_chains)
{
	setq();
	desc(0, RAM - 8, 16, 0, 0);
	avail(0);
	hostile("buffer past the end of RAM", false,
		"buffer outside guest RAM");

	setq();
	desc(0, 0xfffffffffffff000ull, 0x2000, 0, 0);
	avail(0);
	hostile("address + length wraps", false,
		"buffer outside guest RAM");

	setq();
	desc(0, 0x10000, 0xffffffff, VIRTQ_DESC_F_WRITE, 0);
	avail(0);
	hostile("huge length", false,
		"buffer outside guest RAM");

	setq();
	desc(0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, 0x10000, 16, VIRTQ_DESC_F_NEXT, 0);
	avail(0);
	hostile("two-descriptor loop", false,
		"descriptor loop");

	setq();
	desc(0, 0x10000, 16, VIRTQ_DESC_F_NEXT, 0);
	avail(0);
	hostile("self loop", false,
		"descriptor loop");

	setq();
	desc(0, 0x10000, 16, VIRTQ_DESC_F_NEXT, QSZ);
	avail(0);
	hostile("next out of the table", false,
		"next descriptor index out of the table");

	setq();
	avail(QSZ + 3);
	hostile("head out of the table", false,
		"head descriptor index out of the table");

	setq();
	desc(0, 0x10000, 16, 0, 0);
	put16(AVAIL + 2, QSZ + 1);
	hostile("avail index more than a queue ahead", false,
		"avail index runs more than a queue ahead");

	setq();
	desc(0, 0x11000, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	desc(1, 0x10000, 16, 0, 0);
	avail(0);
	hostile("readable after writable", false,
		"device-readable buffer after a writable one");

	setq();
	desc(0, 0x20000, 32, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	hostile("indirect not negotiated", false,
		"indirect descriptor not negotiated");

	setq();
	desc(0, 0x20000, 24, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	hostile("indirect size not a multiple of 16", true,
		"indirect table size not a multiple of 16 up to the limit");

	setq();
	desc(0, 0x20000, 0, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	hostile("empty indirect table", true,
		"indirect table size not a multiple of 16 up to the limit");

	setq();
	desc(0, RAM - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	hostile("indirect table past RAM", true,
		"indirect table outside guest RAM");

	setq();
	desc(0, 0x20000, 16 * (VIRTQ_MAX_SEGS + 1), VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	hostile("indirect table too large", true,
		"indirect table size not a multiple of 16 up to the limit");

	setq();
	desc_at(0x20000, 0, 0x30000, 32, VIRTQ_DESC_F_INDIRECT, 0);
	desc(0, 0x20000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	hostile("nested indirect", true,
		"nested indirect table");

	setq();
	desc_at(0x20000, 0, 0x10000, 8, VIRTQ_DESC_F_NEXT, 1);
	desc_at(0x20000, 1, 0x10000, 8, VIRTQ_DESC_F_NEXT, 0);
	desc(0, 0x20000, 32, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	hostile("loop in an indirect table", true,
		"loop in an indirect table");

	setq();
	desc_at(0x20000, 0, 0x10000, 8, VIRTQ_DESC_F_NEXT, 5);
	desc(0, 0x20000, 32, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	hostile("indirect next out of the table", true,
		"indirect next index out of the table");

	setq();
	desc_at(0x20000, 0, RAM - 4, 8, 0, 0);
	desc(0, 0x20000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	hostile("indirect buffer past RAM", true,
		"buffer outside guest RAM");

	setq();
	desc(0, 0x20000, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	avail(0);
	hostile("indirect with NEXT", true,
		"indirect descriptor with NEXT");
}

TEST(event_idx)
{
	setq();
	/* Without EVENT_IDX: interrupt unless NO_INTERRUPT. */
	CHECK(!virtq_should_notify(&q, &mem, false));       /* nothing used */
	CHECK_EQ(virtq_push(&q, &mem, 0, 0), 0);
	CHECK(virtq_should_notify(&q, &mem, false));
	CHECK_EQ(virtq_push(&q, &mem, 0, 0), 0);
	put16(AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	CHECK(!virtq_should_notify(&q, &mem, false));

	/* With it: only when used_event is crossed. */
	setq();
	put16(AVAIL + 4 + 2 * QSZ, 2);                       /* used_event = 2 */
	CHECK_EQ(virtq_push(&q, &mem, 0, 0), 0);             /* used 1 */
	CHECK(!virtq_should_notify(&q, &mem, true));
	CHECK_EQ(virtq_push(&q, &mem, 0, 0), 0);
	CHECK_EQ(virtq_push(&q, &mem, 0, 0), 0);             /* used 3: entry 2 is past used_event */
	CHECK(virtq_should_notify(&q, &mem, true));
	CHECK_EQ(virtq_push(&q, &mem, 0, 0), 0);
	CHECK(!virtq_should_notify(&q, &mem, true));         /* used_event still 2 */
	/* avail_event tells the driver where the device is. */
	q.last_avail = 5;
	virtq_should_notify(&q, &mem, true);
	CHECK_EQ(get16(USED + 4 + 8 * QSZ), 5);
	CHECK_EQ(outside, 0);
}

TEST_MAIN({ "queue_checks", queue_checks }, { "good_chains", good_chains },
	  { "hostile_chains", hostile_chains }, { "event_idx", event_idx })
