/* SPDX-License-Identifier: MIT */
/*
 * framemap.h: the physical frame allocator's pure core, a bitmap over 4 KiB
 * frames (kernel/framemap.c). No locking and no hardware: kernel/pmm.c wraps
 * one instance for the kernel; the unit tests drive it directly.
 */
#ifndef TV_FRAMEMAP_H
#define TV_FRAMEMAP_H

#include <tv/bootinfo.h>
#include <tv/types.h>

#define FRAME_SHIFT 12
#define FRAME_SIZE (1ull << FRAME_SHIFT)

struct framemap {
	u64 *bits;          /* 1 = in use or not RAM */
	u64 nframes;        /* frames covered, from physical 0 */
	u64 free_frames;
	u64 usable_frames;  /* free at init, before any allocation */
	u64 hint;           /* next-fit start for single frames */
};

/* Bytes of bitmap needed to cover every usable region in the map. */
u64 framemap_bitmap_bytes(const struct bi_mem_region *r, size_t n);

/*
 * Find room for the bitmap itself: a usable range of bytes below limit that
 * no reserved range touches, above 1 MiB. Returns 0 if there is none.
 */
paddr_t framemap_place_bitmap(const struct bi_mem_region *r, size_t n,
			      const struct bi_range *resv, size_t nresv, u64 bytes, paddr_t limit);

/*
 * Mark usable regions free, then take back frame 0, every reserved range
 * and the bitmap's own frames [bitmap_pa, +bytes).
 */
void framemap_init(struct framemap *fm, void *bitmap, u64 bitmap_bytes,
		   const struct bi_mem_region *r, size_t n, const struct bi_range *resv,
		   size_t nresv, paddr_t bitmap_pa);

/*
 * Allocate count contiguous frames aligned to align frames (a power of
 * two), all inside [lo, hi). Returns the physical address or 0.
 */
paddr_t framemap_alloc(struct framemap *fm, u64 count, u64 align, paddr_t lo, paddr_t hi);
/*
 * Return frames; freeing a frame that is already free is reported as false
 * and changes nothing. A reserved frame looks allocated to the bitmap, so
 * callers must only free what framemap_alloc gave them.
 */
bool framemap_free(struct framemap *fm, paddr_t pa, u64 count);
bool framemap_is_free(const struct framemap *fm, paddr_t pa);

#endif
