/* SPDX-License-Identifier: MIT */
/* pmm.h: the kernel's physical frame allocator (kernel/pmm.c over tv/framemap.h). */
#ifndef TV_PMM_H
#define TV_PMM_H

#include <tv/types.h>

struct bootinfo;

/*
 * Take over every usable frame the boot info describes, except reserved
 * ranges (kernel, modules, boot info, loader page tables). The bitmap is
 * placed below map_limit, the end of what the loader's page tables map.
 * Returns 0 or -ENOMEM.
 */
int pmm_init(const struct bootinfo *bi, paddr_t map_limit);

/* count contiguous frames, aligned to align frames, above 1 MiB; 0 if none. */
paddr_t pmm_alloc(u64 count, u64 align);
/* Frames below limit (real-mode trampolines, 32-bit DMA); 0 if none. */
paddr_t pmm_alloc_below(u64 count, paddr_t limit);
void pmm_free(paddr_t pa, u64 count);
/* One zeroed frame through the direct map; NULL if none. */
void *pmm_alloc_page_zeroed(paddr_t *pa);

u64 pmm_free_bytes(void);
u64 pmm_usable_bytes(void);

#endif
