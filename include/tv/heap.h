/* SPDX-License-Identifier: MIT */
/*
 * heap.h: kmalloc and its pure core. struct heap serves small objects from
 * per-size-class slabs of one page and large ones as whole pages, both from
 * a page source (the frame allocator in the kernel, malloc in unit tests).
 */
#ifndef TV_HEAP_H
#define TV_HEAP_H

#include <tv/types.h>

#define HEAP_PAGE 4096u
#define HEAP_NCLASSES 8 /* 16, 32, ..., 2048 bytes */

struct heap_slab;

struct heap {
	void *(*pages_alloc)(void *ctx, size_t npages);  /* page-aligned or NULL */
	void (*pages_free)(void *ctx, void *p, size_t npages);
	void *ctx;
	struct heap_slab *partial[HEAP_NCLASSES];        /* slabs with free objects */
	size_t bytes_in_use;                             /* requested sizes, rounded */
	size_t pages_held;
};

/* 16-byte aligned memory or NULL. */
void *heap_alloc(struct heap *h, size_t size);
/* NULL is ignored; a pointer this heap did not hand out returns false. */
bool heap_free(struct heap *h, void *p);

/* The kernel heap (kernel/kmalloc.c). */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

#endif
