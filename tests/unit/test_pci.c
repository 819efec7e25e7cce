// SPDX-License-Identifier: MIT
/* test_pci.c: BAR decoding and the capability walk (drivers/pci_decode.c) over fake config space. */
#include "test.h"

#include <tv/pci.h>

TEST(bar_mem32)
{
	struct pci_bar b;

	/* 4 KiB non-prefetchable BAR at 0xfebf1000 */
	CHECK_EQ(pci_bar_decode(0xfebf1000, 0, 0xfffff000, 0, &b), 1);
	CHECK_EQ(b.kind, PCI_BAR_MEM32);
	CHECK_EQ(b.base, 0xfebf1000);
	CHECK_EQ(b.size, 0x1000);
	CHECK(!b.prefetch);
	/* 256 MiB prefetchable */
	CHECK_EQ(pci_bar_decode(0xc0000008, 0, 0xf0000008, 0, &b), 1);
	CHECK(b.prefetch);
	CHECK_EQ(b.size, 0x10000000);
	/* not implemented: reads back 0 */
	CHECK_EQ(pci_bar_decode(0, 0, 0, 0, &b), 1);
	CHECK_EQ(b.size, 0);
}

TEST(bar_mem64)
{
	struct pci_bar b;

	/* 16 KiB 64-bit BAR above 4 GiB */
	CHECK_EQ(pci_bar_decode(0x00004004, 0x8, 0xffffc004, 0xffffffff, &b), 2);
	CHECK_EQ(b.kind, PCI_BAR_MEM64);
	CHECK_EQ(b.base, 0x800004000ull);
	CHECK_EQ(b.size, 0x4000);
	/* 8 GiB: every size bit lives in the upper half */
	CHECK_EQ(pci_bar_decode(0x0000000c, 0x4, 0x0000000c, 0xfffffffe, &b), 2);
	CHECK_EQ(b.size, 8ull << 30);
	CHECK(b.prefetch);
	CHECK_EQ(b.base, 0x400000000ull);
}

TEST(bar_io)
{
	struct pci_bar b;

	CHECK_EQ(pci_bar_decode(0xc041, 0, 0xffffffe1, 0, &b), 1);
	CHECK_EQ(b.kind, PCI_BAR_IO);
	CHECK_EQ(b.base, 0xc040);
	CHECK_EQ(b.size, 32);
	/* upper 16 bits unimplemented (read back as zero): still 32 bytes */
	CHECK_EQ(pci_bar_decode(0xc041, 0, 0x0000ffe1, 0, &b), 1);
	CHECK_EQ(b.size, 32);
	CHECK_EQ(pci_bar_decode(0x1, 0, 0x1, 0, &b), 1);
	CHECK_EQ(b.size, 0);
}

static unsigned char cfg[256];
static int reads;

static unsigned char rd(void *ctx, unsigned short off)
{
	CHECK(ctx == cfg);
	CHECK(off < 256);
	reads++;
	return ((unsigned char *)ctx)[off];
}

static void cap(unsigned at, unsigned char id, unsigned char next)
{
	cfg[at] = id;
	cfg[at + 1] = next;
}

TEST(cap_walk)
{
	memset(cfg, 0, sizeof(cfg));
	cfg[0x34] = 0x40;
	cap(0x40, PCI_CAP_MSI, 0x50);
	cap(0x50, PCI_CAP_MSIX, 0x62);   /* low bits of a pointer are reserved */
	cap(0x60, PCI_CAP_PCIE, 0);
	CHECK_EQ(pci_cap_walk(rd, cfg, PCI_CAP_MSI), 0x40);
	CHECK_EQ(pci_cap_walk(rd, cfg, PCI_CAP_MSIX), 0x50);
	CHECK_EQ(pci_cap_walk(rd, cfg, PCI_CAP_PCIE), 0x60);
	CHECK_EQ(pci_cap_walk(rd, cfg, 0x09), 0);
	/* no list */
	cfg[0x34] = 0;
	CHECK_EQ(pci_cap_walk(rd, cfg, PCI_CAP_MSI), 0);
}

TEST(cap_walk_hostile)
{
	memset(cfg, 0, sizeof(cfg));
	/* a loop ends */
	cfg[0x34] = 0x40;
	cap(0x40, PCI_CAP_MSI, 0x50);
	cap(0x50, PCI_CAP_MSIX, 0x40);
	reads = 0;
	CHECK_EQ(pci_cap_walk(rd, cfg, PCI_CAP_PCIE), 0);
	CHECK(reads < 200);
	/* a self loop ends */
	cap(0x40, PCI_CAP_MSI, 0x40);
	CHECK_EQ(pci_cap_walk(rd, cfg, PCI_CAP_PCIE), 0);
	/* a pointer into the header stops the walk */
	cap(0x40, PCI_CAP_MSI, 0x10);
	cfg[0x10] = PCI_CAP_PCIE;
	CHECK_EQ(pci_cap_walk(rd, cfg, PCI_CAP_PCIE), 0);
	cfg[0x34] = 0x20;
	CHECK_EQ(pci_cap_walk(rd, cfg, PCI_CAP_PCIE), 0);
	/* the last dword: reading its next pointer stays in range */
	cfg[0x34] = 0xfc;
	cap(0xfc, PCI_CAP_PCIE, 0xff);
	CHECK_EQ(pci_cap_walk(rd, cfg, PCI_CAP_PCIE), 0xfc);
	CHECK_EQ(pci_cap_walk(rd, cfg, PCI_CAP_MSI), 0);
}

TEST_MAIN({ "bar_mem32", bar_mem32 }, { "bar_mem64", bar_mem64 }, { "bar_io", bar_io },
	  { "cap_walk", cap_walk }, { "cap_walk_hostile", cap_walk_hostile })
