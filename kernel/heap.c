// SPDX-License-Identifier: MIT
/* heap.c: size-class slabs and page-run allocations (interface in tv/heap.h). */
#include <tv/heap.h>
#include <tv/string.h>

#define SLAB_MAGIC 0x534c4142u  /* "SLAB" */
#define LARGE_MAGIC 0x4c524745u /* "LRGE" */
#define HDR 64u                 /* header bytes at the start of every page run */

struct heap_slab {
	u32 magic;
	u16 cls;
	u16 inuse;
	struct heap_slab *next;
	struct heap_slab *prev;
	void *free;             /* singly linked free objects */
	/* Objects handed out, by offset / size: catches double frees. */
	u64 used[HEAP_PAGE / 16 / 64];
};

struct heap_large {
	u32 magic;
	u32 pad;
	size_t npages;
};

_Static_assert(sizeof(struct heap_slab) <= HDR, "slab header fits");
_Static_assert(sizeof(struct heap_large) <= HDR, "large header fits");

static size_t class_size(unsigned cls)
{
	return 16u << cls;
}

static int size_class(size_t size)
{
	for (unsigned c = 0; c < HEAP_NCLASSES; c++)
		if (size <= class_size(c))
			return (int)c;
	return -1;
}

static void unlink_slab(struct heap *h, struct heap_slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else if (h->partial[s->cls] == s)
		h->partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void push_slab(struct heap *h, struct heap_slab *s)
{
	s->prev = NULL;
	s->next = h->partial[s->cls];
	if (s->next)
		s->next->prev = s;
	h->partial[s->cls] = s;
}

static struct heap_slab *new_slab(struct heap *h, unsigned cls)
{
	struct heap_slab *s = h->pages_alloc(h->ctx, 1);
	size_t osz = class_size(cls);
	size_t first = osz > HDR ? osz : HDR; /* objects stay aligned to their size */

	if (!s)
		return NULL;
	h->pages_held++;
	s->magic = SLAB_MAGIC;
	s->cls = (u16)cls;
	s->inuse = 0;
	s->free = NULL;
	memset(s->used, 0, sizeof(s->used));
	for (size_t off = HEAP_PAGE - osz; off >= first; off -= osz) {
		void **obj = (void **)((u8 *)s + off);

		*obj = s->free;
		s->free = obj;
	}
	push_slab(h, s);
	return s;
}

void *heap_alloc(struct heap *h, size_t size)
{
	int cls = size_class(size ? size : 1);

	if (cls < 0) {
		size_t npages;
		struct heap_large *l;

		if (size > (size_t)1 << 40)
			return NULL;
		npages = (size + HDR + HEAP_PAGE - 1) / HEAP_PAGE;
		l = h->pages_alloc(h->ctx, npages);
		if (!l)
			return NULL;
		l->magic = LARGE_MAGIC;
		l->npages = npages;
		h->pages_held += npages;
		h->bytes_in_use += npages * HEAP_PAGE;
		return (u8 *)l + HDR;
	}

	struct heap_slab *s = h->partial[cls];

	if (!s && !(s = new_slab(h, (unsigned)cls)))
		return NULL;
	void **obj = s->free;

	s->free = *obj;
	s->inuse++;
	size_t idx = ((uintptr_t)obj - (uintptr_t)s) / class_size((unsigned)cls);

	s->used[idx / 64] |= 1ull << (idx % 64);
	if (!s->free)
		unlink_slab(h, s);
	h->bytes_in_use += class_size((unsigned)cls);
	return obj;
}

bool heap_free(struct heap *h, void *p)
{
	void *page;

	if (!p)
		return true;
	page = (void *)((uintptr_t)p & ~(uintptr_t)(HEAP_PAGE - 1));
	if (((struct heap_large *)page)->magic == LARGE_MAGIC) {
		struct heap_large *l = page;

		if ((u8 *)p != (u8 *)l + HDR)
			return false;
		l->magic = 0;
		h->pages_held -= l->npages;
		h->bytes_in_use -= l->npages * HEAP_PAGE;
		h->pages_free(h->ctx, l, l->npages);
		return true;
	}

	struct heap_slab *s = page;

	if (s->magic != SLAB_MAGIC || s->cls >= HEAP_NCLASSES || s->inuse == 0)
		return false;
	size_t osz = class_size(s->cls), off = (uintptr_t)p - (uintptr_t)s;

	if (off < HDR || off % osz)
		return false;
	size_t idx = off / osz;

	if (!(s->used[idx / 64] & (1ull << (idx % 64))))
		return false; /* not handed out: a double free */
	s->used[idx / 64] &= ~(1ull << (idx % 64));
	/* A full slab is on no list; it becomes partial again now. */
	if (!s->free)
		push_slab(h, s);
	*(void **)p = s->free;
	s->free = p;
	s->inuse--;
	h->bytes_in_use -= osz;
	/* Keep one empty slab per class to damp alloc/free ping-pong. */
	if (s->inuse == 0 && (s->next || s->prev)) {
		unlink_slab(h, s);
		s->magic = 0;
		h->pages_held--;
		h->pages_free(h->ctx, s, 1);
	}
	return true;
}
