// SPDX-License-Identifier: MIT
/* pmm.c: the kernel's one frame allocator: a locked framemap over the boot memory map. */
#include <arch/mm.h>
#include <tv/bootinfo.h>
#include <tv/errno.h>
#include <tv/framemap.h>
#include <tv/log.h>
#include <tv/panic.h>
#include <tv/pmm.h>
#include <tv/spinlock.h>
#include <tv/string.h>

static struct framemap fm;
static spinlock_t pmm_lock = SPINLOCK_INIT;
static struct bi_range resv[BI_MAX_RESERVED + 1];

int pmm_init(const struct bootinfo *bi, paddr_t map_limit)
{
	size_t nresv = bi->nreserved;
	u64 bytes = framemap_bitmap_bytes(bi->regions, bi->nregions);
	paddr_t pa;

	memcpy(resv, bi->reserved, nresv * sizeof(resv[0]));
	/* Both loaders reserve the kernel too; being explicit costs nothing. */
	resv[nresv].base = bi->kernel_phys;
	resv[nresv].size = bi->kernel_size;
	nresv++;
	pa = framemap_place_bitmap(bi->regions, bi->nregions, resv, nresv, bytes, map_limit);
	if (!pa)
		return -ENOMEM;
	framemap_init(&fm, phys_to_virt(pa), bytes, bi->regions, bi->nregions, resv, nresv, pa);
	pr_dbg("pmm: %llu KiB bitmap at %#llx, %llu frames free\n",
	       (unsigned long long)(bytes >> 10), (unsigned long long)pa,
	       (unsigned long long)fm.free_frames);
	return 0;
}

paddr_t pmm_alloc(u64 count, u64 align)
{
	irqflags_t f = spin_lock_irqsave(&pmm_lock);
	paddr_t pa = framemap_alloc(&fm, count, align, 1ull << 20, ~0ull);

	spin_unlock_irqrestore(&pmm_lock, f);
	return pa;
}

paddr_t pmm_alloc_below(u64 count, paddr_t limit)
{
	irqflags_t f = spin_lock_irqsave(&pmm_lock);
	paddr_t pa = framemap_alloc(&fm, count, 1, FRAME_SIZE, limit);

	spin_unlock_irqrestore(&pmm_lock, f);
	return pa;
}

void pmm_free(paddr_t pa, u64 count)
{
	irqflags_t f = spin_lock_irqsave(&pmm_lock);
	bool ok = framemap_free(&fm, pa, count);

	spin_unlock_irqrestore(&pmm_lock, f);
	/* Freeing what is not allocated means two owners: memory could leak between VMs. */
	if (!ok)
		panic("pmm_free: %#llx+%llu frames not allocated", (unsigned long long)pa,
		      (unsigned long long)count);
}

void *pmm_alloc_page_zeroed(paddr_t *pa)
{
	paddr_t p = pmm_alloc(1, 1);
	void *va;

	if (!p)
		return NULL;
	va = phys_to_virt(p);
	memset(va, 0, FRAME_SIZE);
	if (pa)
		*pa = p;
	return va;
}

u64 pmm_free_bytes(void)
{
	return fm.free_frames << FRAME_SHIFT;
}

u64 pmm_usable_bytes(void)
{
	return fm.usable_frames << FRAME_SHIFT;
}
