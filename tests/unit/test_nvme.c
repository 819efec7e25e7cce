// SPDX-License-Identifier: MIT
/* test_nvme.c: NVMe command building, PRPs, completions and Identify parsing (drivers/nvme_cmd.c). */
#include "test.h"

#include <tv/errno.h>
#include <tv/nvme.h>

#define PG 4096ull
#define LIST_PA 0x7000000ull
#define SENTINEL 0x5a5a5a5a5a5a5a5aull

static u64 list[NVME_PRP_PER_LIST + 1];

static int prp(u64 pa, u32 len, u64 *p1, u64 *p2)
{
	for (unsigned i = 0; i < NVME_PRP_PER_LIST + 1; i++)
		list[i] = SENTINEL;
	return nvme_prp_build(pa, len, list, LIST_PA, p1, p2);
}

TEST(prp_one_or_two_pages)
{
	u64 p1, p2;

	CHECK_EQ(prp(0x100000, 512, &p1, &p2), 0);
	CHECK_EQ(p1, 0x100000);
	CHECK_EQ(p2, 0);
	CHECK_EQ(prp(0x100000, PG, &p1, &p2), 0);
	CHECK_EQ(p2, 0);
	CHECK_EQ(prp(0x100000, 2 * PG, &p1, &p2), 0);
	CHECK_EQ(p2, 0x101000);
	/* unaligned start: the rest of its page, then one more page */
	CHECK_EQ(prp(0x100200, PG - 0x200, &p1, &p2), 0);
	CHECK_EQ(p1, 0x100200);
	CHECK_EQ(p2, 0);
	CHECK_EQ(prp(0x100200, PG - 0x1fc, &p1, &p2), 0);
	CHECK_EQ(p2, 0x101000);
	CHECK_EQ(prp(0x100200, 2 * PG - 0x200, &p1, &p2), 0);
	CHECK_EQ(p2, 0x101000);
	CHECK_EQ(list[0], SENTINEL);  /* no list for two pages */
	/* last dword of a page */
	CHECK_EQ(prp(0x100ffc, 8, &p1, &p2), 0);
	CHECK_EQ(p1, 0x100ffc);
	CHECK_EQ(p2, 0x101000);
}

TEST(prp_list)
{
	u64 p1, p2;

	CHECK_EQ(prp(0x100000, 3 * PG, &p1, &p2), 0);
	CHECK_EQ(p1, 0x100000);
	CHECK_EQ(p2, LIST_PA);
	CHECK_EQ(list[0], 0x101000);
	CHECK_EQ(list[1], 0x102000);
	CHECK_EQ(list[2], SENTINEL);
	/* unaligned: 0xe00 bytes in the first page, 2 full pages, 0x200 in a fourth */
	CHECK_EQ(prp(0x100200, 3 * PG, &p1, &p2), 0);
	CHECK_EQ(p1, 0x100200);
	CHECK_EQ(p2, LIST_PA);
	CHECK_EQ(list[0], 0x101000);
	CHECK_EQ(list[1], 0x102000);
	CHECK_EQ(list[2], 0x103000);
	CHECK_EQ(list[3], SENTINEL);
	/* the largest transfer one list page describes: 513 pages */
	CHECK_EQ(prp(0x200000, NVME_MAX_XFER + PG, &p1, &p2), 0);
	CHECK_EQ(list[NVME_PRP_PER_LIST - 1], 0x200000 + NVME_MAX_XFER);
	CHECK_EQ(list[NVME_PRP_PER_LIST], SENTINEL);
	CHECK_EQ(prp(0x200200, NVME_MAX_XFER + PG - 0x200, &p1, &p2), 0);
	CHECK_EQ(list[NVME_PRP_PER_LIST - 1], 0x200000 + NVME_MAX_XFER);
	/* one byte more would need a chained list */
	CHECK_EQ(prp(0x200000, NVME_MAX_XFER + PG + 1, &p1, &p2), -EINVAL);
	CHECK_EQ(prp(0x200200, NVME_MAX_XFER + PG - 0x1ff, &p1, &p2), -EINVAL);
	CHECK_EQ(list[NVME_PRP_PER_LIST], SENTINEL);
}

TEST(prp_refused)
{
	u64 p1, p2;

	CHECK_EQ(prp(0x100002, 512, &p1, &p2), -EINVAL);
	CHECK_EQ(prp(0x100000, 0, &p1, &p2), -EINVAL);
	CHECK_EQ(nvme_prp_build(0x100000, 3 * PG, list, LIST_PA + 8, &p1, &p2), -EINVAL);
}

TEST(commands)
{
	struct nvme_sqe c;

	memset(&c, 0xff, sizeof(c));
	nvme_cmd_rw(&c, NVME_CMD_WRITE, 1, 0x123456789ull, 8, true);
	CHECK_EQ(c.opc, NVME_CMD_WRITE);
	CHECK_EQ(c.nsid, 1);
	CHECK_EQ(c.cdw10, 0x23456789);
	CHECK_EQ(c.cdw11, 0x1);
	CHECK_EQ(c.cdw12, 7 | (1u << 30));
	CHECK_EQ(c.flags, 0);
	CHECK_EQ(c.prp1, 0);
	nvme_cmd_rw(&c, NVME_CMD_READ, 2, 5, 1, false);
	CHECK_EQ(c.cdw12, 0);
	CHECK_EQ(c.cdw10, 5);
	nvme_cmd_rw(&c, NVME_CMD_FLUSH, 3, 5, 1, true);
	CHECK_EQ(c.opc, NVME_CMD_FLUSH);
	CHECK_EQ(c.nsid, 3);
	CHECK_EQ(c.cdw10 | c.cdw11 | c.cdw12, 0);
}

static struct nvme_cqe ring[4];

static void post(unsigned i, u16 cid, u16 status, unsigned phase)
{
	ring[i].cid = cid;
	ring[i].status = (u16)(status << 1 | phase);
}

TEST(completions)
{
	struct nvme_cq cq = { .e = ring, .size = 4, .phase = 1 };
	struct nvme_cqe e;

	memset(ring, 0, sizeof(ring));
	CHECK(!nvme_cq_pop(&cq, &e));             /* zeroed ring: nothing new */
	post(0, 10, 0, 1);
	post(1, 11, 0x2, 1);
	CHECK(nvme_cq_pop(&cq, &e));
	CHECK_EQ(e.cid, 10);
	CHECK_EQ(nvme_status(&e), 0);
	CHECK(nvme_cq_pop(&cq, &e));
	CHECK_EQ(e.cid, 11);
	CHECK_EQ(nvme_status(&e), 2);
	CHECK(!nvme_cq_pop(&cq, &e));
	CHECK_EQ(cq.head, 2);
	post(2, 12, 0, 1);
	post(3, 13, 0, 1);
	CHECK(nvme_cq_pop(&cq, &e) && e.cid == 12);
	CHECK(nvme_cq_pop(&cq, &e) && e.cid == 13);
	/* wrapped: the old entries carry phase 1, which is now stale */
	CHECK_EQ(cq.head, 0);
	CHECK_EQ(cq.phase, 0);
	CHECK(!nvme_cq_pop(&cq, &e));
	post(0, 14, 0, 0);
	CHECK(nvme_cq_pop(&cq, &e) && e.cid == 14);
	CHECK(!nvme_cq_pop(&cq, &e));
	CHECK_EQ(cq.head, 1);
	/* second wrap flips back to 1 */
	for (unsigned i = 1; i < 4; i++)
		post(i, (u16)(20 + i), 0, 0);
	for (unsigned i = 1; i < 4; i++)
		CHECK(nvme_cq_pop(&cq, &e) && e.cid == 20 + i);
	CHECK_EQ(cq.phase, 1);
	CHECK(!nvme_cq_pop(&cq, &e));
}

static u8 id[4096];

static void put(unsigned off, const char *s, unsigned n)
{
	memset(id + off, ' ', n);
	memcpy(id + off, s, strlen(s));
}

TEST(identify_controller)
{
	struct nvme_ctrl_info ci;

	memset(id, 0, sizeof(id));
	put(4, "tv0", 20);
	put(24, "QEMU NVMe Ctrl", 40);
	id[77] = 7;
	id[516] = 0, id[517] = 1;   /* NN = 256 */
	id[525] = 1;
	CHECK_EQ(nvme_parse_ctrl(id, &ci), 0);
	CHECK_STR(ci.serial, "tv0");
	CHECK_STR(ci.model, "QEMU NVMe Ctrl");
	CHECK_EQ(ci.mdts, 7);
	CHECK_EQ(ci.nn, 256);
	CHECK(ci.vwc);
	id[525] = 0;
	id[4] = 0x01;                /* control characters are not passed on */
	put(24, "M", 40);
	memset(id + 24, 'x', 40);    /* full width, no padding */
	CHECK_EQ(nvme_parse_ctrl(id, &ci), 0);
	CHECK(!ci.vwc);
	CHECK_EQ(ci.serial[0], '?');
	CHECK_EQ(strlen(ci.model), 40);
	id[517] = 0;
	CHECK_EQ(nvme_parse_ctrl(id, &ci), -EINVAL);
}

TEST(identify_namespace)
{
	struct nvme_ns_info ni;

	memset(id, 0, sizeof(id));
	id[0] = 0x00, id[1] = 0x00, id[2] = 0x02;   /* NSZE 0x20000 */
	id[4] = 0x01;                               /* ... + 1 << 32 */
	id[25] = 1;                                 /* two formats */
	id[128 + 2] = 9;                            /* format 0: 512 bytes */
	id[132 + 2] = 12;                           /* format 1: 4096 bytes */
	CHECK_EQ(nvme_parse_ns(id, &ni), 0);
	CHECK_EQ(ni.nsze, 0x100020000ull);
	CHECK_EQ(ni.lba_size, 512);
	id[26] = 0x11;                              /* format 1 (bit 4 is metadata placement) */
	CHECK_EQ(nvme_parse_ns(id, &ni), 0);
	CHECK_EQ(ni.lba_size, 4096);
	id[26] = 2;                                 /* beyond NLBAF */
	CHECK_EQ(nvme_parse_ns(id, &ni), -EINVAL);
	id[26] = 1;
	id[132] = 8;                                /* 8 bytes of metadata per block */
	CHECK_EQ(nvme_parse_ns(id, &ni), -EINVAL);
	id[132] = 0;
	id[132 + 2] = 8;                            /* 256-byte blocks */
	CHECK_EQ(nvme_parse_ns(id, &ni), -EINVAL);
	id[132 + 2] = 13;
	CHECK_EQ(nvme_parse_ns(id, &ni), -EINVAL);
	id[26] = 0;
	memset(id, 0, 8);                           /* inactive namespace */
	CHECK_EQ(nvme_parse_ns(id, &ni), -EINVAL);
	CHECK_EQ(ni.nsze, 0);
}

TEST_MAIN({ "prp_one_or_two_pages", prp_one_or_two_pages }, { "prp_list", prp_list },
	  { "prp_refused", prp_refused }, { "commands", commands }, { "completions", completions },
	  { "identify_controller", identify_controller }, { "identify_namespace", identify_namespace })
