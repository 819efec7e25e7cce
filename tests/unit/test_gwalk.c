// SPDX-License-Identifier: MIT
/* test_gwalk.c: the guest page-table walker (vmm/emul/gwalk.c) on fake guest memory. */
#include "test.h"

#include <tv/errno.h>
#include <tv/gwalk.h>

#define RAM (2ull << 20)

#define P (1ull << 0)
#define RW (1ull << 1)
#define US (1ull << 2)
#define A (1ull << 5)
#define DIRTY (1ull << 6)
#define PS (1ull << 7)
#define PAT_L (1ull << 12)
#define XD (1ull << 63)

#define CR0_PE (1ull << 0)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define CR4_PKE (1ull << 22)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define AC (1ull << 18)

#define W GWALK_WRITE
#define U GWALK_USER
#define X GWALK_FETCH
#define PF_P GWALK_PF_P
#define PF_W GWALK_PF_W
#define PF_U GWALK_PF_U
#define PF_R GWALK_PF_RSVD
#define PF_I GWALK_PF_I
#define PF_K GWALK_PF_PK

static u8 mem[RAM];
static unsigned nreads, nwrites, misaligned, stale_writes;
static int write_rc;

static int f_read(void *ctx, u64 gpa, unsigned size, u64 *val)
{
	nreads++;
	if ((size != 4 && size != 8) || gpa % size)
		misaligned++;
	if (gpa >= RAM || gpa + size > RAM)
		return -1;
	*val = 0;
	memcpy(val, &mem[gpa], size);
	return 0;
}

static int f_write(void *ctx, u64 gpa, unsigned size, u64 old, u64 val)
{
	u64 cur = 0;

	if (write_rc)
		return write_rc;
	if (gpa >= RAM || gpa + size > RAM)
		return -1;
	memcpy(&cur, &mem[gpa], size);
	if (cur != old)
		stale_writes++;
	memcpy(&mem[gpa], &val, size);
	nwrites++;
	return 0;
}

static const struct gwalk_ops ops = { .read = f_read, .write = f_write };
static const struct gwalk_ops ops_ro = { .read = f_read };

static void reset(void)
{
	memset(mem, 0, sizeof(mem));
	nreads = nwrites = misaligned = stale_writes = 0;
	write_rc = 0;
}

static void put(u64 gpa, unsigned size, u64 val)
{
	memcpy(&mem[gpa], &val, size);
}

static u64 get(u64 gpa, unsigned size)
{
	u64 v = 0;

	memcpy(&v, &mem[gpa], size);
	return v;
}

static struct gwalk_regs regs_4l(void)
{
	struct gwalk_regs r = {
		.cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = 0x1000, .cr4 = CR4_PAE,
		.efer = EFER_LME | EFER_LMA | EFER_NXE, .maxphyaddr = 48, .gbpages = true,
		.rflags = 2,
	};
	return r;
}

static struct gwalk_regs regs_pae(void)
{
	struct gwalk_regs r = {
		.cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = 0x1020, .cr4 = CR4_PAE,
		.efer = EFER_NXE, .maxphyaddr = 36, .rflags = 2,
	};
	return r;
}

static struct gwalk_regs regs_32(void)
{
	struct gwalk_regs r = {
		.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PSE, .maxphyaddr = 36, .rflags = 2,
	};
	return r;
}

static u32 ec;
static u64 gpa;

static int walk(const struct gwalk_regs *r, u64 gla, unsigned acc)
{
	ec = 0xdead;
	gpa = 0xdead;
	return gwalk(r, gla, acc, &ops, NULL, &gpa, &ec);
}

/* 4-level: gla with the given table indices and page offset */
#define GLA4(l4, l3, l2, l1, off) (((u64)(l4) << 39) | ((u64)(l3) << 30) | ((u64)(l2) << 21) | \
				   ((u64)(l1) << 12) | (off))
#define PML4 0x1000ull
#define PDPT 0x2000ull
#define PD 0x3000ull
#define PT 0x4000ull

/* The chain for GLA4(1, 2, 3, 4, x) -> 0x9000 with the given flags per level. */
static void build4(u64 f4, u64 f3, u64 f2, u64 f1)
{
	reset();
	put(PML4 + 1 * 8, 8, PDPT | f4);
	put(PDPT + 2 * 8, 8, PD | f3);
	put(PD + 3 * 8, 8, PT | f2);
	put(PT + 4 * 8, 8, 0x9000 | f1);
}

#define ALL (P | RW | US)
#define VA GLA4(1, 2, 3, 4, 0x567)

TEST(paging_off)
{
	struct gwalk_regs r = regs_32();
	struct gwalk_info info;

	reset();
	r.cr0 = CR0_PE;
	CHECK_EQ(walk(&r, 0x12345678, W), 0);
	CHECK_EQ(gpa, 0x12345678);
	CHECK_EQ(ec, 0);
	CHECK_EQ(walk(&r, 0x100001000ull, X | U), 0);
	CHECK_EQ(gpa, 0x1000);
	CHECK_EQ(nreads, 0);
	CHECK_EQ(gwalk_ex(&r, 0x5000, 0, &ops, NULL, &info), 0);
	CHECK_EQ(info.level, 0);
	CHECK_EQ(info.page_size, 1ull << 32);
	/* LMA without paging cannot exist */
	r.efer = EFER_LMA;
	CHECK_EQ(walk(&r, 0, 0), -EINVAL);
}

TEST(four_level_4k)
{
	struct gwalk_regs r = regs_4l();
	struct gwalk_info info;

	build4(ALL, ALL, ALL, ALL);
	CHECK_EQ(walk(&r, VA, 0), 0);
	CHECK_EQ(gpa, 0x9567);
	CHECK_EQ(ec, 0);
	CHECK_EQ(nreads, 4);
	CHECK_EQ(misaligned, 0);
	/* a read sets Accessed everywhere and Dirty nowhere */
	CHECK_EQ(get(PML4 + 8, 8), PDPT | ALL | A);
	CHECK_EQ(get(PDPT + 16, 8), PD | ALL | A);
	CHECK_EQ(get(PD + 24, 8), PT | ALL | A);
	CHECK_EQ(get(PT + 32, 8), 0x9000 | ALL | A);
	CHECK_EQ(nwrites, 4);
	/* a second read writes nothing; a write sets Dirty on the leaf only */
	CHECK_EQ(walk(&r, VA, 0), 0);
	CHECK_EQ(nwrites, 4);
	CHECK_EQ(walk(&r, VA | 0xfff, W), 0);
	CHECK_EQ(gpa, 0x9fff);
	CHECK_EQ(nwrites, 5);
	CHECK_EQ(get(PT + 32, 8), 0x9000 | ALL | A | DIRTY);
	CHECK_EQ(get(PD + 24, 8), PT | ALL | A);
	CHECK_EQ(stale_writes, 0);

	CHECK_EQ(gwalk_ex(&r, VA, U, &ops, NULL, &info), 0);
	CHECK_EQ(info.level, 1);
	CHECK_EQ(info.page_size, 4096);
	CHECK(info.writable && info.user && !info.nx);

	/* the high half: index 511 of every level */
	reset();
	put(PML4 + 511 * 8, 8, PDPT | P);
	put(PDPT + 511 * 8, 8, PD | P);
	put(PD + 511 * 8, 8, PT | P);
	put(PT + 511 * 8, 8, 0xabc000 | P);
	CHECK_EQ(walk(&r, 0xfffffffffffff123ull, 0), 0);
	CHECK_EQ(gpa, 0xabc123);
	/* CR3's PCID / flag bits are not part of the address */
	r.cr3 = PML4 | 0x018 | (1ull << 63);
	CHECK_EQ(walk(&r, 0xfffffffffffff123ull, 0), 0);
	CHECK_EQ(gpa, 0xabc123);
}

TEST(four_level_large)
{
	struct gwalk_regs r = regs_4l();
	struct gwalk_info info;

	/* 2 MiB page; bit 12 is PAT, not address */
	reset();
	put(PML4 + 8, 8, PDPT | ALL);
	put(PDPT + 16, 8, PD | ALL);
	put(PD + 24, 8, 0x40200000ull | PAT_L | PS | ALL);
	CHECK_EQ(gwalk_ex(&r, GLA4(1, 2, 3, 0x1fe, 0xabc), W, &ops, NULL, &info), 0);
	CHECK_EQ(info.gpa, 0x40200000ull + 0x1feabc);
	CHECK_EQ(info.level, 2);
	CHECK_EQ(info.page_size, 2ull << 20);
	CHECK_EQ(get(PD + 24, 8), 0x40200000ull | PAT_L | PS | ALL | A | DIRTY);
	CHECK_EQ(get(PDPT + 16, 8), PD | ALL | A);
	CHECK_EQ(nreads, 3);

	/* bits 20:13 of a 2 MiB PDE are reserved */
	put(PD + 24, 8, 0x40200000ull | (1ull << 13) | PS | ALL);
	CHECK_EQ(walk(&r, GLA4(1, 2, 3, 0, 0), W | U), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R | PF_W | PF_U);

	/* 1 GiB page */
	reset();
	put(PML4 + 8, 8, PDPT | ALL);
	put(PDPT + 16, 8, 0xc0000000ull | PAT_L | PS | ALL);
	CHECK_EQ(gwalk_ex(&r, GLA4(1, 2, 0x1ff, 0x1fe, 0xfff), 0, &ops, NULL, &info), 0);
	CHECK_EQ(info.gpa, 0xc0000000ull + 0x3fffefff);
	CHECK_EQ(info.level, 3);
	CHECK_EQ(info.page_size, 1ull << 30);
	/* bits 29:13 reserved; without 1 GiB page support PS itself is */
	put(PDPT + 16, 8, 0xc0000000ull | (1ull << 29) | PS | ALL);
	CHECK_EQ(walk(&r, GLA4(1, 2, 0, 0, 0), 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);
	put(PDPT + 16, 8, 0xc0000000ull | PS | ALL);
	r.gbpages = false;
	CHECK_EQ(walk(&r, GLA4(1, 2, 0, 0, 0), 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);

	/* PS in a PML4E is reserved */
	r = regs_4l();
	reset();
	put(PML4 + 8, 8, PDPT | PS | ALL);
	CHECK_EQ(walk(&r, GLA4(1, 0, 0, 0, 0), 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);
}

TEST(four_level_faults)
{
	struct gwalk_regs r = regs_4l();
	u64 pml4e;

	/* not present at each level: P clear in the error code; no A bits set */
	for (int lvl = 4; lvl >= 1; lvl--) {
		build4(lvl == 4 ? RW : ALL, lvl == 3 ? US : ALL, lvl == 2 ? 0 : ALL, lvl == 1 ? ALL & ~P : ALL);
		CHECK_EQ(walk(&r, VA, W | U), GWALK_PAGE_FAULT);
		CHECK_EQ(ec, PF_W | PF_U);
		CHECK_EQ(nwrites, 0);
		CHECK_EQ(gpa, 0);
		CHECK_EQ(nreads, (unsigned)(5 - lvl));
	}
	/* fetch from a not-present page reports I (NXE is on) */
	CHECK_EQ(walk(&r, VA, X), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_I);

	/* U/S clear at one level: user access faults, supervisor does not */
	build4(ALL, ALL, P | RW, ALL);
	CHECK_EQ(walk(&r, VA, U), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_U);
	CHECK_EQ(nwrites, 0);
	CHECK_EQ(get(PT + 32, 8), 0x9000 | ALL);
	CHECK_EQ(walk(&r, VA, W), 0);

	/* R/W clear at one level: supervisor writes fault only with CR0.WP */
	build4(ALL, P | US, ALL, ALL);
	CHECK_EQ(walk(&r, VA, W), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_W);
	CHECK_EQ(walk(&r, VA, W | U), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_W | PF_U);
	CHECK_EQ(walk(&r, VA, U), 0);
	r.cr0 &= ~CR0_WP;
	CHECK_EQ(walk(&r, VA, W), 0);
	CHECK(get(PT + 32, 8) & DIRTY);
	CHECK_EQ(walk(&r, VA, W | U), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_W | PF_U);
	r = regs_4l();

	/* XD: fetches fault with NXE, and XD is reserved without it */
	build4(ALL, ALL, ALL | XD, ALL);
	CHECK_EQ(walk(&r, VA, 0), 0);
	CHECK_EQ(walk(&r, VA, X), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_I);
	CHECK_EQ(walk(&r, VA, X | U), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_I | PF_U);
	r.efer &= ~EFER_NXE;
	CHECK_EQ(walk(&r, VA, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);
	build4(ALL, ALL, ALL, ALL);
	CHECK_EQ(walk(&r, VA, X), 0);
	put(PT + 32, 8, 0x9000 | ALL);
	CHECK_EQ(walk(&r, 0x4000000000000000ull, X), GWALK_NONCANONICAL);
	put(PML4, 8, 0);
	CHECK_EQ(walk(&r, 0, X), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, 0);			/* no I bit without NXE or SMEP */
	r = regs_4l();

	/* reserved address bits above MAXPHYADDR; 62:52 are ignored */
	build4(ALL, ALL, ALL, ALL);
	put(PT + 32, 8, (1ull << 40) | 0x9000 | ALL);
	r.maxphyaddr = 40;
	CHECK_EQ(walk(&r, VA, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);
	r.maxphyaddr = 41;
	CHECK_EQ(walk(&r, VA, 0), 0);
	CHECK_EQ(gpa, (1ull << 40) | 0x9567);
	put(PT + 32, 8, (0x7ffull << 52) | 0x9000 | ALL);
	CHECK_EQ(walk(&r, VA, 0), 0);
	CHECK_EQ(gpa, 0x9567);
	pml4e = get(PML4 + 8, 8);
	put(PML4 + 8, 8, pml4e | (1ull << 51));
	CHECK_EQ(walk(&r, VA, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);
	r = regs_4l();

	/* canonical form */
	CHECK_EQ(walk(&r, 0x0000800000000000ull, 0), GWALK_NONCANONICAL);
	CHECK_EQ(walk(&r, 0xffff7fffffffffffull, 0), GWALK_NONCANONICAL);
	CHECK_EQ(walk(&r, 0x8000000000000000ull, W), GWALK_NONCANONICAL);

	/* a table outside guest RAM */
	build4(ALL, ALL, ALL, ALL);
	put(PD + 24, 8, (RAM + 0x1000) | ALL);
	CHECK_EQ(walk(&r, VA, 0), -EFAULT);
}

TEST(smep_smap_pk)
{
	struct gwalk_regs r = regs_4l();

	/* SMEP: supervisor fetch from a user page */
	build4(ALL, ALL, ALL, ALL);
	CHECK_EQ(walk(&r, VA, X), 0);
	r.cr4 |= CR4_SMEP;
	CHECK_EQ(walk(&r, VA, X), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_I);
	CHECK_EQ(walk(&r, VA, X | U), 0);
	CHECK_EQ(walk(&r, VA, 0), 0);

	/* SMAP: supervisor data access to a user page, unless AC (explicit, CPL < 3) */
	r = regs_4l();
	r.cr4 |= CR4_SMAP;
	CHECK_EQ(walk(&r, VA, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P);
	CHECK_EQ(walk(&r, VA, W), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_W);
	r.rflags |= AC;
	CHECK_EQ(walk(&r, VA, W), 0);
	CHECK_EQ(walk(&r, VA, GWALK_IMPLICIT), GWALK_PAGE_FAULT);
	r.cpl = 3;				/* supervisor accesses at CPL 3 are implicit */
	CHECK_EQ(walk(&r, VA, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(walk(&r, VA, U | W), 0);
	CHECK_EQ(walk(&r, VA, X), 0);		/* SMAP is about data */
	/* a supervisor page is not affected */
	build4(ALL, ALL, ALL, P | RW);
	r.rflags &= ~AC;
	CHECK_EQ(walk(&r, VA, W), 0);

	/* protection keys on user pages */
	r = regs_4l();
	r.cr4 |= CR4_PKE;
	build4(ALL, ALL, ALL, ALL | (5ull << 59));
	r.pkru = 1u << 10;			/* AD for key 5 */
	CHECK_EQ(walk(&r, VA, U), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_U | PF_K);
	CHECK_EQ(walk(&r, VA, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_K);
	CHECK_EQ(walk(&r, VA, X | U), 0);	/* fetches ignore keys */
	r.pkru = 2u << 10;			/* WD for key 5 */
	CHECK_EQ(walk(&r, VA, U), 0);
	CHECK_EQ(walk(&r, VA, U | W), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_W | PF_U | PF_K);
	CHECK_EQ(walk(&r, VA, W), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_W | PF_K);
	r.cr0 &= ~CR0_WP;			/* supervisor writes ignore WD without WP */
	CHECK_EQ(walk(&r, VA, W), 0);
	r.pkru = 3u << 8;			/* another key */
	r.cr0 |= CR0_WP;
	CHECK_EQ(walk(&r, VA, U | W), 0);
	/* keys do not apply to supervisor pages, nor without CR4.PKE */
	build4(ALL, ALL, ALL, P | RW | (5ull << 59));
	r.pkru = 3u << 10;
	CHECK_EQ(walk(&r, VA, W), 0);
	build4(ALL, ALL, ALL, ALL | (5ull << 59));
	r.cr4 &= ~CR4_PKE;
	CHECK_EQ(walk(&r, VA, U | W), 0);
}

TEST(pae)
{
	struct gwalk_regs r = regs_pae();
	struct gwalk_info info;
	u64 va = (2ull << 30) | (3ull << 21) | (4ull << 12) | 0x321;

	reset();
	put(0x1020 + 2 * 8, 8, 0x2000 | P);	/* PDPTE 2 at CR3 + 16 */
	put(0x2000 + 3 * 8, 8, 0x3000 | ALL);
	put(0x3000 + 4 * 8, 8, 0x8000 | ALL);
	CHECK_EQ(gwalk_ex(&r, va, W, &ops, NULL, &info), 0);
	CHECK_EQ(info.gpa, 0x8321);
	CHECK_EQ(info.level, 1);
	CHECK_EQ(nreads, 3);
	/* PDPTEs have no Accessed bit */
	CHECK_EQ(get(0x1030, 8), 0x2000 | P);
	CHECK_EQ(get(0x2018, 8), 0x3000 | ALL | A);
	CHECK_EQ(get(0x3020, 8), 0x8000 | ALL | A | DIRTY);
	/* the upper half of a 64-bit gla is not used */
	CHECK_EQ(walk(&r, va | 0xffffffff00000000ull, 0), 0);
	CHECK_EQ(gpa, 0x8321);

	/* 2 MiB page (CR4.PSE does not matter) */
	put(0x2000 + 3 * 8, 8, 0x600000 | PS | ALL);
	CHECK_EQ(gwalk_ex(&r, va, 0, &ops, NULL, &info), 0);
	CHECK_EQ(info.gpa, 0x600000 + (4 << 12) + 0x321);
	CHECK_EQ(info.page_size, 2ull << 20);
	put(0x2000 + 3 * 8, 8, 0x600000 | (1ull << 20) | PS | ALL);
	CHECK_EQ(walk(&r, va, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);
	put(0x2000 + 3 * 8, 8, 0x3000 | ALL);

	/* PDPTE: not present, and its reserved bits (R/W, U/S, PS, XD) */
	put(0x1030, 8, 0x2000);
	CHECK_EQ(walk(&r, va, W), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_W);
	put(0x1030, 8, 0x2000 | P | RW);
	CHECK_EQ(walk(&r, va, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);
	put(0x1030, 8, 0x2000 | P | PS);
	CHECK_EQ(walk(&r, va, 0), GWALK_PAGE_FAULT);
	put(0x1030, 8, 0x2000 | P | A);
	CHECK_EQ(walk(&r, va, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);
	put(0x1030, 8, 0x2000 | P | XD);
	CHECK_EQ(walk(&r, va, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);
	put(0x1030, 8, 0x2000 | P | (1ull << 36));
	CHECK_EQ(walk(&r, va, 0), GWALK_PAGE_FAULT);
	put(0x1030, 8, 0x2000 | P | (1ull << 3) | (1ull << 4) | (7ull << 9));	/* PWT, PCD, AVL */
	CHECK_EQ(walk(&r, va, 0), 0);

	/* bits 62:MAXPHYADDR are reserved in PAE paging (unlike 4-level) */
	put(0x3020, 8, (1ull << 52) | 0x8000 | ALL);
	CHECK_EQ(walk(&r, va, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);
	put(0x3020, 8, (1ull << 35) | 0x8000 | ALL);
	CHECK_EQ(walk(&r, va, 0), 0);
	CHECK_EQ(gpa, (1ull << 35) | 0x8321);

	/* XD with and without NXE */
	put(0x3020, 8, XD | 0x8000 | ALL);
	CHECK_EQ(walk(&r, va, X), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_I);
	CHECK_EQ(walk(&r, va, 0), 0);
	r.efer = 0;
	CHECK_EQ(walk(&r, va, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);
	put(0x3020, 8, 0x8000 | P);
	CHECK_EQ(walk(&r, va, X | U), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_U);		/* no I without NXE */
	CHECK_EQ(walk(&r, va, W), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_W);
}

TEST(legacy_32bit)
{
	struct gwalk_regs r = regs_32();
	struct gwalk_info info;

	/* 4 KiB: PDE 1, PTE 1 */
	reset();
	put(0x1000 + 1 * 4, 4, 0x2000 | ALL);
	put(0x2000 + 1 * 4, 4, 0x5000 | ALL);
	put(0x1000 + 1 * 4 + 4, 4, 0xffffffff);	/* the neighbour is not read */
	CHECK_EQ(gwalk_ex(&r, 0x00401234, W, &ops, NULL, &info), 0);
	CHECK_EQ(info.gpa, 0x5234);
	CHECK_EQ(info.page_size, 4096);
	CHECK_EQ(get(0x1004, 4), 0x2000 | ALL | A);
	CHECK_EQ(get(0x2004, 4), 0x5000 | ALL | A | DIRTY);
	CHECK_EQ(get(0x1008, 4), 0xffffffff);
	CHECK_EQ(misaligned, 0);

	/* supervisor writes to read-only pages depend on CR0.WP */
	put(0x2004, 4, 0x5000 | P | US);
	CHECK_EQ(walk(&r, 0x00401234, W), 0);
	r.cr0 |= CR0_WP;
	CHECK_EQ(walk(&r, 0x00401234, W), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_W);
	CHECK_EQ(walk(&r, 0x00401234, W | U), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_W | PF_U);
	put(0x2004, 4, 0x5000 | P);
	CHECK_EQ(walk(&r, 0x00401234, U), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_U);
	CHECK_EQ(walk(&r, 0x00401234, X), 0);	/* no NX in 32-bit paging */
	r.cr4 |= CR4_SMEP;
	put(0x2004, 4, 0x5000 | P | US);
	CHECK_EQ(walk(&r, 0x00401234, X), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_I);
	r = regs_32();

	/* not present */
	CHECK_EQ(walk(&r, 0x00c00000, U), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_U);

	/* 4 MiB with PSE, PSE-36 bits 39:32 in 20:13 */
	put(0x1000 + 2 * 4, 4, 0x00800000 | PS | ALL);
	CHECK_EQ(gwalk_ex(&r, 0x00812345, 0, &ops, NULL, &info), 0);
	CHECK_EQ(info.gpa, 0x00812345);
	CHECK_EQ(info.level, 2);
	CHECK_EQ(info.page_size, 4ull << 20);
	put(0x1000 + 3 * 4, 4, 0x00c00000 | (0x3 << 13) | PAT_L | PS | ALL);
	CHECK_EQ(walk(&r, 0x00c12345, 0), 0);
	CHECK_EQ(gpa, 0x300c12345ull);
	r.maxphyaddr = 33;			/* bit 14 (PA bit 33) now reserved */
	CHECK_EQ(walk(&r, 0x00c12345, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);
	r.maxphyaddr = 52;			/* capped at 40 bits: bit 21 stays reserved */
	put(0x1000 + 3 * 4, 4, 0x00c00000 | (1u << 21) | PS | ALL);
	CHECK_EQ(walk(&r, 0x00c12345, 0), GWALK_PAGE_FAULT);
	CHECK_EQ(ec, PF_P | PF_R);

	/* without CR4.PSE bit 7 is ignored: the PDE points to a page table */
	r = regs_32();
	r.cr4 = 0;
	put(0x1000 + 2 * 4, 4, 0x3000 | PS | ALL);
	put(0x3000 + 0x12 * 4, 4, 0x7000 | ALL);
	CHECK_EQ(gwalk_ex(&r, 0x00812345, 0, &ops, NULL, &info), 0);
	CHECK_EQ(info.gpa, 0x7345);
	CHECK_EQ(info.level, 1);
}

TEST(errors_and_ad_races)
{
	struct gwalk_regs r = regs_4l();
	u64 g2 = 1;
	u32 e2 = 1;

	/* LA57 and inconsistent registers */
	r.cr4 |= CR4_LA57;
	CHECK_EQ(walk(&r, 0, 0), -EOPNOTSUPP);
	r = regs_4l();
	r.cr4 &= ~CR4_PAE;
	CHECK_EQ(walk(&r, 0, 0), -EINVAL);
	r = regs_4l();
	r.maxphyaddr = 31;
	CHECK_EQ(walk(&r, 0, 0), -EINVAL);
	r.maxphyaddr = 53;
	CHECK_EQ(walk(&r, 0, 0), -EINVAL);
	r = regs_4l();
	CHECK_EQ(walk(&r, VA, W | X), -EINVAL);
	CHECK_EQ(walk(&r, VA, 0x100), -EINVAL);
	r.cpl = 4;
	CHECK_EQ(walk(&r, VA, 0), -EINVAL);

	/* an A/D update that raced is reported, one that fails is an error */
	r = regs_4l();
	build4(ALL, ALL, ALL, ALL);
	write_rc = -EAGAIN;
	CHECK_EQ(walk(&r, VA, 0), -EAGAIN);
	write_rc = -EIO;
	CHECK_EQ(walk(&r, VA, 0), -EFAULT);
	write_rc = 0;
	/* no write op: translation works, nothing is written */
	CHECK_EQ(gwalk(&r, VA, W, &ops_ro, NULL, &g2, &e2), 0);
	CHECK_EQ(g2, 0x9567);
	CHECK_EQ(e2, 0);
	CHECK_EQ(get(PT + 32, 8), 0x9000 | ALL);
	/* NULL outputs are allowed */
	CHECK_EQ(gwalk(&r, VA, 0, &ops, NULL, NULL, NULL), 0);
	/* a fault leaves every entry as it was */
	build4(ALL, ALL, ALL, P | US);
	CHECK_EQ(walk(&r, VA, W), GWALK_PAGE_FAULT);
	CHECK_EQ(nwrites, 0);
	CHECK_EQ(get(PML4 + 8, 8), PDPT | ALL);
}

TEST_MAIN({ "paging_off", paging_off }, { "four_level_4k", four_level_4k },
	  { "four_level_large", four_level_large }, { "four_level_faults", four_level_faults },
	  { "smep_smap_pk", smep_smap_pk }, { "pae", pae }, { "legacy_32bit", legacy_32bit },
	  { "errors_and_ad_races", errors_and_ad_races })
