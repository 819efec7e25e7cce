// SPDX-License-Identifier: MIT
/* kmalloc.c: the kernel heap, a locked struct heap over the frame allocator. */
#include <arch/mm.h>
#include <tv/heap.h>
#include <tv/panic.h>
#include <tv/pmm.h>
#include <tv/spinlock.h>
#include <tv/string.h>

static void *kpages_alloc(void *ctx, size_t n)
{
	paddr_t pa = pmm_alloc(n, 1);

	(void)ctx;
	return pa ? phys_to_virt(pa) : NULL;
}

static void kpages_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	pmm_free(virt_to_phys(p), n);
}

static struct heap kheap = { .pages_alloc = kpages_alloc, .pages_free = kpages_free };
static spinlock_t kheap_lock = SPINLOCK_INIT;

void *kmalloc(size_t size)
{
	irqflags_t f = spin_lock_irqsave(&kheap_lock);
	void *p = heap_alloc(&kheap, size);

	spin_unlock_irqrestore(&kheap_lock, f);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	irqflags_t f = spin_lock_irqsave(&kheap_lock);
	bool ok = heap_free(&kheap, p);

	spin_unlock_irqrestore(&kheap_lock, f);
	/* A bad free means the heap's metadata can no longer be trusted. */
	if (!ok)
		panic("kfree: %p was not allocated by kmalloc", p);
}
