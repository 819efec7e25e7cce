// SPDX-License-Identifier: MIT
/* test_heap.c: the slab/page heap core (kernel/heap.c) over a host page source. */
#include "test.h"

#include <tv/heap.h>

#define PAGE HEAP_PAGE

/* ---- page source: aligned_alloc, with every live and freed run tracked ---- */

struct run {
	u8 *p;
	size_t npages;
};

struct source {
	struct run live[8192];
	size_t nlive;
	struct run dead[8192];      /* freed runs, kept mapped and poisoned */
	size_t ndead;
	size_t live_pages;
	int bad_free;               /* pages_free of something not live / wrong size */
	int fail_next;              /* make the next n allocations fail */
	long allocs;
};

static struct source src;

static void *src_alloc(void *ctx, size_t npages)
{
	struct source *s = ctx;
	u8 *p;

	if (s->fail_next > 0) {
		s->fail_next--;
		return NULL;
	}
	if (s->nlive == sizeof(s->live) / sizeof(s->live[0]))
		return NULL;
	p = aligned_alloc(PAGE, npages * PAGE);
	if (!p)
		return NULL;
	memset(p, 0xcc, npages * PAGE); /* not zeroed: the heap must not assume it */
	s->live[s->nlive++] = (struct run){ p, npages };
	s->live_pages += npages;
	s->allocs++;
	return p;
}

static void src_free(void *ctx, void *p, size_t npages)
{
	struct source *s = ctx;

	for (size_t i = 0; i < s->nlive; i++) {
		if (s->live[i].p != p)
			continue;
		if (s->live[i].npages != npages)
			s->bad_free++;
		s->live_pages -= s->live[i].npages;
		/*
		 * Keep the memory (so a later bad heap_free that peeks at the
		 * page does not touch freed host memory) but poison it.
		 */
		memset(p, 0xdb, s->live[i].npages * PAGE);
		if (s->ndead < sizeof(s->dead) / sizeof(s->dead[0]))
			s->dead[s->ndead++] = s->live[i];
		else
			free(p);
		s->live[i] = s->live[--s->nlive];
		return;
	}
	s->bad_free++;
}

/* Nobody wrote to freed runs; then release them. Returns the damaged count. */
static int src_reap(struct source *s)
{
	int damaged = 0;

	for (size_t i = 0; i < s->ndead; i++) {
		for (size_t b = 0; b < s->dead[i].npages * PAGE; b++) {
			if (s->dead[i].p[b] != 0xdb) {
				damaged++;
				break;
			}
		}
		free(s->dead[i].p);
	}
	s->ndead = 0;
	return damaged;
}

static void src_release_all(struct source *s)
{
	src_reap(s);
	for (size_t i = 0; i < s->nlive; i++)
		free(s->live[i].p);
	memset(s, 0, sizeof(*s));
}

static struct heap new_heap(void)
{
	memset(&src, 0, sizeof(src));
	return (struct heap){ .pages_alloc = src_alloc, .pages_free = src_free, .ctx = &src };
}

/* ---- live object bookkeeping --------------------------------------------- */

struct obj {
	u8 *p;
	size_t size;
	u8 fill;
};

static bool filled(const struct obj *o)
{
	for (size_t i = 0; i < o->size; i++)
		if (o->p[i] != o->fill)
			return false;
	return true;
}

static int cmp_obj(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* Number of overlapping pairs among live objects (sorted sweep). */
static int overlaps(struct obj *o, size_t n)
{
	struct obj *c = malloc((n ? n : 1) * sizeof(*c));
	int bad = 0;

	memcpy(c, o, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_obj);
	for (size_t i = 1; i < n; i++)
		if (c[i].p < c[i - 1].p + (c[i - 1].size ? c[i - 1].size : 1))
			bad++;
	free(c);
	return bad;
}

static size_t class_of(size_t size)
{
	size_t c = 16;

	while (c < size)
		c <<= 1;
	return c;
}

static size_t accounted(size_t size)
{
	if (size <= 2048)
		return class_of(size ? size : 1);
	return (size + 64 + PAGE - 1) / PAGE * PAGE;
}

/* ---- tests ---------------------------------------------------------------- */

TEST(every_size_class)
{
	struct heap h = new_heap();
	static const size_t sizes[] = {
		0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257,
		511, 512, 513, 1023, 1024, 1025, 2047, 2048, 2049, 3000, 4032, 4033, 4096,
		8192, 10000, 65536, 1 << 20, (1 << 20) + 1,
	};
	enum { REP = 40, N = sizeof(sizes) / sizeof(sizes[0]) };
	static struct obj objs[N * REP];
	size_t n = 0, expect_bytes = 0;
	int misaligned = 0, bad_fill = 0;

	for (int r = 0; r < REP; r++) {
		for (size_t i = 0; i < N; i++) {
			size_t sz = sizes[i];
			u8 *p = heap_alloc(&h, sz);

			CHECK(p != NULL);
			if (!p)
				continue;
			if ((uintptr_t)p % 16)
				misaligned++;
			objs[n] = (struct obj){ p, sz, (u8)(n * 7 + 1) };
			memset(p, objs[n].fill, sz);
			expect_bytes += accounted(sz);
			n++;
		}
	}
	CHECK_EQ(misaligned, 0);
	CHECK_EQ(overlaps(objs, n), 0);
	for (size_t i = 0; i < n; i++)
		bad_fill += !filled(&objs[i]);
	CHECK_EQ(bad_fill, 0);
	CHECK_EQ(h.bytes_in_use, expect_bytes);
	CHECK_EQ(h.pages_held, src.live_pages);
	/* Large allocations take exactly the pages they need (64-byte header). */
	CHECK(h.pages_held > 0);

	for (size_t i = 0; i < n; i++) {
		CHECK(heap_free(&h, objs[i].p));
		expect_bytes -= accounted(objs[i].size);
		if (i % 97 == 0) {
			CHECK_EQ(h.bytes_in_use, expect_bytes);
			CHECK_EQ(h.pages_held, src.live_pages);
		}
	}
	CHECK_EQ(h.bytes_in_use, 0);
	/* Everything went back but at most one cached empty slab per class. */
	CHECK(h.pages_held <= HEAP_NCLASSES);
	CHECK_EQ(h.pages_held, src.live_pages);
	CHECK_EQ(src.bad_free, 0);
	CHECK_EQ(src_reap(&src), 0);
	src_release_all(&src);
}

TEST(large_pages_exact)
{
	struct heap h = new_heap();
	void *p;

	p = heap_alloc(&h, 4032);
	CHECK_EQ(src.live_pages, 1);
	CHECK_EQ(h.bytes_in_use, PAGE);
	CHECK(heap_free(&h, p));
	CHECK_EQ(src.live_pages, 0);
	p = heap_alloc(&h, 4033);
	CHECK_EQ(src.live_pages, 2);
	CHECK_EQ(h.pages_held, 2);
	CHECK(heap_free(&h, p));
	p = heap_alloc(&h, 100 * PAGE);
	CHECK_EQ(src.live_pages, 101);
	memset(p, 0x11, 100 * PAGE);
	CHECK(heap_free(&h, p));
	CHECK_EQ(src.live_pages, 0);
	CHECK_EQ(h.pages_held, 0);
	CHECK_EQ(h.bytes_in_use, 0);
	/* Absurd sizes fail cleanly, without asking the source. */
	long before = src.allocs;

	CHECK(heap_alloc(&h, (size_t)1 << 41) == NULL);
	CHECK(heap_alloc(&h, SIZE_MAX) == NULL);
	CHECK(heap_alloc(&h, SIZE_MAX - PAGE) == NULL);
	CHECK_EQ(src.allocs, before);
	CHECK_EQ(h.pages_held, 0);
	CHECK_EQ(src.bad_free, 0);
	CHECK_EQ(src_reap(&src), 0);
	src_release_all(&src);
}

TEST(slab_reuse)
{
	struct heap h = new_heap();
	void *a = heap_alloc(&h, 100), *b;

	CHECK_EQ(src.live_pages, 1);
	/* Same class again: from the same slab page. */
	b = heap_alloc(&h, 128);
	CHECK_EQ(src.live_pages, 1);
	CHECK_EQ((uintptr_t)a & ~(uintptr_t)(PAGE - 1), (uintptr_t)b & ~(uintptr_t)(PAGE - 1));
	/* A freed object is handed out again. */
	CHECK(heap_free(&h, b));
	CHECK(heap_alloc(&h, 120) == b);
	/* Another class takes another page. */
	heap_alloc(&h, 16);
	CHECK_EQ(src.live_pages, 2);
	CHECK_EQ(h.pages_held, 2);
	src_release_all(&src);
}

TEST(free_null_and_foreign)
{
	struct heap h = new_heap();
	u8 *foreign = aligned_alloc(PAGE, 2 * PAGE);
	u8 *small = heap_alloc(&h, 32), *small2 = heap_alloc(&h, 32);
	u8 *large = heap_alloc(&h, 3 * PAGE);
	size_t bytes = h.bytes_in_use, pages = h.pages_held;
	u8 *slab = (u8 *)((uintptr_t)small & ~(uintptr_t)(PAGE - 1));

	memset(foreign, 0, 2 * PAGE);
	CHECK(heap_free(&h, NULL));
	CHECK(!heap_free(&h, foreign));
	CHECK(!heap_free(&h, foreign + 64));
	CHECK(!heap_free(&h, foreign + PAGE + 128));
	/* Inside heap pages but not an object start. */
	CHECK(!heap_free(&h, small + 8));
	CHECK(!heap_free(&h, small + 1));
	CHECK(!heap_free(&h, slab));        /* the slab header */
	CHECK(!heap_free(&h, slab + 16));
	CHECK(!heap_free(&h, large + 16));
	CHECK(!heap_free(&h, large - 64));  /* the large header itself */
	CHECK(!heap_free(&h, large + PAGE)); /* second page of a large run: user data */
	CHECK_EQ(h.bytes_in_use, bytes);
	CHECK_EQ(h.pages_held, pages);
	/* The real objects still free fine. */
	CHECK(heap_free(&h, small));
	CHECK(heap_free(&h, small2));
	CHECK(heap_free(&h, large));
	CHECK_EQ(h.bytes_in_use, 0);
	CHECK_EQ(src.bad_free, 0);
	free(foreign);
	src_release_all(&src);
}

TEST(double_free)
{
	struct heap h = new_heap();
	u8 *a = heap_alloc(&h, 64), *b = heap_alloc(&h, 64), *c;
	u8 *l = heap_alloc(&h, 2 * PAGE);
	size_t bytes;

	/* The slab still has a live object: the second free must be refused. */
	CHECK(heap_free(&h, a));
	bytes = h.bytes_in_use;
	CHECK(!heap_free(&h, a));
	CHECK_EQ(h.bytes_in_use, bytes);
	/* ...and the object is not handed out twice afterwards. */
	c = heap_alloc(&h, 64);
	CHECK(c == a);
	u8 *d = heap_alloc(&h, 64);

	CHECK(d != a && d != b && d != NULL);
	CHECK(heap_free(&h, c));
	CHECK(heap_free(&h, d));
	/* The last object of a slab, twice. */
	CHECK(heap_free(&h, b));
	CHECK(!heap_free(&h, b));
	/* A large run, twice (its pages went back to the source). */
	CHECK(heap_free(&h, l));
	CHECK(!heap_free(&h, l));
	CHECK_EQ(h.bytes_in_use, 0);
	CHECK_EQ(src.bad_free, 0);
	CHECK_EQ(h.pages_held, src.live_pages);
	CHECK_EQ(src_reap(&src), 0);
	src_release_all(&src);
}

TEST(double_free_all_classes)
{
	for (size_t sz = 16; sz <= 2048; sz <<= 1) {
		struct heap h = new_heap();
		void *o[8];
		int refused = 0;

		for (int i = 0; i < 8; i++)
			o[i] = heap_alloc(&h, sz);
		for (int i = 0; i < 8; i += 2)
			CHECK(heap_free(&h, o[i]));
		for (int i = 0; i < 8; i += 2)
			refused += !heap_free(&h, o[i]);
		CHECK_EQ(refused, 4);
		CHECK_EQ(h.bytes_in_use, 4 * sz);
		/* Allocating again never returns a live object. */
		for (int i = 0; i < 4; i++) {
			void *p = heap_alloc(&h, sz);

			for (int j = 1; j < 8; j += 2)
				CHECK(p != o[j]);
		}
		src_release_all(&src);
	}
}

TEST(source_failure)
{
	struct heap h = new_heap();
	void *p;

	src.fail_next = 1;
	CHECK(heap_alloc(&h, 16) == NULL);
	CHECK_EQ(h.pages_held, 0);
	CHECK_EQ(h.bytes_in_use, 0);
	src.fail_next = 1;
	CHECK(heap_alloc(&h, 3 * PAGE) == NULL);
	CHECK_EQ(h.pages_held, 0);
	CHECK_EQ(h.bytes_in_use, 0);
	p = heap_alloc(&h, 16);
	CHECK(p != NULL);
	CHECK_EQ(h.pages_held, 1);
	/* A full slab needs a new page; the failure leaves the old one intact. */
	for (int i = 1; i < (int)((PAGE - 64) / 16); i++)
		CHECK(heap_alloc(&h, 16) != NULL);
	CHECK_EQ(h.pages_held, 1);
	src.fail_next = 1;
	CHECK(heap_alloc(&h, 16) == NULL);
	CHECK(heap_alloc(&h, 16) != NULL);
	CHECK_EQ(h.pages_held, 2);
	CHECK_EQ(h.pages_held, src.live_pages);
	src_release_all(&src);
}

TEST(objects_per_slab)
{
	/* Count how many objects of each class share one page. */
	for (unsigned c = 0; c < HEAP_NCLASSES; c++) {
		struct heap h = new_heap();
		size_t sz = (size_t)16 << c, count = 0;

		while (src.live_pages <= 1 && count < 1000) {
			heap_alloc(&h, sz);
			count++;
		}
		count--; /* the last one opened a second page */
		CHECK(count >= 1);
		/* A page minus its 64-byte header, but objects aligned to their size. */
		size_t first = sz > 64 ? sz : 64;

		CHECK_EQ(count, (PAGE - first) / sz);
		src_release_all(&src);
	}
}

static u64 rng = 0x2545f4914f6cdd1dull;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

TEST(random_stress)
{
	struct heap h = new_heap();
	static struct obj live[3000];
	size_t n = 0, expect_bytes = 0;
	int bad_fill = 0, bad_align = 0, bad_acct = 0, fails = 0;

	for (int step = 0; step < 60000; step++) {
		if (n < 3000 && (n == 0 || rnd() % 100 < 52)) {
			size_t sz;
			u64 k = rnd() % 100;

			sz = k < 70 ? rnd() % 257 : k < 95 ? rnd() % 2049 : rnd() % (5 * PAGE);
			u8 *p = heap_alloc(&h, sz);

			if (!p) {
				fails++;
				continue;
			}
			if ((uintptr_t)p % 16)
				bad_align++;
			live[n] = (struct obj){ p, sz, (u8)(rnd() | 1) };
			memset(p, live[n].fill, sz);
			expect_bytes += accounted(sz);
			n++;
		} else {
			size_t i = rnd() % n;

			if (!filled(&live[i]))
				bad_fill++;
			if (!heap_free(&h, live[i].p))
				bad_acct++;
			expect_bytes -= accounted(live[i].size);
			live[i] = live[--n];
		}
		if (h.bytes_in_use != expect_bytes || h.pages_held != src.live_pages)
			bad_acct++;
		if (step % 5000 == 0)
			CHECK_EQ(overlaps(live, n), 0);
		if (src.ndead > 7000)
			bad_fill += src_reap(&src);
	}
	CHECK_EQ(bad_fill, 0);
	CHECK_EQ(bad_align, 0);
	CHECK_EQ(bad_acct, 0);
	CHECK_EQ(fails, 0);
	CHECK_EQ(overlaps(live, n), 0);
	while (n) {
		n--;
		CHECK(filled(&live[n]));
		CHECK(heap_free(&h, live[n].p));
	}
	CHECK_EQ(h.bytes_in_use, 0);
	CHECK(h.pages_held <= HEAP_NCLASSES);
	CHECK_EQ(h.pages_held, src.live_pages);
	CHECK_EQ(src.bad_free, 0);
	CHECK_EQ(src_reap(&src), 0);
	src_release_all(&src);
}

TEST_MAIN({ "every_size_class", every_size_class },
	  { "large_pages_exact", large_pages_exact },
	  { "slab_reuse", slab_reuse },
	  { "free_null_and_foreign", free_null_and_foreign },
	  { "double_free", double_free },
	  { "double_free_all_classes", double_free_all_classes },
	  { "source_failure", source_failure },
	  { "objects_per_slab", objects_per_slab },
	  { "random_stress", random_stress })
