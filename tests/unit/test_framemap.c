// SPDX-License-Identifier: MIT
/* test_framemap.c: the bitmap frame allocator core (kernel/framemap.c). */
#include "test.h"

#include <tv/compiler.h>
#include <tv/framemap.h>

#define F FRAME_SIZE
#define U BI_MEM_USABLE
#define MB (1ull << 20)

struct fixture {
	struct framemap fm;
	void *bitmap;
	u64 bytes;
	paddr_t bitmap_pa;
	bool *ram;        /* model: frame is usable RAM and not taken at init */
	u64 nframes;
};

/* Count clear bits below nframes the slow way (through the public API). */
static u64 count_free(const struct framemap *fm)
{
	u64 n = 0;

	for (u64 f = 0; f < fm->nframes; f++)
		n += framemap_is_free(fm, f * F);
	return n;
}

/* The frames that should be free after init, computed independently. */
static bool *model(const struct bi_mem_region *r, size_t n, const struct bi_range *resv,
		   size_t nresv, paddr_t bpa, u64 bbytes, u64 nframes)
{
	bool *ok = calloc(nframes + 1, sizeof(bool));

	for (u64 f = 1; f < nframes; f++) {
		u64 a = f * F, e = a + F;
		bool in_ram = false;

		for (size_t i = 0; i < n; i++)
			if (r[i].type == U && r[i].base <= a && e <= r[i].base + r[i].size)
				in_ram = true;
		for (size_t i = 0; i < nresv; i++)
			if (a < resv[i].base + resv[i].size && resv[i].base < e)
				in_ram = false;
		if (a < bpa + bbytes && bpa < e)
			in_ram = false;
		ok[f] = in_ram;
	}
	return ok;
}

static void setup(struct fixture *x, const struct bi_mem_region *r, size_t n,
		  const struct bi_range *resv, size_t nresv)
{
	x->bytes = framemap_bitmap_bytes(r, n);
	x->bitmap_pa = framemap_place_bitmap(r, n, resv, nresv, x->bytes, 1ull << 32);
	x->bitmap = malloc(x->bytes);
	framemap_init(&x->fm, x->bitmap, x->bytes, r, n, resv, nresv, x->bitmap_pa);
	x->nframes = x->fm.nframes;
	x->ram = model(r, n, resv, nresv, x->bitmap_pa, x->bytes, x->nframes);
}

static void teardown(struct fixture *x)
{
	free(x->bitmap);
	free(x->ram);
}

/* A PC-like map: low RAM, a hole, 128 MiB, a partial-page island. */
static const struct bi_mem_region pc_map[] = {
	{ 0, 0x9f000, U },
	{ 0x9f000, 0x61000, BI_MEM_RESERVED },
	{ 0x100000, 0x7f00000, U },                  /* up to 128 MiB */
	{ 0x8000000, 0x800, BI_MEM_ACPI_NVS },
	{ 0x8001800, 0xf000, U },                    /* partial pages at both ends */
	{ 0x9000000, 0x1000000, BI_MEM_MMIO },
	{ 0xa000000, 0x200000, U },                  /* after a hole */
};
static const struct bi_range pc_resv[] = {
	{ 0x100000, 0x100000 },   /* "kernel": exactly where a naive bitmap would go */
	{ 0x5000, 0x800 },        /* partial page */
	{ 0x300000, 0x1 },        /* one byte */
	{ 0x7ff8000, 0x9000 },    /* sticks out of RAM into the NVS range */
};

TEST(bitmap_bytes)
{
	static const struct bi_mem_region a[] = { { 0, 65 * F, U } };
	static const struct bi_mem_region b[] = { { 0, 4ull << 30, U }, { 8ull << 30, F, 6 } };
	static const struct bi_mem_region c[] = { { 1ull << 30, 64 * 64 * F, U } };
	static const struct bi_mem_region d[] = { { 0, F, 6 } };

	CHECK_EQ(framemap_bitmap_bytes(a, 1), F);           /* 65 bits -> 16 bytes -> a page */
	CHECK_EQ(framemap_bitmap_bytes(b, 2), 128 * 1024);  /* 1M frames; reserved top ignored */
	/* Covers from 0: 266240 frames -> 33280 bytes -> 9 pages. */
	CHECK_EQ(framemap_bitmap_bytes(c, 1), 9 * F);
	CHECK_EQ(framemap_bitmap_bytes(d, 1), 0);
	CHECK_EQ(framemap_bitmap_bytes(NULL, 0), 0);
}

TEST(init_pc_map)
{
	struct fixture x;
	u64 expect = 0, mismatches = 0;

	setup(&x, pc_map, ARRAY_SIZE(pc_map), pc_resv, ARRAY_SIZE(pc_resv));
	CHECK_EQ(x.nframes, 0xa200000 / F);
	/* The bitmap was placed above 1 MiB, clear of the "kernel". */
	CHECK_EQ(x.bitmap_pa, 0x200000);
	for (u64 f = 0; f < x.nframes; f++) {
		expect += x.ram[f];
		if (framemap_is_free(&x.fm, f * F) != x.ram[f])
			mismatches++;
	}
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(x.fm.free_frames, expect);
	CHECK_EQ(x.fm.usable_frames, expect);
	CHECK_EQ(count_free(&x.fm), expect);
	/* Spot checks of each rule. */
	CHECK(!framemap_is_free(&x.fm, 0));                    /* frame 0 */
	CHECK(framemap_is_free(&x.fm, 0x1000));
	CHECK(framemap_is_free(&x.fm, 0x4000));
	CHECK(!framemap_is_free(&x.fm, 0x5000));               /* partial reserved page */
	CHECK(framemap_is_free(&x.fm, 0x6000));
	CHECK(framemap_is_free(&x.fm, 0x9e000));
	CHECK(!framemap_is_free(&x.fm, 0x9f000));              /* reserved */
	CHECK(!framemap_is_free(&x.fm, 0xff000));
	CHECK(!framemap_is_free(&x.fm, 0x100000));             /* kernel */
	CHECK(!framemap_is_free(&x.fm, 0x1ff000));
	CHECK(!framemap_is_free(&x.fm, 0x200000));             /* bitmap itself */
	CHECK(framemap_is_free(&x.fm, 0x200000 + x.bytes));
	CHECK(!framemap_is_free(&x.fm, 0x300000));             /* one reserved byte */
	CHECK(framemap_is_free(&x.fm, 0x301000));
	CHECK(framemap_is_free(&x.fm, 0x7ff7000));
	CHECK(!framemap_is_free(&x.fm, 0x7ff8000));
	CHECK(!framemap_is_free(&x.fm, 0x7fff000));
	CHECK(!framemap_is_free(&x.fm, 0x8000000));            /* NVS */
	CHECK(!framemap_is_free(&x.fm, 0x8001000));            /* partial usable page */
	CHECK(framemap_is_free(&x.fm, 0x8002000));
	CHECK(framemap_is_free(&x.fm, 0x800f000));
	CHECK(!framemap_is_free(&x.fm, 0x8010000));            /* partial usable page */
	CHECK(!framemap_is_free(&x.fm, 0x8011000));            /* hole */
	CHECK(!framemap_is_free(&x.fm, 0x9000000));            /* MMIO */
	CHECK(framemap_is_free(&x.fm, 0xa000000));
	CHECK(framemap_is_free(&x.fm, 0xa1ff000));
	CHECK(!framemap_is_free(&x.fm, 0xa200000));            /* past the end */
	CHECK(!framemap_is_free(&x.fm, ~0ull & ~(F - 1)));
	teardown(&x);
}

TEST(place_bitmap)
{
	static const struct bi_mem_region low_only[] = { { 0, 0x9f000, U } };
	static const struct bi_mem_region two[] = {
		{ 0, 0x9f000, U }, { 0x100000, 0x10000, U },    /* too small for 0x20000 */
		{ 0x200000, 0x100000, BI_MEM_RESERVED },
		{ 0x400123, 0x100000, U },                      /* unaligned base */
	};
	static const struct bi_range none[1];
	static const struct bi_range r1[] = { { 0x401000, 0x1 }, { 0x402800, 0x800 } };
	static const struct bi_mem_region one[] = { { 0, 64 * MB, U } };
	static const struct bi_range r2[] = { { 0x100000, 0x80000 }, { 0x1a0000, 0x1000 } };

	CHECK_EQ(framemap_place_bitmap(low_only, 1, none, 0, F, ~0ull), 0);
	CHECK_EQ(framemap_place_bitmap(two, 4, none, 0, 0x20000, ~0ull), 0x401000);
	CHECK_EQ(framemap_place_bitmap(two, 4, none, 0, 0x10000, ~0ull), 0x100000);
	CHECK_EQ(framemap_place_bitmap(two, 4, r1, 2, 0x20000, ~0ull), 0x403000);
	/* Exactly fills the rest of the region; one byte more does not fit. */
	CHECK_EQ(framemap_place_bitmap(two, 4, none, 0, 0x500123 - 0x401000, ~0ull), 0x401000);
	CHECK_EQ(framemap_place_bitmap(two, 4, none, 0, 0x500123 - 0x401000 + 1, ~0ull), 0);
	/* Above 1 MiB even though RAM starts at 0; skipping reserved ranges. */
	CHECK_EQ(framemap_place_bitmap(one, 1, none, 0, F, ~0ull), 0x100000);
	CHECK_EQ(framemap_place_bitmap(one, 1, r2, 2, F, ~0ull), 0x180000);
	CHECK_EQ(framemap_place_bitmap(one, 1, r2, 2, 0x20000, ~0ull), 0x180000); /* just fits */
	CHECK_EQ(framemap_place_bitmap(one, 1, r2, 2, 0x21000, ~0ull), 0x1a1000);
	/* Below the limit: the whole bitmap must end at or before it. */
	CHECK_EQ(framemap_place_bitmap(one, 1, none, 0, 0x100000, 0x200000), 0x100000);
	CHECK_EQ(framemap_place_bitmap(one, 1, none, 0, 0x100001, 0x200000), 0);
	CHECK_EQ(framemap_place_bitmap(one, 1, r2, 2, F, 0x180000), 0);
	CHECK_EQ(framemap_place_bitmap(one, 1, none, 0, F, 0x100000), 0);
	/* No usable regions at all. */
	CHECK_EQ(framemap_place_bitmap(two + 2, 1, none, 0, F, ~0ull), 0);
}

TEST(alloc_single_and_bounds)
{
	struct fixture x;
	paddr_t p;

	setup(&x, pc_map, ARRAY_SIZE(pc_map), pc_resv, ARRAY_SIZE(pc_resv));
	u64 before = x.fm.free_frames;

	/* Bad arguments. */
	CHECK_EQ(framemap_alloc(&x.fm, 0, 1, 0, ~0ull), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 1, 0, 0, ~0ull), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 1, 3, 0, ~0ull), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 1, 6, 0, ~0ull), 0);
	CHECK_EQ(framemap_alloc(&x.fm, before + 1, 1, 0, ~0ull), 0);
	CHECK_EQ(x.fm.free_frames, before);

	/* Inside [lo, hi): below 1 MiB only when asked, never frame 0. */
	p = framemap_alloc(&x.fm, 1, 1, 0, 0x100000);
	CHECK_EQ(p, 0x1000);
	/* Frames 2..4 are free but 5 is reserved: the run starts after it. */
	p = framemap_alloc(&x.fm, 4, 1, 0, 0x100000);
	CHECK_EQ(p, 0x6000);
	CHECK(framemap_is_free(&x.fm, 0x2000));
	CHECK_EQ(framemap_alloc(&x.fm, 4, 1, 0x2000, 0x100000), 0xa000);
	CHECK_EQ(framemap_alloc(&x.fm, 3, 1, 0x2000, 0x100000), 0x2000);
	/* A bound that is not frame-aligned: lo rounds up, hi rounds down. */
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0x20001, 0x100000), 0x21000);
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0x9d000, 0x9efff), 0x9d000);
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0x9d000, 0x9efff), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 2, 1, 0x9d000, 0x9f000), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0x9e000, 0x9f000), 0x9e000);
	/* Nothing in a reserved or empty window. */
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0x9f000, 0x100000), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0x100000, 0x200000), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0x8010000, 0xa000000), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0x5000, 0x5000), 0);   /* empty */
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0x6000, 0x5000), 0);   /* inverted */
	/* A run that would straddle the partial-page island's edge does not fit. */
	CHECK_EQ(framemap_alloc(&x.fm, 15, 1, 0x8000000, 0x9000000), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 14, 1, 0x8000000, 0x9000000), 0x8002000);
	/* Above everything. */
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0xa200000, ~0ull), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0xa1ff000, ~0ull), 0xa1ff000);
	CHECK_EQ(x.fm.free_frames, count_free(&x.fm));
	CHECK_EQ(x.fm.free_frames, before - 1 - 4 - 4 - 3 - 1 - 1 - 1 - 14 - 1);
	teardown(&x);
}

TEST(alloc_alignment)
{
	struct fixture x;
	paddr_t p;

	setup(&x, pc_map, ARRAY_SIZE(pc_map), pc_resv, ARRAY_SIZE(pc_resv));
	/* 2 MiB aligned 2 MiB: the first free one (0x200000 has the bitmap). */
	p = framemap_alloc(&x.fm, 512, 512, 0, ~0ull);
	CHECK_EQ(p, 0x400000);
	p = framemap_alloc(&x.fm, 512, 512, 0, ~0ull);
	CHECK_EQ(p, 0x600000);
	/* Aligned single frames. */
	p = framemap_alloc(&x.fm, 1, 16, 0x100000, ~0ull);
	CHECK_EQ(p % (16 * F), 0);
	CHECK(p >= 0x100000);
	p = framemap_alloc(&x.fm, 3, 4, 0x10000, 0x100000);
	CHECK_EQ(p, 0x10000);
	p = framemap_alloc(&x.fm, 1, 4, 0x10000, 0x100000);
	CHECK_EQ(p, 0x14000);
	/* 64 KiB alignment in a window that starts unaligned. */
	/* 64 KiB alignment in the island 0x8002000..0x8010000: no aligned frame. */
	CHECK_EQ(framemap_alloc(&x.fm, 2, 16, 0x8002000, 0x9000000), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 2, 2, 0x8002000, 0x9000000), 0x8002000);
	/* 1 GiB alignment: nothing here is that big. */
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1u << 18, 0x1000, ~0ull), 0);
	/* Large aligned run that exists: the 2 MiB at 0xa000000. */
	CHECK_EQ(framemap_alloc(&x.fm, 512, 512, 0x8000000, ~0ull), 0xa000000);
	CHECK_EQ(x.fm.free_frames, count_free(&x.fm));
	teardown(&x);
}

TEST(exhaust_and_free)
{
	static const struct bi_mem_region m[] = { { 0, 8 * MB, U } };
	static const struct bi_range r[] = { { 0x200000, 0x10000 } };
	struct fixture x;
	u64 n = 0, usable;
	paddr_t *got, p;
	u8 *seen;

	setup(&x, m, 1, r, 1);
	usable = x.fm.usable_frames;
	CHECK_EQ(usable, 2048 - 1 - 16 - x.bytes / F);
	got = calloc(usable + 1, sizeof(*got));
	seen = calloc(x.nframes, 1);
	while ((p = framemap_alloc(&x.fm, 1, 1, 0, ~0ull)) != 0 && n <= usable) {
		CHECK(p % F == 0);
		CHECK(p / F < x.nframes && x.ram[p / F]);
		CHECK(!seen[p / F]);
		seen[p / F] = 1;
		got[n++] = p;
	}
	CHECK_EQ(n, usable);
	CHECK_EQ(x.fm.free_frames, 0);
	CHECK_EQ(count_free(&x.fm), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0, ~0ull), 0);
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0x100000, 0x200000), 0);
	/* A count so large it would run off the bitmap is refused, not walked. */
	CHECK(!framemap_free(&x.fm, got[n - 1], ~0ull));
	CHECK(!framemap_free(&x.fm, got[0], ~0ull - 5));
	CHECK_EQ(x.fm.free_frames, 0);
	/* Free every other frame, then all the rest. */
	for (u64 i = 0; i < n; i += 2)
		CHECK(framemap_free(&x.fm, got[i], 1));
	CHECK_EQ(x.fm.free_frames, (n + 1) / 2);
	CHECK_EQ(count_free(&x.fm), (n + 1) / 2);
	/* Freed frames come back. */
	p = framemap_alloc(&x.fm, 1, 1, 0, ~0ull);
	CHECK(p != 0 && framemap_is_free(&x.fm, p) == false);
	CHECK(framemap_free(&x.fm, p, 1));
	for (u64 i = 1; i < n; i += 2)
		CHECK(framemap_free(&x.fm, got[i], 1));
	CHECK_EQ(x.fm.free_frames, usable);
	CHECK_EQ(count_free(&x.fm), usable);
	/* A large run now fits again. */
	CHECK(framemap_alloc(&x.fm, 1024, 1, 0x300000, ~0ull) == 0x300000);
	free(got);
	free(seen);
	teardown(&x);
}

TEST(bad_frees_change_nothing)
{
	struct fixture x;
	paddr_t p, q;
	u64 *snap;
	u64 free_before;

	setup(&x, pc_map, ARRAY_SIZE(pc_map), pc_resv, ARRAY_SIZE(pc_resv));
	p = framemap_alloc(&x.fm, 8, 1, 0x1000000, ~0ull);
	q = framemap_alloc(&x.fm, 1, 1, 0x2000000, ~0ull);
	CHECK_EQ(p, 0x1000000);
	CHECK_EQ(q, 0x2000000);
	CHECK(framemap_free(&x.fm, p + 2 * F, 2)); /* a hole in the middle */
	snap = malloc(x.bytes);
	memcpy(snap, x.bitmap, x.bytes);
	free_before = x.fm.free_frames;

	CHECK(!framemap_free(&x.fm, p + 2 * F, 1));        /* double free */
	CHECK(!framemap_free(&x.fm, p + 3 * F, 1));
	CHECK(!framemap_free(&x.fm, p, 8));                /* partly free already */
	CHECK(!framemap_free(&x.fm, p + F, 2));
	CHECK(!framemap_free(&x.fm, p + 1, 1));            /* unaligned */
	CHECK(!framemap_free(&x.fm, q + 0x800, 1));
	CHECK(!framemap_free(&x.fm, 0, 1));                /* frame 0 */
	CHECK(!framemap_free(&x.fm, 0xa200000, 1));        /* past the end */
	CHECK(!framemap_free(&x.fm, 0xa1ff000, 2));        /* runs past the end */
	CHECK(!framemap_free(&x.fm, ~0ull & ~(F - 1), 1));
	CHECK(!framemap_free(&x.fm, q, ~0ull));            /* count overflows */
	CHECK(!framemap_free(&x.fm, q, 1ull << 52));
	CHECK(!framemap_free(&x.fm, 0x6000, 1));           /* never allocated */
	CHECK_EQ(x.fm.free_frames, free_before);
	CHECK(memcmp(snap, x.bitmap, x.bytes) == 0);

	/* The good frees still work afterwards. */
	CHECK(framemap_free(&x.fm, p, 2));
	CHECK(framemap_free(&x.fm, p + 4 * F, 4));
	CHECK(framemap_free(&x.fm, q, 1));
	CHECK_EQ(x.fm.free_frames, x.fm.usable_frames);
	CHECK_EQ(count_free(&x.fm), x.fm.usable_frames);
	free(snap);
	teardown(&x);
}

TEST(next_fit_hint_and_bounds)
{
	struct fixture x;
	paddr_t p;

	setup(&x, pc_map, ARRAY_SIZE(pc_map), pc_resv, ARRAY_SIZE(pc_resv));
	/* Single frames move forward from 1 MiB (next fit). */
	p = framemap_alloc(&x.fm, 1, 1, 0, ~0ull);
	CHECK(p >= 0x100000);
	paddr_t p2 = framemap_alloc(&x.fm, 1, 1, 0, ~0ull);

	CHECK(p2 > p);
	/* Push the hint high. */
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0x7000000, ~0ull), 0x7000000);
	/* A bounded allocation below the hint still finds its window. */
	p = framemap_alloc(&x.fm, 1, 1, 0x400000, 0x500000);
	CHECK(p >= 0x400000 && p < 0x500000);
	/* Low memory is not handed out unless asked for... */
	p = framemap_alloc(&x.fm, 1, 1, 0, ~0ull);
	CHECK(p >= 0x100000);
	/* ...but is found when the window demands it, even with the hint above. */
	p = framemap_alloc(&x.fm, 1, 1, 0, 0x100000);
	CHECK(p != 0 && p < 0x100000);
	/* A window above the hint. */
	p = framemap_alloc(&x.fm, 1, 1, 0xa100000, ~0ull);
	CHECK_EQ(p, 0xa100000);
	/* The hint sits at the end of RAM: the next single frame wraps to the start. */
	for (p = 0xa101000; p < 0xa200000; p += F)
		CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0xa100000, ~0ull), p);
	p = framemap_alloc(&x.fm, 1, 1, 0, ~0ull);
	CHECK(p != 0 && p < 0xa000000);
	CHECK_EQ(x.fm.free_frames, count_free(&x.fm));
	teardown(&x);

	/*
	 * The hint inside [lo, hi) but nothing free between it and hi: the
	 * search must fall back to [lo, hint), never look past hi.
	 */
	setup(&x, pc_map, ARRAY_SIZE(pc_map), pc_resv, ARRAY_SIZE(pc_resv));
	CHECK_EQ(framemap_alloc(&x.fm, 16, 1, 0x3f0000, 0x400000), 0x3f0000); /* [3f0000, 400000) taken */
	CHECK_EQ(framemap_alloc(&x.fm, 1, 1, 0x3ef000, ~0ull), 0x3ef000);       /* hint = 0x3f0 */
	p = framemap_alloc(&x.fm, 1, 1, 0x380000, 0x400000);
	CHECK(p >= 0x380000 && p < 0x3ef000);
	CHECK_EQ(p, 0x380000);
	teardown(&x);
}

struct live {
	paddr_t pa;
	u64 count;
};

static u64 rng = 88172645463325252ull;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

TEST(random_stress)
{
	struct fixture x;
	static struct live live[4096];
	size_t nlive = 0;
	int *owner;
	int bad_overlap = 0, bad_bounds = 0, bad_align = 0, bad_ram = 0, bad_count = 0;
	int allocs = 0, fails = 0;

	setup(&x, pc_map, ARRAY_SIZE(pc_map), pc_resv, ARRAY_SIZE(pc_resv));
	owner = calloc(x.nframes, sizeof(int));
	for (int step = 0; step < 30000; step++) {
		if (nlive < 4096 && (nlive == 0 || rnd() % 100 < 55)) {
			u64 count = rnd() % 4 ? 1 + rnd() % 8 : 1 + rnd() % 600;
			u64 align = 1ull << (rnd() % 4 ? 0 : rnd() % 10);
			paddr_t lo = 0, hi = ~0ull, p;

			if (rnd() % 3 == 0) {
				lo = (rnd() % 0xa200000) & ~0xfffull;
				hi = lo + (rnd() % 0x4000000);
				if (rnd() % 2)
					lo |= rnd() % F;
			}
			p = framemap_alloc(&x.fm, count, align, lo, hi);
			if (!p) {
				fails++;
				continue;
			}
			allocs++;
			if (p < lo || p + count * F > hi)
				bad_bounds++;
			if ((p / F) % align)
				bad_align++;
			for (u64 f = p / F; f < p / F + count && f < x.nframes; f++) {
				if (!x.ram[f])
					bad_ram++;
				if (owner[f])
					bad_overlap++;
				owner[f] = (int)nlive + 1;
			}
			live[nlive++] = (struct live){ p, count };
		} else {
			size_t i = rnd() % nlive;
			struct live l = live[i];

			if (!framemap_free(&x.fm, l.pa, l.count))
				bad_count++;
			for (u64 f = l.pa / F; f < l.pa / F + l.count; f++)
				owner[f] = 0;
			/* Freeing it again is refused. */
			if (framemap_free(&x.fm, l.pa, l.count))
				bad_count++;
			live[i] = live[--nlive];
			/* Keep owner ids equal to index + 1 after the move. */
			if (i < nlive)
				for (u64 f = live[i].pa / F; f < live[i].pa / F + live[i].count; f++)
					owner[f] = (int)i + 1;
		}
		if (step % 1000 == 0) {
			u64 used = 0;

			for (size_t i = 0; i < nlive; i++)
				used += live[i].count;
			if (x.fm.free_frames != count_free(&x.fm) ||
			    x.fm.free_frames != x.fm.usable_frames - used)
				bad_count++;
		}
	}
	CHECK_EQ(bad_overlap, 0);
	CHECK_EQ(bad_bounds, 0);
	CHECK_EQ(bad_align, 0);
	CHECK_EQ(bad_ram, 0);
	CHECK_EQ(bad_count, 0);
	CHECK(allocs > 10000);
	CHECK(fails > 0);
	while (nlive) {
		nlive--;
		CHECK(framemap_free(&x.fm, live[nlive].pa, live[nlive].count));
	}
	CHECK_EQ(x.fm.free_frames, x.fm.usable_frames);
	CHECK_EQ(count_free(&x.fm), x.fm.usable_frames);
	free(owner);
	teardown(&x);
}

TEST_MAIN({ "bitmap_bytes", bitmap_bytes },
	  { "init_pc_map", init_pc_map },
	  { "place_bitmap", place_bitmap },
	  { "alloc_single_and_bounds", alloc_single_and_bounds },
	  { "alloc_alignment", alloc_alignment },
	  { "exhaust_and_free", exhaust_and_free },
	  { "bad_frees_change_nothing", bad_frees_change_nothing },
	  { "next_fit_hint_and_bounds", next_fit_hint_and_bounds },
	  { "random_stress", random_stress })
