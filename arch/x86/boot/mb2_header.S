/* SPDX-License-Identifier: MIT */
/* mb2_header.S: the multiboot2 header GRUB looks for in the first 32 KiB. */
#include <tv/boot.h>

#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define PA(x) ((x) - KERNEL_VMA_BASE + KERNEL_LMA_DEFAULT)

	.section .mb2header, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* information request: cmdline, modules, meminfo, mmap, framebuffer, ACPI (optional: flag 1) */
	.balign 8
1:	.short 1, 1
	.long 2f - 1b
	.long 1, 3, 4, 6, 8, 14, 15
2:
	/* entry address: the 32-bit entry, a physical address */
	.balign 8
1:	.short 3, 0
	.long 2f - 1b
	.long PA(mb2_entry)
2:
	/*
	 * No framebuffer tag: GRUB 2.06 calls a NULL function pointer when it
	 * sets a VBE mode under Bochs. Legacy-BIOS servers get the serial console.
	 */
	/* page-align modules */
	.balign 8
1:	.short 6, 0
	.long 8
	/* end */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:
