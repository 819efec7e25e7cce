/* SPDX-License-Identifier: MIT */
/*
 * gmem.h: guest RAM page by page (vmm/gmem.c). Pure: the nested mappings,
 * frames and locks are the caller's (vmm/vm_mem.c in the kernel, fakes in
 * tests/unit/test_gmem.c).
 *
 * RAM is backed in 2 MiB chunks, mapped with one large nested page, until
 * a page of the chunk needs to differ from the rest: then the chunk is
 * split and each 4 KiB page has a state. A page shared with others (same
 * contents, one read-only frame) or reclaimed as zero (mapped to the host's
 * one zero frame) is copied on the first write to it; a page in the guest's
 * balloon has no frame until it is touched again.
 *
 * Locking and ordering, which the caller provides: every gmem_* call on g
 * runs under g's lock, nested inside the sharing lock (which also covers
 * the pshare table) wherever ps is passed. A call may leave work in a
 * gmem_batch, to be done after the locks are dropped and in this order:
 * a nested TLB shootdown of g's VM if flush is set (no vCPU may keep a
 * translation to a frame that is freed, shared or replaced), then the
 * frames are freed.
 */
#ifndef TV_GMEM_H
#define TV_GMEM_H

#include <tv/pshare.h>
#include <tv/types.h>

#define GMEM_CHUNK_SHIFT 21
#define GMEM_CHUNK_PAGES 512
#define GMEM_BATCH_MAX 64

enum vm_prot { VM_PROT_NONE, VM_PROT_RO, VM_PROT_RW };

/* Page states in a split chunk's entries (frame address | state). */
enum {
	PG_ABSENT,      /* no frame: the next touch backs it with a zeroed page */
	PG_PRIV,        /* its own frame, writable */
	PG_WP,          /* its own frame, write-protected while the scanner compares it */
	PG_SHARED,      /* a shared frame (pshare), read-only: a write copies it */
	PG_ZERO,        /* the host's zero frame, read-only: a write backs the page */
	PG_BALLOON,     /* in the guest's balloon: no frame */
};
#define PG_STATE 0xfull

struct gmem;

struct gmem_hostops {
	/* A 4 KiB frame for a page of g (contents undefined), or 0. */
	paddr_t (*alloc_page)(struct gmem *g);
	/* Frames leaving g; the caller has shot down the translations. */
	void (*free_page)(struct gmem *g, paddr_t pa);
	void (*free_chunk)(struct gmem *g, paddr_t pa);   /* a whole 2 MiB chunk's frame */
	void *(*p2v)(paddr_t pa);
	/* Map guest RAM page `page` (counted from 0 over all of RAM) as one 4 KiB page. */
	int (*map)(struct gmem *g, u64 page, paddr_t hpa, enum vm_prot prot);
	/* Host memory for g's bookkeeping (a split chunk's entries), zeroed; NULL if none. */
	void *(*zalloc)(u64 size);
	void (*kfree)(void *p);
};

struct gmem {
	const struct gmem_hostops *ops;
	void *ctx;                 /* the caller's (the VM) */
	u64 nchunks;
	uintptr_t *chunks;         /* 0: not backed; a 2 MiB frame; or entries | 1 (split) */
	u64 domain;                /* sharing domain; 0: this memory never shares */
	paddr_t zero_hpa;          /* the host's zero frame (read-only in every guest) */
	/* Guest pages by what backs them; own + shared + zero + ballooned + absent = all. */
	u64 own, shared, zero, ballooned;
	/* Events since start, and bookkeeping memory. */
	u64 cow_breaks, merged, zeroed, split_chunks;
	u64 scan_next;             /* the page the scanner looks at next */
};

struct gmem_batch {
	bool flush;
	unsigned n;
	paddr_t frames[GMEM_BATCH_MAX];
};

/* Guest RAM of nchunks chunks, nothing backed; -ENOMEM (ops->zalloc failed). */
int gmem_init(struct gmem *g, const struct gmem_hostops *ops, void *ctx, u64 nchunks, u64 domain,
	      paddr_t zero_hpa);
/* Give back every frame and shared reference (the VM is gone: no shootdown needed). */
void gmem_free(struct gmem *g, struct pshare *ps);

/* chunk c as one 2 MiB frame the caller has zeroed and mapped: true, or false if backed meanwhile. */
bool gmem_install_chunk(struct gmem *g, u64 c, paddr_t hpa);
bool gmem_chunk_backed(const struct gmem *g, u64 c);
/*
 * The guest (or the host, for write) needs page writable: back it, copy a
 * shared page, give a zero page a frame. 1 changed, 0 nothing to do
 * (already writable), -ENOMEM, or -EAGAIN: the page is shared and ps is
 * NULL (the caller did not take the sharing lock; it takes it and retries).
 */
int gmem_touch(struct gmem *g, struct pshare *ps, u64 page, struct gmem_batch *b);
/*
 * Host pointer to page, valid under the lock. Reading a page without a
 * frame gives the zero frame; writing backs it first (NULL: out of memory,
 * or the page is shared: gmem_touch it with the sharing lock first).
 */
void *gmem_host_page(struct gmem *g, u64 page, bool write, struct gmem_batch *b);

/* Balloon: the page's frame goes back (1), or it had none (0). */
int gmem_balloon_inflate(struct gmem *g, struct pshare *ps, u64 page, struct gmem_batch *b);
void gmem_balloon_deflate(struct gmem *g, u64 page);

/*
 * The scanner, in two steps with a shootdown between them. prepare looks
 * at up to `budget` pages from g->scan_next: zero pages, and pages whose
 * hash matches a shared frame or another page's hint, are candidates and
 * are write-protected; every other page leaves a hint. commit then merges
 * the candidates no write has touched since: zero pages to the zero frame,
 * equal pages into one shared frame. Returns pages looked at.
 */
struct gmem_scan {
	unsigned n;
	u64 page[GMEM_BATCH_MAX];
	u64 hash[GMEM_BATCH_MAX];      /* 0: it was all zero */
};
u64 gmem_scan_prepare(struct gmem *g, struct pshare *ps, struct gmem_scan *s, u64 budget,
		      struct gmem_batch *b);
void gmem_scan_commit(struct gmem *g, struct pshare *ps, struct gmem_scan *s, struct gmem_batch *b);

/*
 * A reset, while no vCPU of the VM runs (the caller bumps the TLB
 * generation): contents zero, shared pages on the zero frame, the balloon
 * empty. Frames no longer needed are freed at once.
 */
void gmem_reset(struct gmem *g, struct pshare *ps);

/* Pages of the guest, and bytes of host memory the bookkeeping uses. */
u64 gmem_pages(const struct gmem *g);
u64 gmem_overhead(const struct gmem *g);

#endif
