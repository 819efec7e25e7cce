// SPDX-License-Identifier: MIT
/*
 * gmem.c: guest RAM page by page (tv/gmem.h): splitting chunks, copy on
 * write, zero pages, sharing and the balloon. Pure; the caller holds the
 * locks and does the shootdowns (vmm/vm_mem.c).
 */
#include <tv/errno.h>
#include <tv/gmem.h>
#include <tv/string.h>

#define PAGE 4096ull
#define SPLIT_BIT 1u
/* A whole chunk is split only for this many reclaimable pages: the entries cost a page. */
#define SPLIT_MIN 8

static bool is_split(uintptr_t c) { return c & SPLIT_BIT; }
static u64 *entries(uintptr_t c) { return (u64 *)(c & ~(uintptr_t)SPLIT_BIT); }
static unsigned state(u64 e) { return (unsigned)(e & PG_STATE); }
static paddr_t frame(u64 e) { return e & ~0xfffull; }

static void batch_free(struct gmem_batch *b, paddr_t pa)
{
	b->flush = true;
	b->frames[b->n++] = pa;   /* callers never free more than GMEM_BATCH_MAX per call */
}

int gmem_init(struct gmem *g, const struct gmem_hostops *ops, void *ctx, u64 nchunks, u64 domain,
	      paddr_t zero_hpa)
{
	memset(g, 0, sizeof(*g));
	g->ops = ops;
	g->ctx = ctx;
	g->nchunks = nchunks;
	g->domain = domain;
	g->zero_hpa = zero_hpa;
	g->chunks = ops->zalloc(nchunks * sizeof(*g->chunks));
	return g->chunks ? 0 : -ENOMEM;
}

u64 gmem_pages(const struct gmem *g)
{
	return g->nchunks * GMEM_CHUNK_PAGES;
}

u64 gmem_overhead(const struct gmem *g)
{
	return g->nchunks * sizeof(*g->chunks) + g->split_chunks * GMEM_CHUNK_PAGES * sizeof(u64);
}

bool gmem_chunk_backed(const struct gmem *g, u64 c)
{
	return __atomic_load_n(&g->chunks[c], __ATOMIC_ACQUIRE) != 0;
}

bool gmem_install_chunk(struct gmem *g, u64 c, paddr_t hpa)
{
	if (g->chunks[c])
		return false;
	__atomic_store_n(&g->chunks[c], hpa, __ATOMIC_RELEASE);
	g->own += GMEM_CHUNK_PAGES;
	return true;
}

/* Entries for chunk c: a whole chunk's pages keep their frames; an unbacked one's are absent. */
static u64 *split(struct gmem *g, u64 c)
{
	uintptr_t ch = g->chunks[c];
	u64 *e;

	if (is_split(ch))
		return entries(ch);
	e = g->ops->zalloc(GMEM_CHUNK_PAGES * sizeof(u64));
	if (!e)
		return NULL;
	if (ch)
		for (unsigned i = 0; i < GMEM_CHUNK_PAGES; i++)
			e[i] = (ch + i * PAGE) | PG_PRIV;
	g->split_chunks++;
	__atomic_store_n(&g->chunks[c], (uintptr_t)e | SPLIT_BIT, __ATOMIC_RELEASE);
	return e;
}

static u64 *entry(struct gmem *g, u64 page)
{
	u64 *e = split(g, page / GMEM_CHUNK_PAGES);

	return e ? &e[page % GMEM_CHUNK_PAGES] : NULL;
}

/* The hash a shared frame is filed under: its contents, which no one can change. */
static u64 frame_hash(struct gmem *g, paddr_t hpa)
{
	return pshare_hash(g->ops->p2v(hpa));
}

/* page stops using shared frame hpa; the frame goes when no page maps it. */
static void unshare(struct gmem *g, struct pshare *ps, paddr_t hpa, struct gmem_batch *b)
{
	struct pshare_ent *s = pshare_find_hpa(ps, frame_hash(g, hpa), g->domain, hpa);

	g->shared--;
	if (!s)
		return;         /* cannot happen: a shared page's frame is in the table */
	if (--s->refs == 0) {
		pshare_remove(ps, s);
		batch_free(b, hpa);
	}
}

int gmem_touch(struct gmem *g, struct pshare *ps, u64 page, struct gmem_batch *b)
{
	uintptr_t ch = g->chunks[page / GMEM_CHUNK_PAGES];
	u64 *e, old;
	paddr_t pa;

	if (ch && !is_split(ch))
		return 0;       /* a whole chunk is writable */
	e = entry(g, page);
	if (!e)
		return -ENOMEM;
	old = *e;
	if (state(old) == PG_SHARED && !ps)
		return -EAGAIN;
	switch (state(old)) {
	case PG_PRIV:
		return 0;
	case PG_WP:
		/* The scanner's compare is off: commit sees PG_PRIV and leaves it. */
		if (g->ops->map(g, page, frame(old), VM_PROT_RW))
			return -ENOMEM;
		*e = frame(old) | PG_PRIV;
		return 1;
	default:
		break;
	}
	pa = g->ops->alloc_page(g);
	if (!pa)
		return -ENOMEM;
	if (state(old) == PG_SHARED)
		memcpy(g->ops->p2v(pa), g->ops->p2v(frame(old)), PAGE);
	else
		memset(g->ops->p2v(pa), 0, PAGE);
	if (g->ops->map(g, page, pa, VM_PROT_RW)) {
		g->ops->free_page(g, pa);
		return -ENOMEM;
	}
	*e = pa | PG_PRIV;
	g->own++;
	switch (state(old)) {
	case PG_SHARED:
		g->cow_breaks++;
		unshare(g, ps, frame(old), b);
		break;
	case PG_ZERO:
		g->cow_breaks++;
		g->zero--;
		break;
	case PG_BALLOON:
		g->ballooned--;  /* touched without a deflate: it is the guest's again */
		break;
	}
	/* Other vCPUs may still read the old frame: they must see the new one before we go on. */
	if (state(old) == PG_SHARED || state(old) == PG_ZERO)
		b->flush = true;
	return 1;
}

void *gmem_host_page(struct gmem *g, u64 page, bool write, struct gmem_batch *b)
{
	uintptr_t ch = g->chunks[page / GMEM_CHUNK_PAGES];
	u64 e;

	if (ch && !is_split(ch))
		return (u8 *)g->ops->p2v(ch) + (page % GMEM_CHUNK_PAGES) * PAGE;
	e = ch ? entries(ch)[page % GMEM_CHUNK_PAGES] : PG_ABSENT;
	if (!write)
		/* Reading a page without a frame backs nothing: it reads as zero. */
		return g->ops->p2v(state(e) == PG_ABSENT || state(e) == PG_BALLOON ? g->zero_hpa
										     : frame(e));
	if (state(e) != PG_PRIV && gmem_touch(g, NULL, page, b) < 0)
		return NULL;
	return g->ops->p2v(frame(entries(g->chunks[page / GMEM_CHUNK_PAGES])[page % GMEM_CHUNK_PAGES]));
}

/* Drop whatever backs the page at *e, leaving it in state st (absent or balloon). */
static void release(struct gmem *g, struct pshare *ps, u64 page, u64 *e, unsigned st,
		    struct gmem_batch *b)
{
	u64 old = *e;

	switch (state(old)) {
	case PG_PRIV:
	case PG_WP:
		g->own--;
		batch_free(b, frame(old));
		break;
	case PG_SHARED:
		unshare(g, ps, frame(old), b);
		b->flush = true;
		break;
	case PG_ZERO:
		g->zero--;
		b->flush = true;
		break;
	case PG_BALLOON:
		g->ballooned--;
		break;
	}
	g->ops->map(g, page, 0, VM_PROT_NONE);   /* an unmap never needs a table */
	*e = st;
	if (st == PG_BALLOON)
		g->ballooned++;
}

int gmem_balloon_inflate(struct gmem *g, struct pshare *ps, u64 page, struct gmem_batch *b)
{
	u64 *e;
	unsigned old;

	if (page >= gmem_pages(g))
		return -EFAULT;
	e = entry(g, page);
	if (!e)
		return -ENOMEM;
	old = state(*e);
	if (old == PG_BALLOON)
		return 0;
	release(g, ps, page, e, PG_BALLOON, b);
	return old == PG_PRIV || old == PG_WP || old == PG_SHARED;
}

void gmem_balloon_deflate(struct gmem *g, u64 page)
{
	uintptr_t ch;
	u64 *e;

	if (page >= gmem_pages(g))
		return;
	ch = g->chunks[page / GMEM_CHUNK_PAGES];
	if (!is_split(ch))
		return;
	e = &entries(ch)[page % GMEM_CHUNK_PAGES];
	if (state(*e) == PG_BALLOON) {
		*e = PG_ABSENT;  /* backed, zeroed, on its next touch */
		g->ballooned--;
	}
}

/* ---- the scanner ---- */

/* Is the page at host address p worth write-protecting? Its hash in *h (0: zero). */
static bool candidate(struct gmem *g, struct pshare *ps, u64 page, const void *p, u64 *h)
{
	if (pshare_page_is_zero(p)) {
		*h = 0;
		return true;
	}
	if (!g->domain)
		return false;
	*h = pshare_hash(p);
	return pshare_find_frame(ps, *h, g->domain) || pshare_find_hint(ps, *h, g->domain, g, page);
}

/* Count a whole chunk's candidates, to split it only when it pays. */
static unsigned whole_candidates(struct gmem *g, struct pshare *ps, u64 c, u64 from)
{
	unsigned n = 0;
	u64 h;

	for (u64 i = from % GMEM_CHUNK_PAGES; i < GMEM_CHUNK_PAGES && n < SPLIT_MIN; i++)
		n += candidate(g, ps, c * GMEM_CHUNK_PAGES + i,
			       (u8 *)g->ops->p2v(g->chunks[c]) + i * PAGE, &h);
	return n;
}

u64 gmem_scan_prepare(struct gmem *g, struct pshare *ps, struct gmem_scan *s, u64 budget,
		      struct gmem_batch *b)
{
	u64 looked = 0, total = gmem_pages(g);

	s->n = 0;
	while (looked < budget && s->n < GMEM_BATCH_MAX && total) {
		u64 page = g->scan_next % total, c = page / GMEM_CHUNK_PAGES, h;
		uintptr_t ch = g->chunks[c];
		u64 *e;
		void *p;

		if (!ch) {
			/* Nothing backed: skip the chunk. */
			looked += GMEM_CHUNK_PAGES - page % GMEM_CHUNK_PAGES;
			g->scan_next = (c + 1) * GMEM_CHUNK_PAGES;
			continue;
		}
		if (!is_split(ch) && whole_candidates(g, ps, c, page) < SPLIT_MIN) {
			/* Leave it whole; its pages still leave hints for others to match. */
			for (u64 i = page % GMEM_CHUNK_PAGES; g->domain && i < GMEM_CHUNK_PAGES; i++) {
				p = (u8 *)g->ops->p2v(ch) + i * PAGE;
				if (!pshare_page_is_zero(p))
					pshare_add_hint(ps, pshare_hash(p), g->domain, g,
							c * GMEM_CHUNK_PAGES + i);
			}
			looked += GMEM_CHUNK_PAGES - page % GMEM_CHUNK_PAGES;
			g->scan_next = (c + 1) * GMEM_CHUNK_PAGES;
			continue;
		}
		g->scan_next = page + 1;
		looked++;
		e = entry(g, page);
		if (!e)
			break;
		if (state(*e) != PG_PRIV)
			continue;
		p = g->ops->p2v(frame(*e));
		if (!candidate(g, ps, page, p, &h)) {
			if (g->domain)
				pshare_add_hint(ps, h, g->domain, g, page);
			continue;
		}
		if (g->ops->map(g, page, frame(*e), VM_PROT_RO))
			break;
		*e = frame(*e) | PG_WP;
		s->page[s->n] = page;
		s->hash[s->n++] = h;
		b->flush = true;
	}
	return looked;
}

/* Merge one write-protected page; *e is PG_WP with frame f, contents stable. */
static void merge(struct gmem *g, struct pshare *ps, u64 page, u64 *e, u64 h, struct gmem_batch *b)
{
	paddr_t f = frame(*e);
	const void *p = g->ops->p2v(f);
	struct pshare_ent *s;

	if (pshare_page_is_zero(p)) {
		if (!g->ops->map(g, page, g->zero_hpa, VM_PROT_RO)) {
			*e = g->zero_hpa | PG_ZERO;
			g->own--;
			g->zero++;
			g->zeroed++;
			batch_free(b, f);
			return;
		}
	} else if (h && g->domain) {
		/* The hash was taken before the write protection: take it again. */
		h = pshare_hash(p);
		s = pshare_find_frame(ps, h, g->domain);
		if (s && s->refs < ~0u && !memcmp(p, g->ops->p2v(s->hpa), PAGE) &&
		    !g->ops->map(g, page, s->hpa, VM_PROT_RO)) {
			s->refs++;
			*e = s->hpa | PG_SHARED;
			g->own--;
			g->shared++;
			g->merged++;
			batch_free(b, f);
			return;
		}
		if (!s && pshare_find_hint(ps, h, g->domain, g, page) &&
		    pshare_add_frame(ps, h, g->domain, f)) {
			/*
			 * Another page had these contents: this frame becomes the shared
			 * one, already read-only; that page joins it when next scanned.
			 */
			*e = f | PG_SHARED;
			g->own--;
			g->shared++;
			return;
		}
	}
	g->ops->map(g, page, f, VM_PROT_RW);   /* the entry exists: no table needed */
	*e = f | PG_PRIV;
	if (h && g->domain)
		pshare_add_hint(ps, h, g->domain, g, page);
}

void gmem_scan_commit(struct gmem *g, struct pshare *ps, struct gmem_scan *s, struct gmem_batch *b)
{
	for (unsigned i = 0; i < s->n; i++) {
		u64 *e = entry(g, s->page[i]);

		/* Written since prepare (gmem_touch made it private again): leave it. */
		if (e && state(*e) == PG_WP)
			merge(g, ps, s->page[i], e, s->hash[i], b);
	}
	s->n = 0;
}

/* ---- reset and teardown ---- */

void gmem_reset(struct gmem *g, struct pshare *ps)
{
	struct gmem_batch b;

	for (u64 c = 0; c < g->nchunks; c++) {
		uintptr_t ch = g->chunks[c];

		if (!ch)
			continue;
		if (!is_split(ch)) {
			memset(g->ops->p2v(ch), 0, GMEM_CHUNK_PAGES * PAGE);
			continue;
		}
		for (u64 i = 0; i < GMEM_CHUNK_PAGES; i++) {
			u64 *e = &entries(ch)[i], page = c * GMEM_CHUNK_PAGES + i;

			b.n = 0;
			switch (state(*e)) {
			case PG_WP:
				g->ops->map(g, page, frame(*e), VM_PROT_RW);
				*e = frame(*e) | PG_PRIV;
				/* fall through */
			case PG_PRIV:
				memset(g->ops->p2v(frame(*e)), 0, PAGE);
				break;
			case PG_SHARED:
				unshare(g, ps, frame(*e), &b);
				g->ops->map(g, page, g->zero_hpa, VM_PROT_RO);
				*e = g->zero_hpa | PG_ZERO;
				g->zero++;
				break;
			case PG_BALLOON:
				*e = PG_ABSENT;
				g->ballooned--;
				break;
			}
			if (b.n)
				g->ops->free_page(g, b.frames[0]);
		}
	}
}

void gmem_free(struct gmem *g, struct pshare *ps)
{
	struct gmem_batch b;

	for (u64 c = 0; g->chunks && c < g->nchunks; c++) {
		uintptr_t ch = g->chunks[c];

		if (!ch)
			continue;
		if (!is_split(ch)) {
			g->ops->free_chunk(g, ch);
			continue;
		}
		for (u64 i = 0; i < GMEM_CHUNK_PAGES; i++) {
			u64 e = entries(ch)[i];

			b.n = 0;
			if (state(e) == PG_PRIV || state(e) == PG_WP)
				g->ops->free_page(g, frame(e));
			else if (state(e) == PG_SHARED)
				unshare(g, ps, frame(e), &b);
			if (b.n)
				g->ops->free_page(g, b.frames[0]);
		}
		g->ops->kfree(entries(ch));
	}
	g->ops->kfree(g->chunks);
	g->chunks = NULL;
	g->own = g->shared = g->zero = g->ballooned = 0;
}
