// SPDX-License-Identifier: MIT
/* framemap.c: bitmap frame allocator core (interface in tv/framemap.h). */
#include <tv/framemap.h>
#include <tv/string.h>

#define LOW_LIMIT (1ull << 20) /* below 1 MiB: for real-mode trampolines only */

static inline bool test_bit(const u64 *b, u64 i)
{
	return b[i / 64] & (1ull << (i % 64));
}

static inline void set_bit(u64 *b, u64 i)
{
	b[i / 64] |= 1ull << (i % 64);
}

static inline void clear_bit(u64 *b, u64 i)
{
	b[i / 64] &= ~(1ull << (i % 64));
}

static u64 usable_end(const struct bi_mem_region *r, size_t n)
{
	u64 end = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].type == BI_MEM_USABLE && r[i].base + r[i].size > end)
			end = r[i].base + r[i].size;
	return end;
}

u64 framemap_bitmap_bytes(const struct bi_mem_region *r, size_t n)
{
	u64 frames = usable_end(r, n) >> FRAME_SHIFT;

	return ALIGN_UP(DIV_ROUND_UP(frames, 64) * 8, FRAME_SIZE);
}

static bool overlaps_reserved(u64 base, u64 end, const struct bi_range *resv, size_t nresv)
{
	for (size_t i = 0; i < nresv; i++)
		if (base < resv[i].base + resv[i].size && resv[i].base < end)
			return true;
	return false;
}

paddr_t framemap_place_bitmap(const struct bi_mem_region *r, size_t n,
			      const struct bi_range *resv, size_t nresv, u64 bytes, paddr_t limit)
{
	for (size_t i = 0; i < n; i++) {
		u64 base, end;

		if (r[i].type != BI_MEM_USABLE)
			continue;
		base = MAX(ALIGN_UP(r[i].base, FRAME_SIZE), LOW_LIMIT);
		end = MIN(r[i].base + r[i].size, limit);
		/* Slide past reserved ranges one frame at a time until it fits. */
		while (base + bytes <= end) {
			if (!overlaps_reserved(base, base + bytes, resv, nresv))
				return base;
			base += FRAME_SIZE;
		}
	}
	return 0;
}

static void mark(struct framemap *fm, u64 base, u64 end, bool used)
{
	u64 first = base >> FRAME_SHIFT;
	u64 last = DIV_ROUND_UP(end, FRAME_SIZE); /* exclusive; partial frames count as used */

	if (!used) {
		/* Free only whole frames. */
		first = DIV_ROUND_UP(base, FRAME_SIZE);
		last = end >> FRAME_SHIFT;
	}
	if (last > fm->nframes)
		last = fm->nframes;
	for (u64 f = first; f < last; f++) {
		if (used && !test_bit(fm->bits, f)) {
			set_bit(fm->bits, f);
			fm->free_frames--;
		} else if (!used && test_bit(fm->bits, f)) {
			clear_bit(fm->bits, f);
			fm->free_frames++;
		}
	}
}

void framemap_init(struct framemap *fm, void *bitmap, u64 bitmap_bytes,
		   const struct bi_mem_region *r, size_t n, const struct bi_range *resv,
		   size_t nresv, paddr_t bitmap_pa)
{
	fm->bits = bitmap;
	fm->nframes = MIN(usable_end(r, n) >> FRAME_SHIFT, bitmap_bytes * 8);
	fm->free_frames = 0;
	fm->hint = LOW_LIMIT >> FRAME_SHIFT;
	memset(bitmap, 0xff, bitmap_bytes);
	for (size_t i = 0; i < n; i++)
		if (r[i].type == BI_MEM_USABLE)
			mark(fm, r[i].base, r[i].base + r[i].size, false);
	mark(fm, 0, FRAME_SIZE, true);
	for (size_t i = 0; i < nresv; i++)
		mark(fm, resv[i].base, resv[i].base + resv[i].size, true);
	mark(fm, bitmap_pa, bitmap_pa + bitmap_bytes, true);
	fm->usable_frames = fm->free_frames;
}

/* First frame >= f that is free, or nframes. Skips full words quickly. */
static u64 next_free(const struct framemap *fm, u64 f, u64 end)
{
	while (f < end) {
		if ((f % 64) == 0 && fm->bits[f / 64] == ~0ull) {
			f += 64;
			continue;
		}
		if (!test_bit(fm->bits, f))
			return f;
		f++;
	}
	return end;
}

static bool run_free(const struct framemap *fm, u64 f, u64 count)
{
	for (u64 i = 0; i < count; i++)
		if (test_bit(fm->bits, f + i))
			return false;
	return true;
}

static u64 search(struct framemap *fm, u64 count, u64 align, u64 lo, u64 hi)
{
	u64 f = ALIGN_UP(lo, align);

	while (f + count <= hi) {
		u64 nf = next_free(fm, f, hi);

		if (nf >= hi)
			break;
		f = ALIGN_UP(nf, align);
		if (f + count > hi)
			break;
		if (run_free(fm, f, count))
			return f;
		f += align;
	}
	return ~0ull;
}

paddr_t framemap_alloc(struct framemap *fm, u64 count, u64 align, paddr_t lo, paddr_t hi)
{
	u64 flo = DIV_ROUND_UP(lo, FRAME_SIZE), fhi = MIN(hi >> FRAME_SHIFT, fm->nframes), f;

	if (count == 0 || align == 0 || (align & (align - 1)) || count > fm->free_frames)
		return 0;
	if (flo == 0)
		flo = 1;
	f = ~0ull;
	/* Single frames: continue where the last search ended (next fit). */
	if (count == 1 && align == 1 && fm->hint > flo && fm->hint < fhi)
		f = search(fm, 1, 1, fm->hint, fhi);
	if (f == ~0ull)
		f = search(fm, count, align, flo, fhi);
	if (f == ~0ull)
		return 0;
	for (u64 i = 0; i < count; i++)
		set_bit(fm->bits, f + i);
	fm->free_frames -= count;
	if (count == 1)
		fm->hint = f + 1;
	return f << FRAME_SHIFT;
}

bool framemap_free(struct framemap *fm, paddr_t pa, u64 count)
{
	u64 f = pa >> FRAME_SHIFT;

	/* Written so that a huge count cannot wrap around the check. */
	if ((pa & (FRAME_SIZE - 1)) || f == 0 || f >= fm->nframes || count > fm->nframes - f)
		return false;
	for (u64 i = 0; i < count; i++)
		if (!test_bit(fm->bits, f + i))
			return false; /* double free: refuse the whole call */
	for (u64 i = 0; i < count; i++)
		clear_bit(fm->bits, f + i);
	fm->free_frames += count;
	return true;
}

bool framemap_is_free(const struct framemap *fm, paddr_t pa)
{
	u64 f = pa >> FRAME_SHIFT;

	return f < fm->nframes && !test_bit(fm->bits, f);
}
