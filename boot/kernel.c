// SPDX-License-Identifier: MIT
/* kernel.c: verify, inflate and place the microkernel image. */
#include <tv/boot.h>
#include <tv/elf64.h>
#include <tv/string.h>
#include "loader.h"

EFI_STATUS alloc_pages(u64 bytes, EFI_PHYSICAL_ADDRESS *addr)
{
	return uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData,
				 EFI_SIZE_TO_PAGES(bytes), addr);
}

/* Over-allocate by align, then give back the unaligned head and the tail. */
EFI_STATUS alloc_pages_aligned(u64 bytes, u64 align, EFI_PHYSICAL_ADDRESS *addr)
{
	EFI_PHYSICAL_ADDRESS raw, aligned;
	u64 pages = EFI_SIZE_TO_PAGES(bytes), extra = EFI_SIZE_TO_PAGES(align);
	EFI_STATUS st = alloc_pages((pages + extra) * EFI_PAGE_SIZE, &raw);

	if (EFI_ERROR(st))
		return st;
	aligned = (raw + align - 1) & ~(align - 1);
	if (aligned > raw)
		uefi_call_wrapper(BS->FreePages, 2, raw, EFI_SIZE_TO_PAGES(aligned - raw));
	if (raw + (pages + extra) * EFI_PAGE_SIZE > aligned + pages * EFI_PAGE_SIZE)
		uefi_call_wrapper(BS->FreePages, 2, aligned + pages * EFI_PAGE_SIZE,
				  EFI_SIZE_TO_PAGES(raw + (pages + extra) * EFI_PAGE_SIZE -
						    (aligned + pages * EFI_PAGE_SIZE)));
	*addr = aligned;
	return EFI_SUCCESS;
}

static void inflate_progress(void *ctx, u64 done, u64 total)
{
	struct loader *ld = ctx;

	ld->done_bytes = done;
	ld->total_bytes = total;
	progress_draw(ld, "inflating " KERNEL_FILE);
}

static void z_enter(void *ctx)
{
	(void)ctx;
	libcall_enter();
}

static void z_leave(void *ctx)
{
	(void)ctx;
	libcall_leave();
}

static void place_segments(const struct elf64_image *img, const u8 *elf, u8 *dst)
{
	for (unsigned i = 0; i < img->phnum; i++) {
		const struct elf64_phdr *p = &img->phdrs[i];

		if (p->p_type != ELF_PT_LOAD || p->p_memsz == 0)
			continue;
		/* The region was zeroed, which is also the segment's .bss tail. */
		memcpy(dst + (p->p_vaddr - KERNEL_VMA_BASE), elf + p->p_offset, p->p_filesz);
	}
}

EFI_STATUS kernel_load(struct loader *ld, struct kernel_image *k)
{
	struct lfile *f = files_find(ld, KERNEL_FILE);
	const void *file = (const void *)(uintptr_t)f->addr;
	struct kimg_header hdr;
	struct elf64_image img;
	EFI_PHYSICAL_ADDRESS elf_addr;
	const struct kimg_ops ops = {
		.ctx = ld,
		.alloc = zarena_alloc,
		.free = zarena_free,
		.enter = z_enter,
		.leave = z_leave,
		.progress = inflate_progress,
	};
	enum kimg_err kr;
	const char *why;
	EFI_STATUS st;

	kr = kimg_check_header(file, f->size, &hdr);
	if (kr == KIMG_OK)
		kr = kimg_crc32((const u8 *)file + KIMG_HEADER_SIZE, hdr.comp_size, &ops) ==
				     hdr.comp_crc32 ? KIMG_OK : KIMG_ECOMPCRC;
	if (kr != KIMG_OK)
		return fail(EFI_CRC_ERROR, KERNEL_FILE, "%s", kimg_strerror(kr));

	st = alloc_pages(hdr.uncomp_size, &elf_addr);
	if (EFI_ERROR(st))
		return fail(st, KERNEL_FILE, "out of memory for %llu bytes of inflated kernel",
			    (unsigned long long)hdr.uncomp_size);
	ld->last_permille = ~0u;
	kr = kimg_inflate(&hdr, file, (void *)(uintptr_t)elf_addr, &ops);
	Print(L"\r\n");
	if (kr != KIMG_OK)
		return fail(EFI_CRC_ERROR, KERNEL_FILE, "%s", kimg_strerror(kr));

	why = elf64_check((const void *)(uintptr_t)elf_addr, hdr.uncomp_size, KERNEL_VMA_BASE,
			  KERNEL_VMA_BASE + KERNEL_WINDOW_SIZE, &img);
	if (!why && img.entry != hdr.entry)
		why = "ELF entry point differs from the image header";
	if (why)
		return fail(EFI_LOAD_ERROR, KERNEL_FILE, "inflated kernel: %s", why);

	k->size = ALIGN_UP(img.vend - KERNEL_VMA_BASE, (u64)KERNEL_ALIGN);
	k->entry = img.entry;
	st = alloc_pages_aligned(k->size, KERNEL_ALIGN, &k->phys);
	if (EFI_ERROR(st))
		return fail(st, KERNEL_FILE, "out of memory for the %llu-byte kernel",
			    (unsigned long long)k->size);
	memset((void *)(uintptr_t)k->phys, 0, k->size);
	place_segments(&img, (const u8 *)(uintptr_t)elf_addr, (u8 *)(uintptr_t)k->phys);
	uefi_call_wrapper(BS->FreePages, 2, elf_addr, EFI_SIZE_TO_PAGES(hdr.uncomp_size));
	/* The compressed image is not needed any more either. */
	uefi_call_wrapper(BS->FreePages, 2, f->addr, EFI_SIZE_TO_PAGES(f->size));
	f->addr = 0;
	return EFI_SUCCESS;
}
