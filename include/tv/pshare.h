/* SPDX-License-Identifier: MIT */
/*
 * pshare.h: content-based page sharing, the table (vmm/pshare.c). Pure:
 * unit-tested on the host (tests/unit/test_gmem.c).
 *
 * Entries are keyed by a page's 64-bit hash and its sharing domain (pages
 * only ever merge within one domain: one VM, or the VMs that name the same
 * sched.mem.pshare.salt). An entry is either a shared frame, read-only in
 * every guest that maps it, with a count of the guest pages that do, or a
 * hint: a page seen with that hash, still private and writable, which is
 * only a reason to look closer. A hash match is never trusted: contents are
 * compared in full before pages merge. Probing is bounded (PSHARE_PROBE
 * slots from the home slot), so a full neighbourhood evicts a hint, and a
 * frame that finds no room is simply not shared.
 */
#ifndef TV_PSHARE_H
#define TV_PSHARE_H

#include <tv/types.h>

#define PSHARE_PROBE 8

enum { PS_EMPTY, PS_FRAME, PS_HINT };

struct gmem;

struct pshare_ent {
	u64 hash;
	u64 domain;
	paddr_t hpa;            /* PS_FRAME: the shared frame */
	u32 refs;               /* PS_FRAME: guest pages mapping it */
	u8 kind;
	struct gmem *g;         /* PS_HINT: where the page was seen */
	u64 page;
};

struct pshare {
	struct pshare_ent *t;
	u64 mask;               /* slots - 1 (a power of two) */
	u64 frames;             /* PS_FRAME entries */
	u64 hints;
};

/* Hash of a 4 KiB page; never 0, so 0 can mean "none". */
u64 pshare_hash(const void *page);
bool pshare_page_is_zero(const void *page);

/* Over caller-provided slots (a power of two). */
void pshare_init(struct pshare *ps, struct pshare_ent *slots, u64 nslots);
/* The frame entry for this hash and domain, or NULL. */
struct pshare_ent *pshare_find_frame(struct pshare *ps, u64 hash, u64 domain);
/* The frame entry that holds hpa (hash and domain known), or NULL. */
struct pshare_ent *pshare_find_hpa(struct pshare *ps, u64 hash, u64 domain, paddr_t hpa);
/* A hint for this hash and domain that is not (g, page) itself, or NULL. */
struct pshare_ent *pshare_find_hint(struct pshare *ps, u64 hash, u64 domain, const struct gmem *g,
				    u64 page);
/* A new frame entry with one reference (may replace a hint); NULL if no room. */
struct pshare_ent *pshare_add_frame(struct pshare *ps, u64 hash, u64 domain, paddr_t hpa);
/* Remember (g, page) under hash; lossy, never fails visibly. */
void pshare_add_hint(struct pshare *ps, u64 hash, u64 domain, struct gmem *g, u64 page);
void pshare_remove(struct pshare *ps, struct pshare_ent *e);
/* Forget every hint into g (before g goes away). */
void pshare_forget(struct pshare *ps, const struct gmem *g);

#endif
