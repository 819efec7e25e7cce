/* SPDX-License-Identifier: MIT */
/*
 * overlay.h: a copy-on-write overlay in RAM over a read-only disk image
 * (vmm/disk/overlay.c, pure). Writes go to 4 KiB overlay blocks allocated
 * on first write (a sparse two-level map); reads take each block from the
 * overlay if written, else from the image (zeros past its end). Exposed as
 * a struct blkdev; the image itself is never written.
 */
#ifndef TV_OVERLAY_H
#define TV_OVERLAY_H

#include <tv/blkdev.h>
#include <tv/types.h>

#define OVERLAY_BLOCK 4096u
#define OVERLAY_LEAF 512u               /* block pointers per leaf table */

struct overlay {
	struct blkdev dev;              /* first: the blkdev ops find the overlay */
	const u8 *image;
	u64 image_len;
	u64 nblocks;
	u8 ***top;                      /* [nblocks / OVERLAY_LEAF] leaf tables, NULL until written */
	u64 ntop;
	/* Zeroed memory or NULL (kzalloc in the kernel); and its release. */
	void *(*alloc)(size_t size);
	void (*free)(void *p);
	u64 bytes, max_bytes;           /* overlay memory in use, and the cap (0: none) */
};

/*
 * Set up o over image[0, image_len) as a disk of sectors sectors (>= the
 * image's, rounded up) named name. Returns 0, -EINVAL (0 sectors) or -ENOMEM.
 */
int overlay_init(struct overlay *o, const void *image, u64 image_len, u64 sectors, bool read_only,
		 const char *name, void *(*alloc)(size_t size), void (*free_fn)(void *p),
		 u64 max_bytes);

#endif
