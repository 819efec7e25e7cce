// SPDX-License-Identifier: MIT
/* test_memmap.c: bi_memmap_normalize and friends (lib/memmap.c). */
#include "test.h"

#include <tv/bootinfo.h>

#define U BI_MEM_USABLE
#define AR BI_MEM_ACPI_RECLAIM
#define AN BI_MEM_ACPI_NVS
#define RT BI_MEM_RUNTIME
#define PM BI_MEM_PERSISTENT
#define RS BI_MEM_RESERVED
#define MM BI_MEM_MMIO
#define UN BI_MEM_UNUSABLE

#define KB 1024ull
#define MB (1024ull * KB)
#define GB (1024ull * MB)

struct reg3 {
	u64 base, size;
	u32 type;
};

/* Normalize in[0..n) in an array of cap entries and compare with want. */
static void expect_map(int line, const struct reg3 *in, size_t n, size_t cap,
		       const struct reg3 *want, size_t nwant)
{
	struct bi_mem_region *r = calloc(cap > n ? cap : n, sizeof(*r));
	size_t got;
	bool same;

	for (size_t i = 0; i < n; i++) {
		r[i].base = in[i].base;
		r[i].size = in[i].size;
		r[i].type = in[i].type;
	}
	got = bi_memmap_normalize(r, n, cap);
	same = got == nwant;
	for (size_t i = 0; same && i < got; i++)
		same = r[i].base == want[i].base && r[i].size == want[i].size &&
		       r[i].type == want[i].type;
	test_checks++;
	if (!same) {
		test_failures++;
		fprintf(stderr, "test_memmap.c:%d: [%s] map differs; got %zu:\n", line, test_current,
			got);
		for (size_t i = 0; i < got; i++)
			fprintf(stderr, "  %#llx +%#llx %u\n", (unsigned long long)r[i].base,
				(unsigned long long)r[i].size, r[i].type);
		fprintf(stderr, " want %zu:\n", nwant);
		for (size_t i = 0; i < nwant; i++)
			fprintf(stderr, "  %#llx +%#llx %u\n", (unsigned long long)want[i].base,
				(unsigned long long)want[i].size, want[i].type);
	}
	free(r);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define EXPECT(in, cap, want) expect_map(__LINE__, in, N(in), cap, want, N(want))
#define EXPECT_EMPTY(in, cap) expect_map(__LINE__, in, N(in), cap, NULL, 0)

TEST(empty_and_trivial)
{
	struct bi_mem_region r[1];
	static const struct reg3 one[] = { { 1 * MB, 4 * MB, U } };
	static const struct reg3 one_rs[] = { { 0x1234, 0x10, RS } };

	CHECK_EQ(bi_memmap_normalize(r, 0, 1), 0);
	CHECK_EQ(bi_memmap_normalize(NULL, 0, 0), 0);
	EXPECT(one, 1, one);
	/* Non-usable ranges keep their exact byte bounds. */
	EXPECT(one_rs, 1, one_rs);
}

TEST(sorting)
{
	static const struct reg3 in[] = {
		{ 8 * MB, 1 * MB, RS }, { 0, 64 * KB, U }, { 4 * GB, 1 * GB, U },
		{ 1 * MB, 1 * MB, AR }, { 3 * MB, 1 * MB, U }, { 16 * MB, 4 * KB, MM },
	};
	static const struct reg3 want[] = {
		{ 0, 64 * KB, U }, { 1 * MB, 1 * MB, AR }, { 3 * MB, 1 * MB, U },
		{ 8 * MB, 1 * MB, RS }, { 16 * MB, 4 * KB, MM }, { 4 * GB, 1 * GB, U },
	};

	EXPECT(in, N(in), want);
}

TEST(drop_empty_and_invalid)
{
	static const struct reg3 in[] = {
		{ 1 * MB, 0, RS },      { 2 * MB, 1 * MB, 0 },      { 3 * MB, 1 * MB, BI_MEM_NTYPES },
		{ 4 * MB, 1 * MB, 100 }, { 5 * MB, 1 * MB, 0xffffffffu }, { 6 * MB, 1 * MB, U },
		{ 7 * MB, 0, U },
	};
	static const struct reg3 want[] = { { 6 * MB, 1 * MB, U } };
	/* Invalid types are dropped, not allowed to cover usable memory. */
	static const struct reg3 bad_over_usable[] = { { 0, 8 * MB, U }, { 2 * MB, 1 * MB, 9 } };
	static const struct reg3 want2[] = { { 0, 8 * MB, U } };

	EXPECT(in, N(in), want);
	EXPECT(bad_over_usable, 4, want2);
}

TEST(usable_shrunk_to_pages)
{
	static const struct reg3 in[] = {
		{ 0x1001, 0x3000, U },    /* -> [0x2000, 0x4000) */
		{ 0x10000, 0xfff, U },    /* less than a page: gone */
		{ 0x20800, 0x1000, U },   /* straddles two pages: gone */
		{ 0x30000, 0x1fff, U },   /* -> [0x30000, 0x31000) */
		{ 0x40001, 0x10, RS },    /* reserved bytes are kept exactly */
	};
	static const struct reg3 want[] = {
		{ 0x2000, 0x2000, U }, { 0x30000, 0x1000, U }, { 0x40001, 0x10, RS },
	};

	EXPECT(in, N(in), want);
}

TEST(merge_adjacent_same_type)
{
	static const struct reg3 in[] = {
		{ 0x3000, 0x1000, U }, { 0x1000, 0x1000, U }, { 0x2000, 0x1000, U },
		{ 0x5000, 0x1000, U }, /* a gap before it: stays separate */
		{ 0x6000, 0x1000, RS }, { 0x7000, 0x800, RS }, /* merged */
		{ 0x7800, 0x800, AN }, /* adjacent, other type: separate */
	};
	static const struct reg3 want[] = {
		{ 0x1000, 0x3000, U }, { 0x5000, 0x1000, U }, { 0x6000, 0x1800, RS },
		{ 0x7800, 0x800, AN },
	};

	EXPECT(in, N(in), want);
}

TEST(merge_before_page_shrink)
{
	/*
	 * Two usable pieces that are each smaller than a page but together
	 * fill whole pages (e820 maps need not be page-aligned).
	 */
	static const struct reg3 in[] = { { 0x1000, 0x800, U }, { 0x1800, 0x1800, U } };
	static const struct reg3 want[] = { { 0x1000, 0x2000, U } };

	EXPECT(in, N(in), want);
}

TEST(overlap_same_type)
{
	static const struct reg3 in[] = {
		{ 0, 8 * MB, U }, { 4 * MB, 8 * MB, U }, { 1 * MB, 1 * MB, U }, /* contained */
		{ 20 * MB, 1 * MB, RS }, { 20 * MB, 1 * MB, RS },              /* identical */
	};
	static const struct reg3 want[] = { { 0, 12 * MB, U }, { 20 * MB, 1 * MB, RS } };

	EXPECT(in, N(in), want);
}

TEST(overlap_contained)
{
	/* Restrictive range inside a usable one: the usable one is split in two. */
	static const struct reg3 in[] = { { 0, 16 * MB, U }, { 4 * MB, 4 * MB, RS } };
	static const struct reg3 want[] = {
		{ 0, 4 * MB, U }, { 4 * MB, 4 * MB, RS }, { 8 * MB, 8 * MB, U },
	};
	/* Usable range inside a restrictive one: it disappears. */
	static const struct reg3 in2[] = { { 0, 16 * MB, RT }, { 4 * MB, 4 * MB, U } };
	static const struct reg3 want2[] = { { 0, 16 * MB, RT } };
	/* Same, restrictive one given second and starting at the same base. */
	static const struct reg3 in3[] = { { 4 * MB, 4 * MB, U }, { 4 * MB, 16 * MB, AN } };
	static const struct reg3 want3[] = { { 4 * MB, 16 * MB, AN } };
	/* Contained at the start / at the end of the bigger range. */
	static const struct reg3 in4[] = { { 0, 16 * MB, U }, { 0, 4 * MB, RS },
					   { 12 * MB, 4 * MB, MM } };
	static const struct reg3 want4[] = {
		{ 0, 4 * MB, RS }, { 4 * MB, 8 * MB, U }, { 12 * MB, 4 * MB, MM },
	};

	EXPECT(in, 3, want);
	EXPECT(in2, 2, want2);
	EXPECT(in3, 2, want3);
	EXPECT(in4, 4, want4);
}

TEST(overlap_partial)
{
	/* Restrictive range overlapping the right end of a usable one. */
	static const struct reg3 right[] = { { 0, 8 * MB, U }, { 6 * MB, 4 * MB, RS } };
	static const struct reg3 right_w[] = { { 0, 6 * MB, U }, { 6 * MB, 4 * MB, RS } };
	/* ... and the left end. */
	static const struct reg3 left[] = { { 4 * MB, 8 * MB, U }, { 2 * MB, 4 * MB, RS } };
	static const struct reg3 left_w[] = { { 2 * MB, 4 * MB, RS }, { 6 * MB, 6 * MB, U } };
	/* Two non-usable types: the larger enum value wins where they overlap. */
	static const struct reg3 two[] = { { 0, 8 * MB, AR }, { 4 * MB, 8 * MB, AN } };
	static const struct reg3 two_w[] = { { 0, 4 * MB, AR }, { 4 * MB, 8 * MB, AN } };
	static const struct reg3 two_r[] = { { 0, 8 * MB, UN }, { 4 * MB, 8 * MB, PM } };
	static const struct reg3 two_rw[] = { { 0, 8 * MB, UN }, { 8 * MB, 4 * MB, PM } };
	/* Sub-page overlap: the partly reserved page is not usable. */
	static const struct reg3 sub[] = { { 0, 0x10000, U }, { 0x3800, 0x100, RS } };
	static const struct reg3 sub_w[] = {
		{ 0, 0x3000, U }, { 0x3800, 0x100, RS }, { 0x4000, 0xc000, U },
	};

	EXPECT(right, 2, right_w);
	EXPECT(left, 2, left_w);
	EXPECT(two, 2, two_w);
	EXPECT(two_r, 2, two_rw);
	EXPECT(sub, 3, sub_w);
}

TEST(identical_ranges_restrictive_wins)
{
	for (u32 a = U; a < BI_MEM_NTYPES; a++) {
		for (u32 b = U; b < BI_MEM_NTYPES; b++) {
			struct reg3 in[2] = { { 1 * MB, 1 * MB, a }, { 1 * MB, 1 * MB, b } };
			struct reg3 want[1] = { { 1 * MB, 1 * MB, a > b ? a : b } };

			/* No spare room needed for this. */
			expect_map(__LINE__, in, 2, 2, want, 1);
		}
	}
}

TEST(many_holes_in_usable)
{
	struct reg3 in[9], want[17];
	size_t n = 0, w = 0;

	in[n++] = (struct reg3){ 0, 64 * MB, U };
	for (int i = 0; i < 8; i++)
		in[n++] = (struct reg3){ (u64)(4 + 8 * i) * MB, 1 * MB, (u32)(AR + i % 7) };
	for (int i = 0; i < 8; i++) {
		want[w++] = (struct reg3){ (i ? (u64)(5 + 8 * (i - 1)) * MB : 0),
					   (i ? 7 * MB : 4 * MB), U };
		want[w++] = (struct reg3){ (u64)(4 + 8 * i) * MB, 1 * MB, (u32)(AR + i % 7) };
	}
	want[w++] = (struct reg3){ 61 * MB, 3 * MB, U };
	expect_map(__LINE__, in, n, 17, want, w);
	expect_map(__LINE__, in, n, 64, want, w);
}

TEST(cap_exhausted)
{
	/* Splitting needs a third entry; with none, the usable tail is dropped. */
	static const struct reg3 in[] = { { 0, 16 * MB, U }, { 4 * MB, 4 * MB, RS } };
	static const struct reg3 want[] = { { 0, 4 * MB, U }, { 4 * MB, 4 * MB, RS } };
	/* Never the other way round: the reserved piece survives in any case. */
	static const struct reg3 in2[] = {
		{ 0, 64 * MB, U }, { 4 * MB, 1 * MB, RS }, { 8 * MB, 1 * MB, MM },
		{ 12 * MB, 1 * MB, AN },
	};
	static const struct reg3 want2[] = {
		{ 0, 4 * MB, U }, { 4 * MB, 1 * MB, RS }, { 8 * MB, 1 * MB, MM },
		{ 12 * MB, 1 * MB, AN },
	};
	/*
	 * A split of a non-usable range without room: the more restrictive
	 * range swallows the tail (dropping it could uncover usable memory).
	 */
	static const struct reg3 in3[] = { { 0, 16 * MB, AR }, { 4 * MB, 4 * MB, UN } };
	static const struct reg3 want3[] = { { 0, 4 * MB, AR }, { 4 * MB, 12 * MB, UN } };
	/* The case that matters: a usable range hidden inside the dropped tail. */
	static const struct reg3 in5[] = {
		{ 0, 16 * MB, AN }, { 4 * MB, 1 * MB, MM }, { 8 * MB, 2 * MB, U },
	};
	static const struct reg3 want5[] = { { 0, 4 * MB, AN }, { 4 * MB, 12 * MB, MM } };
	static const struct reg3 want5_room[] = {
		{ 0, 4 * MB, AN }, { 4 * MB, 1 * MB, MM }, { 5 * MB, 11 * MB, AN },
	};
	/* A cut that leaves nothing before b needs no extra room. */
	static const struct reg3 in6[] = { { 0, 16 * MB, U }, { 0, 4 * MB, RS } };
	static const struct reg3 want6[] = { { 0, 4 * MB, RS }, { 4 * MB, 12 * MB, U } };
	/* n > cap: only the first cap entries are looked at. */
	static const struct reg3 in4[] = { { 0, 4 * MB, U }, { 8 * MB, 4 * MB, U } };
	static const struct reg3 want4[] = { { 0, 4 * MB, U } };

	EXPECT(in, 2, want);
	EXPECT(in2, 4, want2);
	EXPECT(in3, 2, want3);
	expect_map(__LINE__, in4, 2, 1, want4, 1);
	EXPECT(in5, 3, want5);
	EXPECT(in5, 4, want5_room);
	EXPECT(in6, 2, want6);
}

TEST(wrap_around_clamped)
{
	const u64 top = 0ull - 4096; /* the last page is never described */
	/* Wrapping ranges are clamped instead of becoming tiny. */
	struct reg3 in[] = {
		{ 0xfffffffffff00000ull, 0x200000, RS },
		{ 1 * MB, ~0ull, U },
	};
	/*
	 * The usable range is cut at the reserved one; nothing may end past
	 * the top of the address space (base + size must not overflow).
	 */
	struct reg3 want[] = {
		{ 1 * MB, 0xfffffffffff00000ull - 1 * MB, U },
		{ 0xfffffffffff00000ull, top - 0xfffffffffff00000ull, RS },
	};
	/* A usable range inside a reserved one at the top must disappear. */
	struct reg3 in2[] = {
		{ 0xffffffff00000000ull, 0x100000000ull, RS },
		{ 0xffffffff80000000ull, 0x10000, U },
	};
	struct reg3 want2[] = { { 0xffffffff00000000ull, top - 0xffffffff00000000ull, RS } };
	struct reg3 in3[] = { { top, 4096, RS }, { ~0ull, 1, MM }, { 0, 8192, U } };
	struct reg3 want3[] = { { 0, 8192, U } };
	struct bi_mem_region r[4] = { { 0xfffffffffffff000ull, 0x2000, MM },
				      { 0x1000, 0x1000, U } };
	size_t n;

	EXPECT(in, 3, want);
	EXPECT(in2, 3, want2);
	EXPECT(in3, 3, want3);
	n = bi_memmap_normalize(r, 2, 4);
	for (size_t i = 0; i < n; i++)
		CHECK(r[i].base + r[i].size > r[i].base);
}

TEST(realistic_ovmf)
{
	/*
	 * An OVMF map (QEMU q35, 2 GiB + 2 GiB high) as boot/handoff.c turns
	 * it into bi types: boot services code/data and loader memory are
	 * usable; the descriptors come in firmware order, some out of order.
	 */
	static const struct reg3 in[] = {
		{ 0x0, 0xa0000, U },
		{ 0x100000, 0x700000, U },
		{ 0x800000, 0x8000, AN },
		{ 0x808000, 0x3000, U },
		{ 0x80b000, 0x1000, AN },
		{ 0x80c000, 0x4000, U },
		{ 0x810000, 0xf0000, AN },
		{ 0x900000, 0x7e3f0000, U },
		{ 0x7ecf0000, 0x20000, U },     /* boot services data */
		{ 0x7ed10000, 0x5c000, U },     /* loader code */
		{ 0x7ed6c000, 0x174000, U },    /* boot services code */
		{ 0x7eee0000, 0x100000, RT },   /* runtime data */
		{ 0x7efe0000, 0x80000, RT },    /* runtime code */
		{ 0x7f060000, 0x3000, RS },
		{ 0x7f063000, 0x8000, AR },
		{ 0x7f06b000, 0x4000, AN },
		{ 0x7f06f000, 0xf91000, U },
		{ 0x80000000, 0x0, RS },        /* zero-sized: dropped */
		{ 0xb0000000, 0x10000000, MM }, /* PCIe ECAM */
		{ 0xffc00000, 0x400000, MM },   /* flash */
		{ 0x100000000ull, 0x80000000ull, U },
		{ 0x7fc00000, 0x400000, RS },   /* out of order, overlaps usable: wins */
	};
	static const struct reg3 want[] = {
		{ 0x0, 0xa0000, U },
		{ 0x100000, 0x700000, U },
		{ 0x800000, 0x8000, AN },
		{ 0x808000, 0x3000, U },
		{ 0x80b000, 0x1000, AN },
		{ 0x80c000, 0x4000, U },
		{ 0x810000, 0xf0000, AN },
		{ 0x900000, 0x7e5e0000, U },
		{ 0x7eee0000, 0x180000, RT },
		{ 0x7f060000, 0x3000, RS },
		{ 0x7f063000, 0x8000, AR },
		{ 0x7f06b000, 0x4000, AN },
		{ 0x7f06f000, 0x7fc00000 - 0x7f06f000, U },
		{ 0x7fc00000, 0x400000, RS },
		{ 0xb0000000, 0x10000000, MM },
		{ 0xffc00000, 0x400000, MM },
		{ 0x100000000ull, 0x80000000ull, U },
	};

	EXPECT(in, 64, want);
}

TEST(realistic_e820)
{
	/* SeaBIOS on QEMU with 2 GiB + 2 GiB above 4G, in a shuffled order. */
	static const struct reg3 in[] = {
		{ 0x100000, 0x7fee0000, U },
		{ 0x9fc00, 0x400, RS },
		{ 0xfeffc000, 0x4000, RS },
		{ 0x0, 0x9fc00, U },
		{ 0xf0000, 0x10000, RS },
		{ 0x7ffe0000, 0x20000, RS },
		{ 0xb0000000, 0x10000000, RS },
		{ 0xfed1c000, 0x4000, RS },
		{ 0xfffc0000, 0x40000, RS },
		{ 0x100000000ull, 0x80000000ull, U },
		{ 0x0, 0x1000, RS },          /* some BIOSes reserve page 0 on top */
		{ 0xe0000, 0x20000, RS },     /* overlaps the 0xf0000 entry */
	};
	static const struct reg3 want[] = {
		{ 0x0, 0x1000, RS },
		{ 0x1000, 0x9e000, U },       /* 0x9f000..0x9fc00 is a partial page */
		{ 0x9fc00, 0x400, RS },
		{ 0xe0000, 0x20000, RS },
		{ 0x100000, 0x7fee0000, U },
		{ 0x7ffe0000, 0x20000, RS },
		{ 0xb0000000, 0x10000000, RS },
		{ 0xfed1c000, 0x4000, RS },
		{ 0xfeffc000, 0x4000, RS },
		{ 0xfffc0000, 0x40000, RS },
		{ 0x100000000ull, 0x80000000ull, U },
	};

	EXPECT(in, 32, want);
}

TEST(type_names)
{
	CHECK_STR(bi_mem_type_name(BI_MEM_USABLE), "usable");
	CHECK_STR(bi_mem_type_name(BI_MEM_ACPI_RECLAIM), "ACPI");
	CHECK_STR(bi_mem_type_name(BI_MEM_ACPI_NVS), "ACPI NVS");
	CHECK_STR(bi_mem_type_name(BI_MEM_RUNTIME), "UEFI runtime");
	CHECK_STR(bi_mem_type_name(BI_MEM_PERSISTENT), "persistent");
	CHECK_STR(bi_mem_type_name(BI_MEM_RESERVED), "reserved");
	CHECK_STR(bi_mem_type_name(BI_MEM_MMIO), "MMIO");
	CHECK_STR(bi_mem_type_name(BI_MEM_UNUSABLE), "unusable");
	CHECK_STR(bi_mem_type_name(0), "unknown");
	CHECK_STR(bi_mem_type_name(BI_MEM_NTYPES), "unknown");
	CHECK_STR(bi_mem_type_name(0xffffffffu), "unknown");
}

TEST(module_kind)
{
	CHECK_STR(bi_module_kind("settings.cfg"), BI_KIND_SETTINGS);
	CHECK_STR(bi_module_kind("vms/linux.vmx"), BI_KIND_VMCONFIG);
	CHECK_STR(bi_module_kind("vms/a.vmx"), BI_KIND_VMCONFIG);
	CHECK_STR(bi_module_kind("vms/.vmx"), BI_KIND_GUESTFILE);      /* no name */
	CHECK_STR(bi_module_kind("vms/sub/a.vmx"), BI_KIND_GUESTFILE); /* not directly in vms/ */
	CHECK_STR(bi_module_kind("vms/linux/bzImage"), BI_KIND_GUESTFILE);
	CHECK_STR(bi_module_kind("vms/a.vmx.bak"), BI_KIND_GUESTFILE);
	CHECK_STR(bi_module_kind("a.vmx"), BI_KIND_GUESTFILE);         /* not in vms/ */
	CHECK_STR(bi_module_kind("vmsx/a.vmx"), BI_KIND_GUESTFILE);
	CHECK_STR(bi_module_kind("VMS/a.vmx"), BI_KIND_GUESTFILE);
	CHECK_STR(bi_module_kind("vms/a.VMX"), BI_KIND_GUESTFILE);
	CHECK_STR(bi_module_kind("settings.cfg.old"), BI_KIND_GUESTFILE);
	CHECK_STR(bi_module_kind("x/settings.cfg"), BI_KIND_GUESTFILE);
	CHECK_STR(bi_module_kind(""), BI_KIND_GUESTFILE);
	CHECK_STR(bi_module_kind("vms/"), BI_KIND_GUESTFILE);
}

/* ---- property test ------------------------------------------------------- */

static u64 rng = 0x9e3779b97f4a7c15ull;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Addresses in 256-byte steps inside 256 KiB, so sub-page edges happen. */
#define CELL 256u
#define SPACE (256 * KB)
#define NCELLS (SPACE / CELL)

/* The most restrictive input type over each cell; 0 = not described. */
static void model(const struct bi_mem_region *in, size_t n, u32 *cell)
{
	memset(cell, 0, NCELLS * sizeof(*cell));
	for (size_t i = 0; i < n; i++) {
		if (in[i].type == 0 || in[i].type >= BI_MEM_NTYPES)
			continue;
		for (u64 a = in[i].base; a < in[i].base + in[i].size && a < SPACE; a += CELL)
			if (in[i].type > cell[a / CELL])
				cell[a / CELL] = in[i].type;
	}
}

static int check_output(const struct bi_mem_region *out, size_t n, const u32 *want, bool ample)
{
	static u32 got[NCELLS];
	int bad = 0;

	memset(got, 0, sizeof(got));
	for (size_t i = 0; i < n; i++) {
		const struct bi_mem_region *r = &out[i];

		if (r->size == 0 || r->type == 0 || r->type >= BI_MEM_NTYPES)
			bad |= 1;      /* empty or invalid entry */
		if (i && r->base < out[i - 1].base + out[i - 1].size)
			bad |= 2;      /* unsorted or overlapping */
		if (i && r->base == out[i - 1].base + out[i - 1].size && r->type == out[i - 1].type)
			bad |= 4;      /* unmerged neighbours */
		if (r->type == U && ((r->base | r->size) & 4095))
			bad |= 8;      /* usable not in whole pages */
		if (r->base + r->size > SPACE || r->base % CELL || r->size % CELL)
			bad |= 16;     /* grew past the input */
		for (u64 a = r->base; a < r->base + r->size && a < SPACE; a += CELL)
			got[a / CELL] = r->type;
	}
	for (u64 page = 0; page < SPACE; page += 4096) {
		bool all_usable = true;

		for (u64 a = page; a < page + 4096; a += CELL)
			if (want[a / CELL] != U)
				all_usable = false;
		for (u64 a = page; a < page + 4096; a += CELL) {
			u32 g = got[a / CELL], w = want[a / CELL];

			/* Never hand out a page any input marked otherwise or left out. */
			if (g == U && !all_usable)
				bad |= 32;
			/* Never less restrictive than the inputs demand... */
			if (g != U && g != 0 && g < w)
				bad |= 64;
			/* ...nor describing what no input described. */
			if (g != 0 && w == 0)
				bad |= 1024;
			/* With room to split, nothing described is lost. */
			if (ample && w != U && g != w)
				bad |= 128;
			if (ample && all_usable && g != U)
				bad |= 256;
		}
	}
	return bad;
}

static void dump(const char *what, int iter, int flags, const struct bi_mem_region *in, size_t n,
		 const struct bi_mem_region *out, size_t nout)
{
	fprintf(stderr, "property (%s room): iteration %d fails with flags %#x\n input:\n", what,
		iter, flags);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  %#llx +%#llx %u\n", (unsigned long long)in[i].base,
			(unsigned long long)in[i].size, in[i].type);
	fprintf(stderr, " output:\n");
	for (size_t i = 0; i < nout; i++)
		fprintf(stderr, "  %#llx +%#llx %u\n", (unsigned long long)out[i].base,
			(unsigned long long)out[i].size, out[i].type);
}

TEST(property_random_maps)
{
	static struct bi_mem_region in[64], r[256];
	static u32 want[NCELLS];
	int bad_ample = 0, bad_tight = 0;
	size_t total_out = 0;

	for (int iter = 0; iter < 4000; iter++) {
		size_t n = 1 + rnd() % 24, cap, got;

		for (size_t i = 0; i < n; i++) {
			u64 kind = rnd() % 10;

			in[i].base = (rnd() % NCELLS) * CELL;
			/* Mostly page-ish sizes, some tiny, some huge. */
			in[i].size = kind < 6 ? (1 + rnd() % 16) * 4096 :
				     kind < 9 ? (rnd() % 40) * CELL : (rnd() % NCELLS) * CELL;
			if (kind < 3)
				in[i].base &= ~4095ull;
			in[i].type = rnd() % 3 == 0 ? U : (u32)(rnd() % (BI_MEM_NTYPES + 1));
			if (in[i].base + in[i].size > SPACE)
				in[i].size = SPACE - in[i].base;
		}
		model(in, n, want);

		/* Ample room: exact result expected. */
		cap = 4 * n + 4;
		memcpy(r, in, n * sizeof(*r));
		got = bi_memmap_normalize(r, n, cap);
		total_out += got;
		int b = got <= cap ? check_output(r, got, want, true) : 512;

		if (b && !bad_ample)
			dump("ample", iter, b, in, n, r, got);
		bad_ample |= b;

		/* No spare room at all: still safe, never wrong. */
		memcpy(r, in, n * sizeof(*r));
		got = bi_memmap_normalize(r, n, n);
		b = got <= n ? check_output(r, got, want, false) : 512;
		if (b && !bad_tight)
			dump("tight", iter, b, in, n, r, got);
		bad_tight |= b;
	}
	CHECK_EQ(bad_ample, 0);
	CHECK_EQ(bad_tight, 0);
	CHECK(total_out > 4000); /* the generator does produce real maps */
}

TEST_MAIN({ "empty_and_trivial", empty_and_trivial },
	  { "sorting", sorting },
	  { "drop_empty_and_invalid", drop_empty_and_invalid },
	  { "usable_shrunk_to_pages", usable_shrunk_to_pages },
	  { "merge_adjacent_same_type", merge_adjacent_same_type },
	  { "merge_before_page_shrink", merge_before_page_shrink },
	  { "overlap_same_type", overlap_same_type },
	  { "overlap_contained", overlap_contained },
	  { "overlap_partial", overlap_partial },
	  { "identical_ranges_restrictive_wins", identical_ranges_restrictive_wins },
	  { "many_holes_in_usable", many_holes_in_usable },
	  { "cap_exhausted", cap_exhausted },
	  { "wrap_around_clamped", wrap_around_clamped },
	  { "realistic_ovmf", realistic_ovmf },
	  { "realistic_e820", realistic_e820 },
	  { "type_names", type_names },
	  { "module_kind", module_kind },
	  { "property_random_maps", property_random_maps })
