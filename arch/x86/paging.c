// SPDX-License-Identifier: MIT
/*
 * paging.c: building 4-level page tables. Pure code (tables are reached
 * through pt_ops), shared by the kernel's own tables and by nested paging,
 * and unit-tested on the host (tests/unit/test_paging.c).
 */
#include <tv/compiler.h>
#include <tv/errno.h>
#include <x86/paging.h>

static unsigned shift_of(unsigned level)
{
	return 12 + 9 * (level - 1);
}

static unsigned index_of(u64 va, unsigned level)
{
	return (va >> shift_of(level)) & 511;
}

/* The table that holds level-`level` entries for va; created if missing. */
static u64 *table_for(const struct pt_ops *ops, u64 root_pa, u64 va, unsigned level)
{
	u64 *t = ops->p2v(ops->ctx, root_pa);

	for (unsigned l = 4; l > level; l--) {
		u64 *e = &t[index_of(va, l)];

		if (!(*e & PTE_P)) {
			u64 pa = ops->alloc_table(ops->ctx);

			if (!pa)
				return NULL;
			*e = pa | ops->table_flags;
		} else if (*e & PTE_PS) {
			return (u64 *)-1; /* a large page is in the way */
		}
		t = ops->p2v(ops->ctx, *e & PTE_ADDR_MASK);
	}
	return t;
}

int pt_map(const struct pt_ops *ops, u64 root_pa, u64 va, u64 pa, u64 size, u64 flags)
{
	if ((va | pa | size) & 0xfff)
		return -EINVAL;
	while (size) {
		unsigned level = ops->max_level;

		/* The largest page that fits alignment and what is left to map. */
		while (level > PT_LEVEL_4K) {
			u64 psz = 1ull << shift_of(level);

			if (!(va & (psz - 1)) && !(pa & (psz - 1)) && size >= psz)
				break;
			level--;
		}

		u64 psz = 1ull << shift_of(level);
		u64 *t = table_for(ops, root_pa, va, level);

		if (!t)
			return -ENOMEM;
		if (t == (u64 *)-1)
			return -EEXIST;
		u64 *e = &t[index_of(va, level)];

		if (*e & PTE_P)
			return -EEXIST;
		*e = pa | flags | (level > PT_LEVEL_4K ? PTE_PS : 0);
		va += psz;
		pa += psz;
		size -= psz;
	}
	return 0;
}

u64 *pt_lookup(const struct pt_ops *ops, u64 root_pa, u64 va, unsigned *level)
{
	u64 *t = ops->p2v(ops->ctx, root_pa);

	for (unsigned l = 4; l >= 1; l--) {
		u64 *e = &t[index_of(va, l)];

		if (!(*e & PTE_P))
			return NULL;
		if (l == 1 || (*e & PTE_PS)) {
			*level = l;
			return e;
		}
		t = ops->p2v(ops->ctx, *e & PTE_ADDR_MASK);
	}
	return NULL;
}

void pt_free_tree(const struct pt_ops *ops, u64 table_pa, unsigned level)
{
	u64 *t = ops->p2v(ops->ctx, table_pa);

	if (level > 1)
		for (int i = 0; i < 512; i++)
			if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
				pt_free_tree(ops, t[i] & PTE_ADDR_MASK, level - 1);
	ops->free_table(ops->ctx, table_pa);
}

/*
 * The 4 KiB leaf for va, for changing one page under a large one (guest
 * pages that are shared, zero or ballooned). A 2 MiB page in the way is
 * split into 512 entries mapping the same frames with the same flags, so
 * nothing the guest sees changes. NULL if a table cannot be allocated.
 */
u64 *pt_entry_4k(const struct pt_ops *ops, u64 root_pa, u64 va)
{
	u64 *t = ops->p2v(ops->ctx, root_pa);

	for (unsigned l = 4; l > PT_LEVEL_4K; l--) {
		u64 *e = &t[index_of(va, l)];

		if (*e & PTE_PS) {
			/* Only 2 MiB pages are split: nested paging maps nothing larger. */
			u64 pa = ops->alloc_table(ops->ctx), base = *e & PTE_ADDR_MASK & ~0x1fffffull;
			u64 flags = *e & ~PTE_ADDR_MASK & ~PTE_PS;
			u64 *nt;

			if (!pa || l != PT_LEVEL_2M) {
				if (pa)
					ops->free_table(ops->ctx, pa);
				return NULL;
			}
			nt = ops->p2v(ops->ctx, pa);
			for (unsigned i = 0; i < 512; i++)
				nt[i] = (base + ((u64)i << 12)) | flags;
			*e = pa | ops->table_flags;
		} else if (!(*e & PTE_P)) {
			u64 pa = ops->alloc_table(ops->ctx);

			if (!pa)
				return NULL;
			*e = pa | ops->table_flags;
		}
		t = ops->p2v(ops->ctx, *e & PTE_ADDR_MASK);
	}
	return &t[index_of(va, PT_LEVEL_4K)];
}
