// SPDX-License-Identifier: MIT
/*
 * mmu.c: the kernel's own page tables. A direct map of RAM at PHYS_MAP_BASE,
 * the image at KERNEL_VMA_BASE with text R-X, rodata R--, data RW- (4 KiB
 * pages so the boundaries are exact), MMIO in the ioremap window.
 */
#include <tv/arch.h>
#include <tv/bootinfo.h>
#include <tv/errno.h>
#include <tv/log.h>
#include <tv/panic.h>
#include <tv/pmm.h>
#include <tv/spinlock.h>
#include <x86/cpuid.h>
#include <x86/paging.h>

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

paddr_t kernel_phys_base;
static u64 kernel_root;       /* PML4 physical address */
static u64 ioremap_next = IOREMAP_BASE;
static spinlock_t mmu_lock = SPINLOCK_INIT;
static paddr_t table_limit;   /* tables must be reachable through the boot map too */

/* What the direct map covers, for arch_phys_is_mapped. */
#define MAX_MAPPED 256
static struct { u64 base, end; } mapped[MAX_MAPPED];
static unsigned nmapped;

static u64 alloc_table(void *ctx)
{
	paddr_t pa = pmm_alloc_below(1, table_limit);

	(void)ctx;
	if (pa)
		__builtin_memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

static void *p2v(void *ctx, u64 pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

/* Nested page tables (NPT, EPT): any frame will do; ctx counts them. */
static u64 guest_table_alloc(void *ctx)
{
	paddr_t pa = pmm_alloc(1, 1);

	if (pa) {
		__builtin_memset(phys_to_virt(pa), 0, PAGE_SIZE);
		(*(u64 *)ctx)++;
	}
	return pa;
}

static void guest_table_free(void *ctx, u64 pa)
{
	pmm_free(pa, 1);
	(*(u64 *)ctx)--;
}

struct pt_ops pt_ops_guest(u64 *pages, u64 table_flags)
{
	return (struct pt_ops){ .alloc_table = guest_table_alloc, .p2v = p2v,
				.free_table = guest_table_free, .ctx = pages,
				.table_flags = table_flags, .max_level = PT_LEVEL_2M };
}

static struct pt_ops kops = {
	.alloc_table = alloc_table,
	.p2v = p2v,
	.table_flags = PTE_P | PTE_W,
	.max_level = PT_LEVEL_2M,
};

static void map_or_die(u64 va, u64 pa, u64 size, u64 flags, const char *what)
{
	int r = pt_map(&kops, kernel_root, va, pa, size, flags);

	if (r)
		panic("arch_paging_init: cannot map %s at %#llx (%d)", what, (unsigned long long)va, r);
}

static bool direct_mapped_type(u32 type)
{
	/* RAM and firmware tables; never MMIO or broken RAM. */
	return type == BI_MEM_USABLE || type == BI_MEM_ACPI_RECLAIM || type == BI_MEM_ACPI_NVS ||
	       type == BI_MEM_RUNTIME || type == BI_MEM_PERSISTENT;
}

static void note_mapped(u64 base, u64 end)
{
	if (nmapped && mapped[nmapped - 1].end == base)
		mapped[nmapped - 1].end = end;
	else if (nmapped < MAX_MAPPED)
		mapped[nmapped++] = (typeof(mapped[0])){ base, end };
}

bool arch_phys_is_mapped(paddr_t pa, u64 len)
{
	for (unsigned i = 0; i < nmapped; i++)
		if (pa >= mapped[i].base && pa + len <= mapped[i].end && pa + len >= pa)
			return true;
	return false;
}

void arch_paging_init(const struct bootinfo *bi)
{
	const u64 nx = PTE_NX, g = PTE_G;
	u64 ktext = (u64)(__text_end - __kernel_start);
	u64 krodata = (u64)(__rodata_end - __text_end);
	u64 kdata = (u64)(__kernel_end - __rodata_end);
	u64 low_end = 0;

	table_limit = bi->boot_mapped_top;
	if (cpuid(0x80000001, 0).edx & CPUID81_EDX_PAGE1GB)
		kops.max_level = PT_LEVEL_1G;
	kernel_root = alloc_table(NULL);
	if (!kernel_root)
		panic("arch_paging_init: no memory for page tables");

	/*
	 * The first MiB is mapped whole: BIOS data and tables live there in
	 * ranges firmware often marks reserved. Then every RAM-like region,
	 * rounded out to pages, skipping what the first MiB already covers.
	 */
	map_or_die(PHYS_MAP_BASE, 0, 1ull << 20, PTE_P | PTE_W | nx | g, "low memory");
	note_mapped(0, 1ull << 20);
	low_end = 1ull << 20;
	for (size_t i = 0; i < bi->nregions; i++) {
		const struct bi_mem_region *r = &bi->regions[i];
		u64 base = r->base & PAGE_MASK;
		u64 end = (r->base + r->size + PAGE_SIZE - 1) & PAGE_MASK;

		if (!direct_mapped_type(r->type))
			continue;
		if (base < low_end)
			base = low_end;
		if (end <= base)
			continue;
		map_or_die(PHYS_MAP_BASE + base, base, end - base, PTE_P | PTE_W | nx | g, "RAM");
		note_mapped(base, end);
		low_end = end;
	}

	map_or_die(KERNEL_VMA_BASE, kernel_phys_base, ktext, PTE_P | g, "kernel text");
	map_or_die((u64)(uintptr_t)__text_end, kernel_phys_base + ktext, krodata, PTE_P | nx | g,
		   "kernel rodata");
	map_or_die((u64)(uintptr_t)__rodata_end, kernel_phys_base + ktext + krodata, kdata,
		   PTE_P | PTE_W | nx | g, "kernel data");

	__asm__ __volatile__("movq %0, %%cr3" : : "r"(kernel_root) : "memory");
	pr_dbg("mmu: kernel page tables at %#llx (%s pages)\n", (unsigned long long)kernel_root,
	       kops.max_level == PT_LEVEL_1G ? "1 GiB" : "2 MiB");
}

void *arch_ioremap(paddr_t pa, u64 size, bool wc)
{
	u64 off = pa & (PAGE_SIZE - 1), va;
	irqflags_t f;
	int r;

	if (!kernel_root || !size)
		return NULL;
	size = (size + off + PAGE_SIZE - 1) & PAGE_MASK;
	pa &= PAGE_MASK;
	f = spin_lock_irqsave(&mmu_lock);
	/* Align big windows so 2 MiB pages can be used (framebuffers). */
	if (size >= (2ull << 20))
		ioremap_next = ALIGN_UP(ioremap_next, 2ull << 20);
	va = ioremap_next;
	if (va + size > IOREMAP_BASE + IOREMAP_SIZE) {
		spin_unlock_irqrestore(&mmu_lock, f);
		return NULL;
	}
	ioremap_next += size;
	r = pt_map(&kops, kernel_root, va, pa, size,
		   PTE_P | PTE_W | PTE_NX | PTE_G | (wc ? PTE_CACHE_WC : PTE_CACHE_UC));
	spin_unlock_irqrestore(&mmu_lock, f);
	return r ? NULL : (void *)(uintptr_t)(va + off);
}

u64 *mmu_kernel_pte(u64 va)
{
	unsigned level;
	u64 *pte = pt_lookup(&kops, kernel_root, va, &level);

	return pte && level == PT_LEVEL_4K ? pte : NULL;
}
