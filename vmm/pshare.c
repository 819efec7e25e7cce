// SPDX-License-Identifier: MIT
/*
 * pshare.c: the page-sharing table (tv/pshare.h). Pure; the kernel takes
 * the global sharing lock around every call (vmm/vm_mem.c).
 */
#include <tv/pshare.h>
#include <tv/string.h>

u64 pshare_hash(const void *page)
{
	/* Two multiply-xorshift lanes over the words: fast, and well mixed enough for a hint. */
	const u64 *w = page;
	u64 a = 0x9e3779b97f4a7c15ull, b = 0xc2b2ae3d27d4eb4full;

	for (unsigned i = 0; i < 512; i += 2) {
		a = (a ^ w[i]) * 0xff51afd7ed558ccdull;
		b = (b ^ w[i + 1]) * 0xc4ceb9fe1a85ec53ull;
		a ^= a >> 29;
		b ^= b >> 31;
	}
	a ^= b * 0x9e3779b97f4a7c15ull;
	a ^= a >> 32;
	return a ? a : 1;
}

bool pshare_page_is_zero(const void *page)
{
	const u64 *w = page;
	u64 or = 0;

	for (unsigned i = 0; i < 512; i += 8)
		or |= w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7];
	return or == 0;
}

void pshare_init(struct pshare *ps, struct pshare_ent *slots, u64 nslots)
{
	memset(ps, 0, sizeof(*ps));
	memset(slots, 0, nslots * sizeof(*slots));
	ps->t = slots;
	ps->mask = nslots - 1;
}

static u64 home(const struct pshare *ps, u64 hash, u64 domain)
{
	/* Domains spread over the table too: equal pages of two domains do not crowd one slot. */
	return (hash ^ (domain * 0x9e3779b97f4a7c15ull)) & ps->mask;
}

#define FOR_PROBE(ps, hash, domain, e)                                                         \
	for (u64 i_ = 0, h_ = home(ps, hash, domain);                                          \
	     i_ < PSHARE_PROBE && ((e) = &(ps)->t[(h_ + i_) & (ps)->mask], 1); i_++)

struct pshare_ent *pshare_find_frame(struct pshare *ps, u64 hash, u64 domain)
{
	struct pshare_ent *e;

	FOR_PROBE(ps, hash, domain, e)
		if (e->kind == PS_FRAME && e->hash == hash && e->domain == domain)
			return e;
	return NULL;
}

struct pshare_ent *pshare_find_hpa(struct pshare *ps, u64 hash, u64 domain, paddr_t hpa)
{
	struct pshare_ent *e;

	FOR_PROBE(ps, hash, domain, e)
		if (e->kind == PS_FRAME && e->hpa == hpa && e->hash == hash && e->domain == domain)
			return e;
	return NULL;
}

struct pshare_ent *pshare_find_hint(struct pshare *ps, u64 hash, u64 domain, const struct gmem *g,
				    u64 page)
{
	struct pshare_ent *e;

	FOR_PROBE(ps, hash, domain, e)
		if (e->kind == PS_HINT && e->hash == hash && e->domain == domain &&
		    (e->g != g || e->page != page))
			return e;
	return NULL;
}

/* A slot for a new entry: an empty one, else a hint (frames are never evicted). */
static struct pshare_ent *slot_for(struct pshare *ps, u64 hash, u64 domain)
{
	struct pshare_ent *e, *hint = NULL;

	FOR_PROBE(ps, hash, domain, e) {
		if (e->kind == PS_EMPTY)
			return e;
		if (e->kind == PS_HINT && !hint)
			hint = e;
	}
	if (hint)
		ps->hints--;
	return hint;
}

struct pshare_ent *pshare_add_frame(struct pshare *ps, u64 hash, u64 domain, paddr_t hpa)
{
	struct pshare_ent *e = slot_for(ps, hash, domain);

	if (!e)
		return NULL;
	*e = (struct pshare_ent){ .hash = hash, .domain = domain, .hpa = hpa, .refs = 1,
				  .kind = PS_FRAME };
	ps->frames++;
	return e;
}

void pshare_add_hint(struct pshare *ps, u64 hash, u64 domain, struct gmem *g, u64 page)
{
	struct pshare_ent *e;

	/* One hint per hash: a newer page replaces the older. */
	FOR_PROBE(ps, hash, domain, e)
		if (e->kind == PS_HINT && e->hash == hash && e->domain == domain) {
			e->g = g;
			e->page = page;
			return;
		}
	e = slot_for(ps, hash, domain);
	if (!e)
		return;
	*e = (struct pshare_ent){ .hash = hash, .domain = domain, .kind = PS_HINT, .g = g,
				  .page = page };
	ps->hints++;
}

void pshare_remove(struct pshare *ps, struct pshare_ent *e)
{
	if (e->kind == PS_FRAME)
		ps->frames--;
	else if (e->kind == PS_HINT)
		ps->hints--;
	memset(e, 0, sizeof(*e));
}

void pshare_forget(struct pshare *ps, const struct gmem *g)
{
	for (u64 i = 0; i <= ps->mask; i++)
		if (ps->t[i].kind == PS_HINT && ps->t[i].g == g)
			pshare_remove(ps, &ps->t[i]);
}
