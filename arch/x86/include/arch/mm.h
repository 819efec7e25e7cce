/* SPDX-License-Identifier: MIT */
/* arch/mm.h: the kernel's virtual memory layout (docs/architecture.md). */
#ifndef ARCH_MM_H
#define ARCH_MM_H

#include <tv/boot.h>
#include <tv/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* All RAM, mapped at a fixed offset. */
#define PHYS_MAP_BASE DIRECT_MAP_BASE
/* MMIO mappings made by arch_ioremap. */
#define IOREMAP_BASE 0xffffc00000000000ull
#define IOREMAP_SIZE (1ull << 39)

extern paddr_t kernel_phys_base;  /* where the loader put the image */

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + PHYS_MAP_BASE);
}

/* For direct-map and kernel-image addresses only. */
static inline paddr_t virt_to_phys(const void *va)
{
	u64 v = (u64)(uintptr_t)va;

	if (v >= KERNEL_VMA_BASE)
		return v - KERNEL_VMA_BASE + kernel_phys_base;
	return v - PHYS_MAP_BASE;
}

#endif
