// SPDX-License-Identifier: MIT
/* test_paging.c: 4-level page-table building (arch/x86/paging.c) on fake memory. */
#include "test.h"

#include <tv/errno.h>
#include <x86/paging.h>

#define K4 0x1000ull
#define M2 0x200000ull
#define G1 0x40000000ull

/* ---- fake physical memory: table pages at PA_BASE + i * 4 KiB ------------- */

#define PA_BASE 0x7a000000ull
#define NPAGES 64

struct fake {
	u64 (*pages)[512];
	unsigned used;          /* pages handed out (page 0 is the root) */
	int fail_after;         /* alloc_table fails once this many succeeded; -1 never */
	int allocs;
	int bad_p2v;            /* p2v of something that is not a table page */
};

static u64 fake_alloc(void *ctx)
{
	struct fake *f = ctx;

	if (f->fail_after >= 0 && f->allocs >= f->fail_after)
		return 0;
	if (f->used == NPAGES)
		return 0;
	f->allocs++;
	memset(f->pages[f->used], 0, 4096);
	return PA_BASE + (u64)f->used++ * K4;
}

static void *fake_p2v(void *ctx, u64 pa)
{
	struct fake *f = ctx;

	if (pa < PA_BASE || (pa - PA_BASE) % K4 || (pa - PA_BASE) / K4 >= f->used) {
		f->bad_p2v++;
		return f->pages[NPAGES]; /* a spare page, so the code under test does not crash */
	}
	return f->pages[(pa - PA_BASE) / K4];
}

static struct fake fk;
static struct pt_ops ops;
static u64 root;

static void reset(unsigned max_level, u64 table_flags)
{
	free(fk.pages);
	memset(&fk, 0, sizeof(fk));
	fk.pages = aligned_alloc(4096, (NPAGES + 1) * 4096);
	memset(fk.pages, 0, (NPAGES + 1) * 4096);
	fk.fail_after = -1;
	root = fake_alloc(&fk);
	fk.allocs = 0;
	ops = (struct pt_ops){ .alloc_table = fake_alloc, .p2v = fake_p2v, .ctx = &fk,
			       .table_flags = table_flags, .max_level = max_level };
}

/* The level of the leaf for va, 0 if unmapped; *pte gets the entry. */
static unsigned leaf(u64 va, u64 *pte)
{
	unsigned level = 99;
	u64 *e = pt_lookup(&ops, root, va, &level);

	if (!e)
		return 0;
	if (pte)
		*pte = *e;
	return level;
}

/* Where va translates to through the tables, or ~0 when unmapped. */
static u64 translate(u64 va)
{
	u64 e;
	unsigned l = leaf(va, &e);
	u64 mask;

	if (!l)
		return ~0ull;
	mask = (1ull << (12 + 9 * (l - 1))) - 1;
	return (e & PTE_ADDR_MASK & ~mask) | (va & mask);
}

/* Present entries in every table page: a count of what was written. */
static unsigned present_entries(void)
{
	unsigned n = 0;

	for (unsigned p = 0; p < fk.used; p++)
		for (unsigned i = 0; i < 512; i++)
			n += (fk.pages[p][i] & PTE_P) != 0;
	return n;
}

/* Walk the tree: table entries must be exactly addr | tflags; count them. */
static int walk_tables(u64 table_pa, unsigned level, u64 tflags, unsigned *tables)
{
	const u64 *t = fake_p2v(&fk, table_pa);
	int bad = 0;

	for (unsigned i = 0; i < 512; i++) {
		u64 x = t[i], pa = x & PTE_ADDR_MASK;

		if (!(x & PTE_P) || level == 1 || (x & PTE_PS))
			continue;
		(*tables)++;
		if (x != (pa | tflags) || pa < PA_BASE || pa >= PA_BASE + fk.used * K4)
			bad++;
		else
			bad += walk_tables(pa, level - 1, tflags, tables);
	}
	return bad;
}

#define LEAF (PTE_P | PTE_W)
#define TBL (PTE_P | PTE_W | PTE_U)

TEST(one_gig_page)
{
	u64 e;

	reset(PT_LEVEL_1G, TBL);
	CHECK_EQ(pt_map(&ops, root, 0xffff800000000000ull, 0x80000000ull, G1, LEAF | PTE_NX), 0);
	CHECK_EQ(leaf(0xffff800000000000ull, &e), PT_LEVEL_1G);
	CHECK_EQ(e, 0x80000000ull | LEAF | PTE_NX | PTE_PS);
	CHECK_EQ(leaf(0xffff80003fffffffull, &e), PT_LEVEL_1G);
	CHECK_EQ(translate(0xffff800012345678ull), 0x92345678ull);
	CHECK_EQ(leaf(0xffff800040000000ull, NULL), 0);
	CHECK_EQ(leaf(0xffff7fffffffffffull, NULL), 0);
	/* One new table (the PDPT); its PML4 entry carries table_flags. */
	CHECK_EQ(fk.allocs, 1);
	CHECK_EQ(fk.pages[0][256], (PA_BASE + K4) | TBL);
	CHECK_EQ(present_entries(), 2);
	CHECK_EQ(fk.bad_p2v, 0);
}

TEST(max_level_limits_page_size)
{
	u64 e;

	/* The same 1 GiB-aligned range with 2 MiB pages at most. */
	reset(PT_LEVEL_2M, PTE_P | PTE_W);
	CHECK_EQ(pt_map(&ops, root, G1, 2 * G1, G1, LEAF), 0);
	CHECK_EQ(fk.allocs, 2); /* PDPT + PD */
	CHECK_EQ(present_entries(), 1 + 1 + 512);
	for (u64 va = G1; va < 2 * G1; va += M2) {
		CHECK_EQ(leaf(va, &e), PT_LEVEL_2M);
		CHECK_EQ(e, (2 * G1 + (va - G1)) | LEAF | PTE_PS);
	}
	CHECK_EQ(fk.pages[1][1], (PA_BASE + 2 * K4) | PTE_P | PTE_W);

	/* ...and with 4 KiB pages only. */
	reset(PT_LEVEL_4K, TBL);
	CHECK_EQ(pt_map(&ops, root, 0x400000, 0x10000000, 2 * M2, LEAF), 0);
	CHECK_EQ(fk.allocs, 2 + 2); /* PDPT, PD, two PTs */
	CHECK_EQ(present_entries(), 1 + 1 + 2 + 1024);
	for (u64 va = 0x400000; va < 0x800000; va += K4) {
		CHECK_EQ(leaf(va, &e), PT_LEVEL_4K);
		CHECK_EQ(e, (0x10000000 + va - 0x400000) | LEAF);
	}
	CHECK_EQ(leaf(0x3ff000, NULL), 0);
	CHECK_EQ(leaf(0x800000, NULL), 0);
	CHECK_EQ(fk.bad_p2v, 0);
}

TEST(mixed_sizes_by_alignment)
{
	u64 e;
	const u64 va = G1 - M2 - K4, pa = 0x100000000ull - M2 - K4;
	const u64 size = K4 + M2 + G1 + M2 + K4;

	reset(PT_LEVEL_1G, TBL);
	CHECK_EQ(pt_map(&ops, root, va, pa, size, LEAF), 0);
	/* 4K up to the 2M boundary, 2M up to the 1G boundary, 1G, 2M, 4K. */
	CHECK_EQ(leaf(va, &e), PT_LEVEL_4K);
	CHECK_EQ(e, pa | LEAF);
	CHECK_EQ(leaf(va + K4, &e), PT_LEVEL_2M);
	CHECK_EQ(e, (pa + K4) | LEAF | PTE_PS);
	CHECK_EQ(leaf(G1, &e), PT_LEVEL_1G);
	CHECK_EQ(e, 0x100000000ull | LEAF | PTE_PS);
	CHECK_EQ(leaf(2 * G1, &e), PT_LEVEL_2M);
	CHECK_EQ(leaf(2 * G1 + M2, &e), PT_LEVEL_4K);
	CHECK_EQ(e, (0x100000000ull + G1 + M2) | LEAF);
	CHECK_EQ(leaf(2 * G1 + M2 + K4, NULL), 0);
	CHECK_EQ(leaf(va - K4, NULL), 0);
	/* Translation is linear over the whole range. */
	for (u64 off = 0; off < size; off += 0x7ff000)
		CHECK_EQ(translate(va + off), pa + off);
	CHECK_EQ(translate(va + size - 1), pa + size - 1);
	CHECK_EQ(fk.bad_p2v, 0);
}

TEST(alignment_fallback)
{
	u64 e;

	/* va 2M-aligned, pa only 4K-aligned: 4K pages throughout. */
	reset(PT_LEVEL_1G, TBL);
	CHECK_EQ(pt_map(&ops, root, 0x200000, 0x301000, M2, LEAF), 0);
	for (u64 off = 0; off < M2; off += K4) {
		CHECK_EQ(leaf(0x200000 + off, &e), PT_LEVEL_4K);
		CHECK_EQ(e & PTE_ADDR_MASK, 0x301000 + off);
	}
	/* pa 1G-aligned, va only 2M-aligned: 2M pages, no 1G. */
	reset(PT_LEVEL_1G, TBL);
	CHECK_EQ(pt_map(&ops, root, G1 + M2, G1, G1, LEAF), 0);
	CHECK_EQ(leaf(G1 + M2, NULL), PT_LEVEL_2M);
	CHECK_EQ(leaf(2 * G1, NULL), PT_LEVEL_2M);
	CHECK_EQ(leaf(2 * G1 + M2 - K4, NULL), PT_LEVEL_2M);
	CHECK_EQ(translate(2 * G1 + 0x1234), G1 + G1 - M2 + 0x1234);
	/* Aligned but shorter than a large page: small pages. */
	reset(PT_LEVEL_1G, TBL);
	CHECK_EQ(pt_map(&ops, root, G1, G1, G1 - K4, LEAF), 0);
	CHECK_EQ(leaf(G1, NULL), PT_LEVEL_2M);
	CHECK_EQ(leaf(2 * G1 - M2, NULL), PT_LEVEL_4K);
	CHECK_EQ(leaf(2 * G1 - 2 * K4, NULL), PT_LEVEL_4K);
	CHECK_EQ(leaf(2 * G1 - K4, NULL), 0);
	CHECK_EQ(fk.bad_p2v, 0);
}

TEST(flags)
{
	u64 e;
	const u64 f = PTE_P | PTE_CACHE_UC | PTE_G | PTE_NX;

	reset(PT_LEVEL_2M, PTE_P | PTE_W | PTE_U);
	CHECK_EQ(pt_map(&ops, root, 0xfee00000ull, 0xfee00000ull, K4, f), 0);
	CHECK_EQ(pt_map(&ops, root, 0xc0000000ull, 0xc0000000ull, M2, PTE_P | PTE_CACHE_WC), 0);
	CHECK_EQ(leaf(0xfee00000ull, &e), PT_LEVEL_4K);
	CHECK_EQ(e, 0xfee00000ull | f);
	CHECK_EQ(leaf(0xc0000000ull, &e), PT_LEVEL_2M);
	CHECK_EQ(e, 0xc0000000ull | PTE_P | PTE_PWT | PTE_PS);
	/* Every non-leaf entry has exactly table_flags plus a table address. */
	unsigned tables = 0;
	int bad = walk_tables(root, 4, PTE_P | PTE_W | PTE_U, &tables);

	CHECK_EQ(tables, fk.used - 1); /* every allocated table is linked once */
	CHECK_EQ(bad, 0);
	CHECK_EQ(fk.bad_p2v, 0);
}

TEST(eexist)
{
	reset(PT_LEVEL_1G, TBL);
	/* 4K over 4K. */
	CHECK_EQ(pt_map(&ops, root, 0x1000, 0x1000, K4, LEAF), 0);
	CHECK_EQ(pt_map(&ops, root, 0x1000, 0x5000, K4, LEAF), -EEXIST);
	CHECK_EQ(translate(0x1000), 0x1000); /* not replaced */
	/* 2M over a table that holds that 4K page. */
	CHECK_EQ(pt_map(&ops, root, 0, 0, M2, LEAF), -EEXIST);
	CHECK_EQ(leaf(0, NULL), 0);
	/* A 4K page inside an existing 2M page. */
	CHECK_EQ(pt_map(&ops, root, M2, M2, M2, LEAF), 0);
	CHECK_EQ(pt_map(&ops, root, M2 + 0x5000, 0x5000, K4, LEAF), -EEXIST);
	CHECK_EQ(pt_map(&ops, root, M2, M2, M2, LEAF), -EEXIST);
	CHECK_EQ(leaf(M2 + 0x5000, NULL), PT_LEVEL_2M);
	CHECK_EQ(translate(M2 + 0x5000), M2 + 0x5000);
	/* A 2M page inside an existing 1G page, and 1G over a table. */
	CHECK_EQ(pt_map(&ops, root, 4 * G1, 4 * G1, G1, LEAF), 0);
	CHECK_EQ(pt_map(&ops, root, 4 * G1 + M2, 0, M2, LEAF), -EEXIST);
	CHECK_EQ(pt_map(&ops, root, 4 * G1 + 0x3000, 0, K4, LEAF), -EEXIST);
	CHECK_EQ(pt_map(&ops, root, 0, 0, G1, LEAF), -EEXIST);
	CHECK_EQ(leaf(4 * G1 + M2, NULL), PT_LEVEL_1G);
	/* A range whose tail runs into a mapped page: refused at that page. */
	CHECK_EQ(pt_map(&ops, root, 0x10000000, 0x10000000, M2, LEAF), 0);
	CHECK_EQ(pt_map(&ops, root, 0x10000000 - 2 * K4, 0, 3 * K4, LEAF), -EEXIST);
	CHECK_EQ(fk.bad_p2v, 0);
}

TEST(einval)
{
	unsigned before;

	reset(PT_LEVEL_1G, TBL);
	before = present_entries();
	CHECK_EQ(pt_map(&ops, root, 0x1001, 0x1000, K4, LEAF), -EINVAL);
	CHECK_EQ(pt_map(&ops, root, 0x1000, 0x1800, K4, LEAF), -EINVAL);
	CHECK_EQ(pt_map(&ops, root, 0x1000, 0x1000, 0x800, LEAF), -EINVAL);
	CHECK_EQ(pt_map(&ops, root, 0x1000, 0x1000, K4 + 1, LEAF), -EINVAL);
	CHECK_EQ(pt_map(&ops, root, G1 + 8, G1, G1, LEAF), -EINVAL);
	CHECK_EQ(present_entries(), before);
	CHECK_EQ(fk.allocs, 0);
	/* An empty range maps nothing and succeeds. */
	CHECK_EQ(pt_map(&ops, root, 0x1000, 0x1000, 0, LEAF), 0);
	CHECK_EQ(present_entries(), before);
	CHECK_EQ(fk.allocs, 0);
}

TEST(enomem)
{
	/* No table at all can be had. */
	reset(PT_LEVEL_1G, TBL);
	fk.fail_after = 0;
	CHECK_EQ(pt_map(&ops, root, 0x1000, 0x1000, K4, LEAF), -ENOMEM);
	CHECK_EQ(present_entries(), 0);

	/* PDPT and PD succeed, the PT does not. */
	reset(PT_LEVEL_1G, TBL);
	fk.fail_after = 2;
	CHECK_EQ(pt_map(&ops, root, 0x1000, 0x1000, K4, LEAF), -ENOMEM);
	CHECK_EQ(leaf(0x1000, NULL), 0);

	/*
	 * Midway: 4 MiB of 4K pages need two PTs; the second cannot be had.
	 * The first 2 MiB stay mapped (pt_map does not roll back).
	 */
	reset(PT_LEVEL_4K, TBL);
	fk.fail_after = 3;
	CHECK_EQ(pt_map(&ops, root, 0, 0x40000000, 2 * M2, LEAF), -ENOMEM);
	CHECK_EQ(leaf(0, NULL), PT_LEVEL_4K);
	CHECK_EQ(leaf(M2 - K4, NULL), PT_LEVEL_4K);
	CHECK_EQ(leaf(M2, NULL), 0);
	/* With memory again, the rest can be mapped; the first half is taken. */
	fk.fail_after = -1;
	CHECK_EQ(pt_map(&ops, root, M2, 0x40000000 + M2, M2, LEAF), 0);
	CHECK_EQ(pt_map(&ops, root, 0, 0x40000000, M2, LEAF), -EEXIST);
	CHECK_EQ(translate(2 * M2 - 1), 0x40000000 + 2 * M2 - 1);
	CHECK_EQ(fk.bad_p2v, 0);
}

TEST(lookup_unmapped)
{
	unsigned level = 77;

	reset(PT_LEVEL_2M, TBL);
	CHECK(pt_lookup(&ops, root, 0, &level) == NULL);
	CHECK(pt_lookup(&ops, root, 0xffffffff80000000ull, &level) == NULL);
	CHECK_EQ(level, 77); /* untouched when nothing is found */
	CHECK_EQ(pt_map(&ops, root, 0xffffffff80200000ull, 0x200000, K4, LEAF), 0);
	/* Same PT, neighbouring entry; same PD, other PT; other PML4 slot. */
	CHECK(pt_lookup(&ops, root, 0xffffffff80201000ull, &level) == NULL);
	CHECK(pt_lookup(&ops, root, 0xffffffff80400000ull, &level) == NULL);
	CHECK(pt_lookup(&ops, root, 0xffffffff40200000ull, &level) == NULL);
	CHECK(pt_lookup(&ops, root, 0x00007fff80200000ull, &level) == NULL);
	CHECK(pt_lookup(&ops, root, 0xffffffff80200fffull, &level) != NULL);
	CHECK_EQ(level, PT_LEVEL_4K);
	CHECK_EQ(fk.bad_p2v, 0);
}

TEST(many_ranges_random)
{
	/* Random aligned ranges in a 4 GiB window; never overlapping. */
	static u8 mapped[2048]; /* per 2 MiB slot */
	u64 seed = 1234567;
	int ok = 0, exist = 0, wrong = 0;

	reset(PT_LEVEL_1G, TBL);
	memset(mapped, 0, sizeof(mapped));
	for (int i = 0; i < 300; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		u64 slot = (seed >> 33) % 2048;               /* a 2M slot in 4 GiB */
		u64 n = 1 + (seed >> 20) % 3;                 /* 1..3 slots */
		u64 va = slot * M2, pa = 0x1000000000ull + va;
		bool clash = false;

		if (slot + n > 2048)
			continue;
		for (u64 s = slot; s < slot + n; s++)
			clash |= mapped[s];
		int r = pt_map(&ops, root, va, pa, n * M2, LEAF);

		if (clash) {
			exist += r == -EEXIST;
			wrong += r != -EEXIST;
			/* No rollback: the slots before the clash did get mapped. */
			for (u64 s = slot; s < slot + n && !mapped[s]; s++)
				mapped[s] = 1;
			continue;
		}
		if (r == -ENOMEM)
			break;
		wrong += r != 0;
		ok++;
		for (u64 s = slot; s < slot + n; s++)
			mapped[s] = 1;
	}
	for (u64 s = 0; s < 2048; s++) {
		u64 t = translate(s * M2 + 0x1234);

		if (mapped[s] ? t != 0x1000000000ull + s * M2 + 0x1234 : t != ~0ull)
			wrong++;
	}
	CHECK_EQ(wrong, 0);
	CHECK(ok > 50);
	CHECK(exist > 5);
	CHECK_EQ(fk.bad_p2v, 0);
}

/* One 4 KiB entry under a 2 MiB page: the split keeps every other translation. */
TEST(entry_4k_splits)
{
	const u64 flags = LEAF | PTE_U | PTE_NX;
	u64 *e, v;

	reset(PT_LEVEL_2M, TBL);
	CHECK_EQ(pt_map(&ops, root, 0x400000, 0x10000000, 2 * M2, flags), 0);
	CHECK_EQ(fk.allocs, 2);
	e = pt_entry_4k(&ops, root, 0x5ff000);
	CHECK(e != NULL);
	CHECK_EQ(fk.allocs, 3);                  /* one PT for the split 2 MiB */
	CHECK_EQ(*e, (0x10000000 + 0x1ff000) | flags);
	*e = 0x7777000 | PTE_P | PTE_U;          /* now read-only, another frame */
	CHECK_EQ(translate(0x5ff123), 0x7777123);
	for (u64 va = 0x400000; va < 0x5ff000; va += K4) {
		CHECK_EQ(leaf(va, &v), PT_LEVEL_4K);
		CHECK_EQ(v, (0x10000000 + va - 0x400000) | flags);
	}
	CHECK_EQ(leaf(0x600000, &v), PT_LEVEL_2M);  /* the other 2 MiB stays large */
	CHECK_EQ(v, 0x10200000 | flags | PTE_PS);
	/* Again in the split page: no new table. */
	CHECK(pt_entry_4k(&ops, root, 0x400000) != NULL);
	CHECK_EQ(fk.allocs, 3);
	/* Nothing mapped yet: tables are made, the entry is empty. */
	e = pt_entry_4k(&ops, root, 0x80000000ull);
	CHECK(e != NULL && *e == 0);
	CHECK_EQ(fk.allocs, 5);                  /* PD and PT */
	/* Out of tables: NULL, and the large page is left whole. */
	fk.fail_after = fk.allocs;
	CHECK(pt_entry_4k(&ops, root, 0x600000) == NULL);
	CHECK_EQ(leaf(0x600000, NULL), PT_LEVEL_2M);
	CHECK_EQ(fk.bad_p2v, 0);
}

TEST_MAIN({ "one_gig_page", one_gig_page },
	  { "entry_4k_splits", entry_4k_splits },
	  { "max_level_limits_page_size", max_level_limits_page_size },
	  { "mixed_sizes_by_alignment", mixed_sizes_by_alignment },
	  { "alignment_fallback", alignment_fallback },
	  { "flags", flags },
	  { "eexist", eexist },
	  { "einval", einval },
	  { "enomem", enomem },
	  { "lookup_unmapped", lookup_unmapped },
	  { "many_ranges_random", many_ranges_random })
