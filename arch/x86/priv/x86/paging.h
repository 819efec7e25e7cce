/* SPDX-License-Identifier: MIT */
/*
 * paging.h: x86-64 4-level page-table entries (also the NPT format) and
 * the pure mapping routine in paging.c.
 */
#ifndef X86_PAGING_H
#define X86_PAGING_H

#include <tv/types.h>

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

/*
 * Memory types through the PAT as the kernel programs it (cpu.c): index 0
 * WB, 1 WC, 3 UC, selected with PWT and PCD alone so the same bits work
 * for 4 KiB and large pages.
 */
#define PAT_VALUE 0x0007040600070106ull
#define PTE_CACHE_WB 0
#define PTE_CACHE_WC PTE_PWT
#define PTE_CACHE_UC (PTE_PWT | PTE_PCD)

#define PT_LEVEL_4K 1
#define PT_LEVEL_2M 2
#define PT_LEVEL_1G 3

struct pt_ops {
	/* A zeroed page for a table: its physical address, or 0. */
	u64 (*alloc_table)(void *ctx);
	void *(*p2v)(void *ctx, u64 pa);
	void (*free_table)(void *ctx, u64 pa);   /* for pt_free_tree */
	void *ctx;
	u64 table_flags;     /* flags of non-leaf entries (P|W, plus U for NPT) */
	unsigned max_level;  /* largest page allowed: PT_LEVEL_* */
};

/*
 * Map [va, va+size) to [pa, pa+size) with leaf flags (PTE_P and friends),
 * using the largest pages alignment and max_level allow. All of va, pa and
 * size must be 4 KiB aligned. Returns 0, -EINVAL, -ENOMEM, or -EEXIST if a
 * page is already mapped (nothing is ever silently replaced). On failure the
 * pages mapped before the error stay mapped; callers tear down or give up.
 */
int pt_map(const struct pt_ops *ops, u64 root_pa, u64 va, u64 pa, u64 size, u64 flags);

/*
 * Free a table of this level (4: a root) and every table below it through
 * ops->free_table, not the pages they map. Bit 0 marks an entry present (P
 * in paging and NPT, R in EPT, which this code always sets).
 */
void pt_free_tree(const struct pt_ops *ops, u64 table_pa, unsigned level);

/*
 * pt_ops for nested page tables (mmu.c): frames from the allocator, reached
 * through the direct map, counted in *pages; pages up to 2 MiB.
 */
struct pt_ops pt_ops_guest(u64 *pages, u64 table_flags);

/*
 * The 4 KiB leaf entry for va, creating tables and splitting a 2 MiB page
 * over it into 4 KiB ones that map the same (what the guest sees does not
 * change); NULL when out of memory. The caller writes the entry.
 */
u64 *pt_entry_4k(const struct pt_ops *ops, u64 root_pa, u64 va);

/* Walk to the leaf for va: its entry and level, or NULL when not mapped. */
u64 *pt_lookup(const struct pt_ops *ops, u64 root_pa, u64 va, unsigned *level);
/* The kernel's 4 KiB PTE for va (mmu.c), NULL if va is not mapped by one. */
u64 *mmu_kernel_pte(u64 va);

#endif
