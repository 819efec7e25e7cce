// SPDX-License-Identifier: MIT
/*
 * test_gmem.c: guest RAM page by page (vmm/gmem.c) and the sharing table
 * (vmm/pshare.c) on fake frames and fake nested tables. "Guests" read and
 * write through the nested mappings the code under test set up, faulting
 * into gmem_touch as a vCPU would, so a wrong mapping or a missed copy on
 * write shows as data one guest sees from another.
 */
#include "test.h"

#include <tv/errno.h>
#include <tv/gmem.h>
#include <tv/pshare.h>

#define PAGE 4096u
#define CHUNKS 2
#define NPAGES (CHUNKS * GMEM_CHUNK_PAGES)

/* ---- fake frames: host pointers double as physical addresses ---- */

#define LIVE_SLOTS (1u << 16)
static paddr_t live[LIVE_SLOTS];     /* frames handed out, not yet freed */
static long nlive, bad_frees, fail_allocs;

static unsigned slot(paddr_t pa) { return (unsigned)((pa >> 12) * 2654435761u) % LIVE_SLOTS; }

static void live_add(paddr_t pa)
{
	unsigned i = slot(pa);

	while (live[i])
		i = (i + 1) % LIVE_SLOTS;
	live[i] = pa;
	nlive++;
}

static void live_del(paddr_t pa)
{
	for (unsigned i = slot(pa), n = 0; n < LIVE_SLOTS; i = (i + 1) % LIVE_SLOTS, n++)
		if (live[i] == pa) {
			/* Rehash the run after it so later lookups still find theirs. */
			live[i] = 0;
			nlive--;
			for (unsigned j = (i + 1) % LIVE_SLOTS; live[j]; j = (j + 1) % LIVE_SLOTS) {
				paddr_t x = live[j];

				live[j] = 0;
				nlive--;
				live_add(x);
			}
			memset((void *)pa, 0xdd, PAGE);   /* a use after free reads garbage */
			return;
		}
	bad_frees++;
}

/* Every allocation, freed at exit: freed frames stay readable (poisoned) until then. */
static void *allocs[8192];
static unsigned nallocs;

static void *track(void *p)
{
	if (nallocs < sizeof(allocs) / sizeof(allocs[0]))
		allocs[nallocs++] = p;
	return p;
}

static void free_all(void)
{
	while (nallocs)
		free(allocs[--nallocs]);
}

struct vmfake {
	struct gmem g;
	paddr_t map[NPAGES];        /* the "nested table": frame per guest page */
	enum vm_prot prot[NPAGES];
};

static paddr_t f_alloc_page(struct gmem *g)
{
	void *p;

	(void)g;
	if (fail_allocs > 0 && --fail_allocs == 0)
		return 0;
	p = track(aligned_alloc(PAGE, PAGE));
	memset(p, 0xa5, PAGE);      /* not zeroed: the code must zero what it hands out */
	live_add((paddr_t)p);
	return (paddr_t)p;
}

static void f_free_page(struct gmem *g, paddr_t pa) { (void)g; live_del(pa); }

static void f_free_chunk(struct gmem *g, paddr_t pa)
{
	(void)g;
	for (unsigned i = 0; i < GMEM_CHUNK_PAGES; i++)
		live_del(pa + (paddr_t)i * PAGE);
}

static void *f_p2v(paddr_t pa) { return (void *)pa; }

static int f_map(struct gmem *g, u64 page, paddr_t hpa, enum vm_prot prot)
{
	struct vmfake *v = (struct vmfake *)g;

	v->map[page] = hpa;
	v->prot[page] = prot;
	return 0;
}

static void *f_zalloc(u64 n) { return calloc(1, n); }

static const struct gmem_hostops fops = {
	.alloc_page = f_alloc_page, .free_page = f_free_page, .free_chunk = f_free_chunk,
	.p2v = f_p2v, .map = f_map, .zalloc = f_zalloc, .kfree = free,
};

static struct pshare ps;
static struct pshare_ent slots[1024];
static paddr_t zero;

static void setup(void)
{
	static bool once;

	if (!once && (once = true))
		atexit(free_all);
	memset(live, 0, sizeof(live));
	nlive = bad_frees = fail_allocs = 0;
	pshare_init(&ps, slots, 1024);
	zero = (paddr_t)track(aligned_alloc(PAGE, PAGE));
	memset((void *)zero, 0, PAGE);
}

static struct vmfake *vm_new(u64 domain)
{
	struct vmfake *v = calloc(1, sizeof(*v));

	CHECK_EQ(gmem_init(&v->g, &fops, v, CHUNKS, domain, zero), 0);
	return v;
}

/* A whole chunk the way the kernel backs one on first touch. */
static void back_chunk(struct vmfake *v, u64 c)
{
	u8 *p = track(aligned_alloc(GMEM_CHUNK_PAGES * PAGE, GMEM_CHUNK_PAGES * PAGE));

	memset(p, 0, GMEM_CHUNK_PAGES * PAGE);
	for (unsigned i = 0; i < GMEM_CHUNK_PAGES; i++) {
		live_add((paddr_t)p + (paddr_t)i * PAGE);
		v->map[c * GMEM_CHUNK_PAGES + i] = (paddr_t)p + (paddr_t)i * PAGE;
		v->prot[c * GMEM_CHUNK_PAGES + i] = VM_PROT_RW;
	}
	CHECK(gmem_install_chunk(&v->g, c, (paddr_t)p));
}

/* What the caller does after dropping the locks: flush (nothing to do here), then free. */
static void settle(struct vmfake *v, struct gmem_batch *b)
{
	for (unsigned i = 0; i < b->n; i++)
		v->g.ops->free_page(&v->g, b->frames[i]);
	b->n = 0;
	b->flush = false;
}

static u8 *guest_ptr(struct vmfake *v, u64 page, bool write)
{
	struct gmem_batch b = { 0 };

	/* Not mapped, or read-only for a write: the nested page fault. */
	if (v->prot[page] == VM_PROT_NONE || (write && v->prot[page] != VM_PROT_RW)) {
		int r = gmem_touch(&v->g, NULL, page, &b);

		if (r == -EAGAIN)
			r = gmem_touch(&v->g, &ps, page, &b);
		CHECK(r == 1);
		settle(v, &b);
	}
	CHECK(v->prot[page] == VM_PROT_RW || (!write && v->prot[page] == VM_PROT_RO));
	return (u8 *)v->map[page];
}

static void gfill(struct vmfake *v, u64 page, u8 byte)
{
	memset(guest_ptr(v, page, true), byte, PAGE);
}

static bool gis(struct vmfake *v, u64 page, u8 byte)
{
	const u8 *p = guest_ptr(v, page, false);

	for (unsigned i = 0; i < PAGE; i++)
		if (p[i] != byte)
			return false;
	return true;
}

/* Scan all of v's memory: prepare, "shoot down", commit. */
static void scan_all(struct vmfake *v)
{
	for (u64 done = 0; done < NPAGES;) {
		struct gmem_scan s;
		struct gmem_batch b = { 0 };

		done += gmem_scan_prepare(&v->g, &ps, &s, NPAGES - done, &b);
		for (unsigned i = 0; i < s.n; i++)
			CHECK_EQ(v->prot[s.page[i]], VM_PROT_RO);  /* write-protected before compared */
		settle(v, &b);
		gmem_scan_commit(&v->g, &ps, &s, &b);
		settle(v, &b);
	}
}

static void vm_done(struct vmfake *v)
{
	gmem_free(&v->g, &ps);
	pshare_forget(&ps, &v->g);
	track(v);
}

/* ---- the table ---- */

TEST(hash_and_table)
{
	static u64 a[512], b[512];

	setup();
	CHECK(pshare_page_is_zero(a));
	CHECK(pshare_hash(a) != 0);
	a[511] = 1;
	CHECK(!pshare_page_is_zero(a));
	memcpy(b, a, sizeof(a));
	CHECK_EQ(pshare_hash(a), pshare_hash(b));
	/* Any one bit anywhere changes the hash. */
	for (unsigned w = 0; w < 512; w += 37)
		for (unsigned bit = 0; bit < 64; bit += 13) {
			b[w] ^= 1ull << bit;
			CHECK(pshare_hash(a) != pshare_hash(b));
			b[w] ^= 1ull << bit;
		}
	/* Frames by hash and domain; hints exclude the page itself. */
	struct pshare_ent *e = pshare_add_frame(&ps, 42, 7, 0x1000);

	CHECK(e && e->refs == 1);
	CHECK(pshare_find_frame(&ps, 42, 7) == e);
	CHECK(pshare_find_frame(&ps, 42, 8) == NULL);
	CHECK(pshare_find_hpa(&ps, 42, 7, 0x1000) == e);
	CHECK(pshare_find_hpa(&ps, 42, 7, 0x2000) == NULL);
	pshare_add_hint(&ps, 43, 7, (struct gmem *)&ps, 5);
	CHECK(pshare_find_hint(&ps, 43, 7, (struct gmem *)&ps, 5) == NULL);
	CHECK(pshare_find_hint(&ps, 43, 7, (struct gmem *)&ps, 6) != NULL);
	CHECK(pshare_find_hint(&ps, 43, 9, (struct gmem *)&ps, 6) == NULL);
	/* A full neighbourhood: hints give way to frames, frames never do. */
	for (unsigned i = 0; i < PSHARE_PROBE; i++)
		pshare_add_hint(&ps, 1000 + i * 1024ull, 0, (struct gmem *)&ps, i);
	for (unsigned i = 0; i < PSHARE_PROBE; i++)
		CHECK(pshare_add_frame(&ps, 1000 + i * 1024ull, 0, 0x1000 * (i + 1)) != NULL);
	CHECK(pshare_add_frame(&ps, 1000 + 99 * 1024ull, 0, 0x99000) == NULL);
	CHECK_EQ(ps.frames, 1 + PSHARE_PROBE);
	pshare_forget(&ps, (struct gmem *)&ps);
	CHECK_EQ(ps.hints, 0);
	pshare_remove(&ps, e);
	CHECK(pshare_find_frame(&ps, 42, 7) == NULL);
}

/* ---- pages ---- */

TEST(first_touch_and_small_pages)
{
	struct vmfake *v;

	setup();
	v = vm_new(1);
	/* Page by page when there is no whole chunk: fresh pages read zero. */
	CHECK(gis(v, 3, 0));
	gfill(v, 3, 0x33);
	CHECK(gis(v, 3, 0x33));
	CHECK_EQ(v->g.own, 1);
	CHECK_EQ(nlive, 1);
	/* Host reads of a page never touched give zeros and back nothing. */
	CHECK(((u8 *)gmem_host_page(&v->g, 700, false, NULL))[100] == 0);
	CHECK_EQ(nlive, 1);
	/* Out of frames: -ENOMEM, nothing half done. */
	fail_allocs = 1;
	{
		struct gmem_batch b = { 0 };

		CHECK_EQ(gmem_touch(&v->g, NULL, 4, &b), -ENOMEM);
		CHECK_EQ(v->prot[4], VM_PROT_NONE);
	}
	vm_done(v);
	CHECK_EQ(nlive, 0);
	CHECK_EQ(bad_frees, 0);
}

TEST(zero_pages_reclaimed)
{
	struct vmfake *v;

	setup();
	v = vm_new(1);
	back_chunk(v, 0);
	for (u64 p = 0; p < 100; p++)
		gfill(v, p, (u8)(p + 1));
	scan_all(v);
	/* The 412 untouched pages of the chunk went to the zero frame. */
	CHECK_EQ(v->g.zero, GMEM_CHUNK_PAGES - 100);
	CHECK_EQ(v->g.own, 100);
	CHECK_EQ(nlive, 100);
	CHECK_EQ(v->map[200], zero);
	CHECK_EQ(v->prot[200], VM_PROT_RO);
	CHECK(gis(v, 200, 0));
	for (u64 p = 0; p < 100; p++)
		CHECK(gis(v, p, (u8)(p + 1)));
	/* A write to a zero page gets a frame of its own; the zero frame stays zero. */
	gfill(v, 200, 0x77);
	CHECK(gis(v, 200, 0x77));
	CHECK(pshare_page_is_zero((void *)zero));
	CHECK_EQ(v->g.cow_breaks, 1);
	CHECK_EQ(v->g.own, 101);
	vm_done(v);
	CHECK_EQ(nlive, 0);
	CHECK_EQ(bad_frees, 0);
}

TEST(sharing_and_copy_on_write)
{
	struct vmfake *v;

	setup();
	v = vm_new(1);
	back_chunk(v, 0);
	/* 64 pages with the same contents, 32 with others, the rest unique. */
	for (u64 p = 0; p < GMEM_CHUNK_PAGES; p++) {
		gfill(v, p, p < 64 ? 0x11 : p < 96 ? 0x22 : (u8)(p % 200 + 40));
		if (p >= 96)
			memcpy(guest_ptr(v, p, true), &p, sizeof(p));
	}
	/*
	 * Pass 1 leaves hints (an unsplit chunk with no match is not split).
	 * Pass 2 merges the rest of each group into its first page; the page
	 * the hint named (the last of a group) joins if the group's frame
	 * existed when it was looked at (0x22's), else on pass 3 (0x11's:
	 * its whole group fell in the first batch).
	 */
	scan_all(v);
	CHECK_EQ(v->g.shared, 0);
	scan_all(v);
	CHECK_EQ(v->g.shared, 95);
	CHECK(v->map[63] != v->map[0]);
	scan_all(v);
	CHECK_EQ(v->g.shared, 96);
	CHECK_EQ(ps.frames, 2);
	CHECK_EQ(v->map[0], v->map[63]);
	CHECK_EQ(v->prot[0], VM_PROT_RO);
	CHECK(v->map[0] != v->map[64]);
	/* Pages that differ in one word never merge. */
	CHECK(v->map[100] != v->map[300]);
	CHECK_EQ(v->prot[100], VM_PROT_RW);
	/* One byte written into a copy: the rest of that page is still the old contents. */
	guest_ptr(v, 6, true)[100] = 0x77;
	CHECK_EQ(guest_ptr(v, 6, false)[100], 0x77);
	CHECK_EQ(guest_ptr(v, 6, false)[101], 0x11);
	CHECK_EQ(guest_ptr(v, 6, false)[4095], 0x11);
	CHECK(gis(v, 7, 0x11));
	gfill(v, 6, 0x11);      /* equal again: stays private until the next scan */
	/* Write one copy: it breaks away, the others keep the old contents. */
	gfill(v, 5, 0x99);
	CHECK(gis(v, 5, 0x99));
	for (u64 p = 0; p < 64; p++)
		if (p != 5)
			CHECK(gis(v, p, 0x11));
	CHECK_EQ(v->g.shared, 94);
	CHECK_EQ(v->g.cow_breaks, 2);
	/* Write every copy of the 0x22 page: the last one frees the shared frame. */
	for (u64 p = 64; p < 96; p++)
		gfill(v, p, (u8)p);
	CHECK_EQ(ps.frames, 1);
	for (u64 p = 64; p < 96; p++)
		CHECK(gis(v, p, (u8)p));
	vm_done(v);
	CHECK_EQ(ps.frames, 0);
	CHECK_EQ(nlive, 0);
	CHECK_EQ(bad_frees, 0);
}

/* A hash match is never trusted: a frame filed under a page's hash with other contents. */
TEST(hash_match_is_compared)
{
	struct vmfake *v;
	u8 *other;

	setup();
	v = vm_new(1);
	gfill(v, 0, 0x42);
	other = track(aligned_alloc(PAGE, PAGE));
	memset(other, 0x43, PAGE);
	CHECK(pshare_add_frame(&ps, pshare_hash(guest_ptr(v, 0, false)), 1, (paddr_t)other) != NULL);
	scan_all(v);
	CHECK(v->map[0] != (paddr_t)other);
	CHECK_EQ(v->prot[0], VM_PROT_RW);
	CHECK(gis(v, 0, 0x42));
	CHECK_EQ(v->g.shared, 0);
	vm_done(v);
	/* The planted frame is the table's only reference to it: take it out by hand. */
	for (u64 i = 0; i <= ps.mask; i++)
		if (ps.t[i].kind == PS_FRAME && ps.t[i].hpa == (paddr_t)other)
			pshare_remove(&ps, &ps.t[i]);
	CHECK_EQ(nlive, 0);
	CHECK_EQ(bad_frees, 0);
}

/* A write between write protection and compare keeps the page out of the merge. */
TEST(write_during_scan)
{
	struct vmfake *v;
	struct gmem_scan s;
	struct gmem_batch b = { 0 };

	setup();
	v = vm_new(1);
	for (u64 p = 0; p < 4; p++)
		gfill(v, p, 0x44);
	scan_all(v);            /* page 0 leaves a hint: 1..3 join when their turn comes */
	v->g.scan_next = 0;
	gmem_scan_prepare(&v->g, &ps, &s, NPAGES, &b);
	settle(v, &b);
	gfill(v, 2, 0x45);      /* the guest writes a candidate */
	gmem_scan_commit(&v->g, &ps, &s, &b);
	settle(v, &b);
	CHECK(gis(v, 2, 0x45));
	CHECK(v->map[2] != v->map[0] && v->map[2] != v->map[1]);
	CHECK_EQ(v->prot[2], VM_PROT_RW);
	CHECK(gis(v, 0, 0x44) && gis(v, 1, 0x44) && gis(v, 3, 0x44));
	vm_done(v);
	CHECK_EQ(nlive, 0);
	CHECK_EQ(bad_frees, 0);
}

/* Isolation: pages merge across VMs only within one domain, and a write is never seen across. */
TEST(domains)
{
	struct vmfake *a, *b, *c;

	setup();
	a = vm_new(100);
	b = vm_new(100);        /* the same salt as a */
	c = vm_new(200);        /* its own */
	for (u64 p = 0; p < 16; p++) {
		gfill(a, p, 0x5e);
		gfill(b, p, 0x5e);
		gfill(c, p, 0x5e);
	}
	for (int pass = 0; pass < 2; pass++) {
		scan_all(a);
		scan_all(b);
		scan_all(c);
	}
	CHECK_EQ(a->map[0], b->map[0]);
	CHECK(c->map[0] != a->map[0]);
	CHECK_EQ(c->map[0], c->map[1]);   /* c shares within itself */
	CHECK_EQ(ps.frames, 2);
	/* Each writes its own pattern; none sees another's. */
	for (u64 p = 0; p < 16; p++) {
		gfill(a, p, 0xa0);
		gfill(b, p, 0xb0);
	}
	for (u64 p = 0; p < 16; p++) {
		CHECK(gis(a, p, 0xa0));
		CHECK(gis(b, p, 0xb0));
		CHECK(gis(c, p, 0x5e));
	}
	/* A VM that goes keeps the frames others still map. */
	gfill(b, 0, 0x5e);
	gfill(b, 1, 0x5e);
	scan_all(b);
	scan_all(b);
	vm_done(c);
	CHECK(gis(b, 0, 0x5e));
	vm_done(a);
	vm_done(b);
	CHECK_EQ(ps.frames, 0);
	CHECK_EQ(nlive, 0);
	CHECK_EQ(bad_frees, 0);
}

/* Domain 0 (sched.mem.pshare.enable = FALSE): nothing merges, not even within the VM. */
TEST(sharing_off)
{
	struct vmfake *v;

	setup();
	v = vm_new(0);
	for (u64 p = 0; p < 8; p++)
		gfill(v, p, 0x66);
	scan_all(v);
	scan_all(v);
	CHECK_EQ(v->g.shared, 0);
	CHECK_EQ(ps.hints + ps.frames, 0);
	vm_done(v);
	CHECK_EQ(nlive, 0);
}

TEST(balloon)
{
	struct vmfake *v;
	struct gmem_batch b = { 0 };

	setup();
	v = vm_new(1);
	back_chunk(v, 0);
	gfill(v, 10, 0x10);
	CHECK_EQ(gmem_balloon_inflate(&v->g, &ps, 10, &b), 1);
	CHECK(b.flush && b.n == 1);   /* its frame goes, after the shootdown */
	settle(v, &b);
	CHECK_EQ(v->prot[10], VM_PROT_NONE);
	CHECK_EQ(v->g.ballooned, 1);
	CHECK_EQ(v->g.own, GMEM_CHUNK_PAGES - 1);
	CHECK_EQ(gmem_balloon_inflate(&v->g, &ps, 10, &b), 0);   /* twice: nothing more */
	CHECK_EQ(v->g.ballooned, 1);
	CHECK_EQ(gmem_balloon_inflate(&v->g, &ps, NPAGES, &b), -EFAULT);
	/* An untouched chunk's page can be ballooned too: nothing to free. */
	CHECK_EQ(gmem_balloon_inflate(&v->g, &ps, 600, &b), 0);
	CHECK_EQ(b.n, 0);
	/* Deflated, it comes back zeroed on its next touch. */
	gmem_balloon_deflate(&v->g, 10);
	CHECK_EQ(v->g.ballooned, 1);
	CHECK(gis(v, 10, 0));
	/* A guest touching a ballooned page without deflating just gets it back. */
	CHECK(gis(v, 600, 0));
	CHECK_EQ(v->g.ballooned, 0);
	vm_done(v);
	CHECK_EQ(nlive, 0);
	CHECK_EQ(bad_frees, 0);
}

TEST(reset)
{
	struct vmfake *v;

	setup();
	v = vm_new(1);
	back_chunk(v, 0);
	for (u64 p = 0; p < 8; p++)
		gfill(v, p, 0x31);
	gfill(v, 600, 0x32);
	scan_all(v);
	scan_all(v);
	CHECK(v->g.shared == 8);
	gmem_reset(&v->g, &ps);
	CHECK_EQ(v->g.shared, 0);
	CHECK_EQ(ps.frames, 0);
	for (u64 p = 0; p < NPAGES; p += 7)
		CHECK(gis(v, p, 0));
	CHECK(gis(v, 600, 0));
	vm_done(v);
	CHECK_EQ(nlive, 0);
	CHECK_EQ(bad_frees, 0);
}

TEST_MAIN({ "hash_and_table", hash_and_table },
	  { "first_touch_and_small_pages", first_touch_and_small_pages },
	  { "zero_pages_reclaimed", zero_pages_reclaimed },
	  { "sharing_and_copy_on_write", sharing_and_copy_on_write },
	  { "hash_match_is_compared", hash_match_is_compared },
	  { "write_during_scan", write_during_scan },
	  { "domains", domains },
	  { "sharing_off", sharing_off },
	  { "balloon", balloon },
	  { "reset", reset })
