// SPDX-License-Identifier: MIT
/*
 * handoff.c: describe the machine in the boot-info FDT, build the kernel's
 * first page tables, exit boot services and jump (contract in tv/boot.h).
 */
#include <tv/boot.h>
#include <tv/printf.h>
#include <tv/string.h>
#include "loader.h"

#define FDT_SIZE (256u << 10)
#define MAX_REGIONS 512
#define EBS_TRIES 8
#define EFI_PERSISTENT_MEMORY 14

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_PS 0x80ull

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static struct bi_mem_region *regions; /* MAX_REGIONS, allocated in handoff */

static u32 efi_to_bi_type(u32 t)
{
	switch (t) {
	case EfiLoaderCode:
	case EfiLoaderData:
	case EfiBootServicesCode:
	case EfiBootServicesData:
	case EfiConventionalMemory:
		return BI_MEM_USABLE;
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
		return BI_MEM_RUNTIME;
	case EfiACPIReclaimMemory:
		return BI_MEM_ACPI_RECLAIM;
	case EfiACPIMemoryNVS:
		return BI_MEM_ACPI_NVS;
	case EfiUnusableMemory:
		return BI_MEM_UNUSABLE;
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace:
		return BI_MEM_MMIO;
	case EFI_PERSISTENT_MEMORY:
		return BI_MEM_PERSISTENT;
	default:
		/* Reserved, PAL code, unaccepted memory and types we do not know. */
		return BI_MEM_RESERVED;
	}
}

#define DESC(map, i, dsz) ((EFI_MEMORY_DESCRIPTOR *)((u8 *)(map) + (i) * (dsz)))

static size_t translate_map(const void *map, UINTN map_size, UINTN dsz)
{
	size_t n = 0;

	for (UINTN i = 0; i < map_size / dsz && n < MAX_REGIONS; i++) {
		EFI_MEMORY_DESCRIPTOR *d = DESC(map, i, dsz);

		regions[n].base = d->PhysicalStart;
		regions[n].size = d->NumberOfPages * EFI_PAGE_SIZE;
		regions[n].type = efi_to_bi_type(d->Type);
		n++;
	}
	return bi_memmap_normalize(regions, n, MAX_REGIONS);
}

static bool cpu_has_1g_pages(void)
{
	u32 a = 0x80000001, b, c = 0, d;

	__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d & (1u << 26);
}

/*
 * Identity map and direct map of [0, top) share their PDPTs; the kernel
 * window maps the image with 2 MiB pages. No NX bits: EFER.NXE may be off.
 */
static EFI_STATUS build_page_tables(u64 top, const struct kernel_image *k, u64 *cr3,
				    EFI_PHYSICAL_ADDRESS *pt_base, u64 *pt_bytes)
{
	bool big = cpu_has_1g_pages();
	u64 gigs = DIV_ROUND_UP(top, 1ull << 30);
	u64 npdpt = DIV_ROUND_UP(gigs, 512);
	u64 npd = big ? 0 : gigs;
	u64 pages = 1 + npdpt + npd + 2; /* PML4, PDPTs, PDs, kernel PDPT + PD */
	EFI_PHYSICAL_ADDRESS mem;
	EFI_STATUS st;

	if (npdpt > 255)
		return EFI_UNSUPPORTED; /* more than 128 TiB */
	st = alloc_pages(pages * EFI_PAGE_SIZE, &mem);
	if (EFI_ERROR(st))
		return st;
	memset((void *)(uintptr_t)mem, 0, pages * EFI_PAGE_SIZE);

	u64 *pml4 = (u64 *)(uintptr_t)mem;
	u64 *pdpt = pml4 + 512;
	u64 *pd = pdpt + 512 * npdpt;
	u64 *kpdpt = pd + 512 * npd;
	u64 *kpd = kpdpt + 512;

	for (u64 g = 0; g < gigs; g++) {
		if (big) {
			pdpt[g] = (g << 30) | PTE_P | PTE_W | PTE_PS;
		} else {
			pdpt[g] = (u64)(uintptr_t)&pd[512 * g] | PTE_P | PTE_W;
			for (u64 m = 0; m < 512; m++)
				pd[512 * g + m] = (g << 30) | (m << 21) | PTE_P | PTE_W | PTE_PS;
		}
	}
	for (u64 i = 0; i < npdpt; i++) {
		u64 e = (u64)(uintptr_t)&pdpt[512 * i] | PTE_P | PTE_W;

		pml4[i] = e;                                   /* identity */
		pml4[((DIRECT_MAP_BASE >> 39) & 511) + i] = e; /* direct map */
	}
	pml4[(KERNEL_VMA_BASE >> 39) & 511] = (u64)(uintptr_t)kpdpt | PTE_P | PTE_W;
	kpdpt[(KERNEL_VMA_BASE >> 30) & 511] = (u64)(uintptr_t)kpd | PTE_P | PTE_W;
	for (u64 off = 0; off < k->size; off += KERNEL_ALIGN)
		kpd[off / KERNEL_ALIGN] = (k->phys + off) | PTE_P | PTE_W | PTE_PS;

	*cr3 = mem;
	*pt_base = mem;
	*pt_bytes = pages * EFI_PAGE_SIZE;
	return EFI_SUCCESS;
}

static void describe_framebuffer(struct bib *b)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	struct bi_framebuffer fb;

	if (EFI_ERROR(LibLocateProtocol(&GraphicsOutputProtocol, (void **)&gop)) || !gop)
		return;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi = gop->Mode->Info;

	memset(&fb, 0, sizeof(fb));
	if (mi->PixelFormat == PixelRedGreenBlueReserved8BitPerColor) {
		fb.red_shift = 0;
		fb.green_shift = 8;
		fb.blue_shift = 16;
	} else if (mi->PixelFormat == PixelBlueGreenRedReserved8BitPerColor) {
		fb.red_shift = 16;
		fb.green_shift = 8;
		fb.blue_shift = 0;
	} else {
		return; /* bit-mask and blt-only modes: serial console only */
	}
	fb.base = gop->Mode->FrameBufferBase;
	fb.width = mi->HorizontalResolution;
	fb.height = mi->VerticalResolution;
	fb.stride = mi->PixelsPerScanLine * 4;
	fb.bpp = 32;
	libcall_enter();
	bib_set_framebuffer(b, &fb);
	libcall_leave();
}

/* Settings syntax errors, collected inside the libfdt bracket, printed after it. */
static struct {
	unsigned line;
	const char *why;
} setting_errs[8];
static unsigned nsetting_errs;

static void note_setting_error(void *ctx, unsigned line, const char *why)
{
	(void)ctx;
	if (nsetting_errs < ARRAY_SIZE(setting_errs)) {
		setting_errs[nsetting_errs].line = line;
		setting_errs[nsetting_errs].why = why;
		nsetting_errs++;
	}
}

EFI_STATUS handoff(struct loader *ld, struct kernel_image *k, u64 loader_tsc)
{
	EFI_PHYSICAL_ADDRESS fdt, stack, pt_base, mapbuf;
	u64 cr3, pt_bytes, top = 4ull << 30;
	UINTN map_size = 0, map_cap, key, dsz;
	UINT32 dver;
	struct bib b;
	void *acpi = NULL;
	EFI_STATUS st;
	int err;

	regions = AllocatePool(MAX_REGIONS * sizeof(*regions));
	if (!regions || EFI_ERROR(alloc_pages(FDT_SIZE, &fdt)) ||
	    EFI_ERROR(alloc_pages(BOOT_STACK_SIZE, &stack)))
		return fail(EFI_OUT_OF_RESOURCES, "boot info", "out of memory");

	libcall_enter();
	err = bib_init(&b, (void *)(uintptr_t)fdt, FDT_SIZE, "uefi");
	bib_set_kernel(&b, k->phys, k->size);
	bib_set_loader_tsc(&b, loader_tsc);
	for (unsigned i = 0; i < ld->nfiles; i++) {
		struct lfile *f = &ld->files[i];

		if (!f->loaded || !f->addr)
			continue; /* the kernel image itself, already unpacked */
		bib_add_module(&b, f->name, f->addr, f->size);
		bib_add_reserved(&b, f->addr, ALIGN_UP(f->size ? f->size : 1, EFI_PAGE_SIZE));
		if (strcmp(f->name, BI_SETTINGS_NAME) == 0)
			bib_add_settings_file(&b, (const void *)(uintptr_t)f->addr, f->size,
					      note_setting_error, NULL);
	}
	bib_add_reserved(&b, k->phys, k->size);
	bib_add_reserved(&b, fdt, FDT_SIZE);
	bib_add_reserved(&b, stack, BOOT_STACK_SIZE);
	bib_set_uefi(&b, (u64)(uintptr_t)ST, (u64)(uintptr_t)RT, NULL, 0, 0, 0);
	libcall_leave();
	for (unsigned i = 0; i < nsetting_errs; i++)
		Print(L"thinvisor: warning: %a:%d: %a (line ignored)\r\n", BI_SETTINGS_NAME,
		      setting_errs[i].line, setting_errs[i].why);

	if (LibGetSystemConfigurationTable(&acpi20_guid, &acpi) == EFI_SUCCESS ||
	    LibGetSystemConfigurationTable(&AcpiTableGuid, &acpi) == EFI_SUCCESS) {
		libcall_enter();
		bib_set_acpi_rsdp(&b, (u64)(uintptr_t)acpi);
		libcall_leave();
	} else {
		warn("ACPI", "no RSDP in the firmware's configuration table");
	}
	describe_framebuffer(&b);
	if (err || b.err)
		return fail(EFI_OUT_OF_RESOURCES, "boot info", "FDT build failed (libfdt error %d)",
			    b.err);

	/* Size the map buffer once, with slack for what the next allocations add. */
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, NULL, &key, &dsz, &dver);
	map_cap = map_size + 64 * dsz;
	if (EFI_ERROR(alloc_pages(map_cap, &mapbuf)))
		return fail(EFI_OUT_OF_RESOURCES, "memory map", "out of memory");
	map_size = map_cap;
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, (void *)(uintptr_t)mapbuf, &key,
			       &dsz, &dver);
	if (EFI_ERROR(st))
		return fail(st, "memory map", "GetMemoryMap failed");
	for (UINTN i = 0; i < map_size / dsz; i++) {
		EFI_MEMORY_DESCRIPTOR *d = DESC(mapbuf, i, dsz);
		u64 end = d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE;

		if (d->Type != EfiMemoryMappedIO && d->Type != EfiMemoryMappedIOPortSpace && end > top)
			top = end;
	}
	st = build_page_tables(top, k, &cr3, &pt_base, &pt_bytes);
	if (EFI_ERROR(st))
		return fail(st, "page tables", "cannot map %llu bytes of memory",
			    (unsigned long long)top);
	libcall_enter();
	bib_add_reserved(&b, pt_base, pt_bytes);
	bib_set_boot_mapped(&b, ALIGN_UP(top, 1ull << 30));
	libcall_leave();
	Print(L"thinvisor: starting the kernel\r\n");

	/*
	 * From here to ExitBootServices nothing may allocate: the map key must
	 * stay current. A stale key (an event allocated meanwhile) means: get
	 * the map again and retry, as the UEFI spec prescribes.
	 */
	for (unsigned tries = 0;; tries++) {
		size_t n;

		map_size = map_cap;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, (void *)(uintptr_t)mapbuf,
				       &key, &dsz, &dver);
		if (EFI_ERROR(st))
			return fail(st, "memory map", "GetMemoryMap failed");
		n = translate_map((void *)(uintptr_t)mapbuf, map_size, dsz);
		libcall_enter();
		bib_set_memory_map(&b, regions, n);
		bib_set_uefi(&b, (u64)(uintptr_t)ST, (u64)(uintptr_t)RT, (void *)(uintptr_t)mapbuf,
			     (u32)map_size, (u32)dsz, dver);
		libcall_leave();
		st = uefi_call_wrapper(BS->ExitBootServices, 2, ld->image, key);
		if (!EFI_ERROR(st))
			break;
		if (tries == EBS_TRIES)
			return fail(st, "ExitBootServices", "firmware keeps changing the memory map");
	}

	/* Boot services are gone: no more Print, no more firmware calls. */
	libcall_enter();
	err = bib_finish(&b);
	if (err)
		for (;;)
			__asm__ __volatile__("cli; hlt"); /* unreachable: the FDT had room above */
	jump_to_kernel(cr3, k->entry, stack + BOOT_STACK_SIZE, fdt, BOOT_MAGIC, k->phys);
}
