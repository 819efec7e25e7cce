/* SPDX-License-Identifier: MIT */
/*
 * boot.h: the contract between a loader (UEFI loader or multiboot2 shim) and
 * the kernel's 64-bit entry point. Described in full in docs/architecture.md.
 *
 * At entry: long mode, ring 0, IF=0, DF=0, paging on with loader-built page
 * tables that map [0, top of RAM) twice (identity and at DIRECT_MAP_BASE)
 * and the kernel image at KERNEL_VMA_BASE; the firmware's GDT and IDT are
 * still loaded and must not be relied on.
 *   rdi = physical address of the boot-info FDT
 *   rsi = BOOT_MAGIC
 *   rdx = physical address the kernel image was loaded at (2 MiB aligned)
 *   rsp = top of a 16-byte aligned stack of at least BOOT_STACK_SIZE
 * Free memory: every usable region of /memory-map minus the FDT's reserve map.
 */
#ifndef TV_BOOT_H
#define TV_BOOT_H

#define KERNEL_VMA_BASE 0xffffffff80000000
#define KERNEL_LMA_DEFAULT 0x200000          /* where multiboot2 loads it */
#define KERNEL_WINDOW_SIZE 0x40000000        /* the image must fit in 1 GiB */
#define KERNEL_ALIGN 0x200000
#define DIRECT_MAP_BASE 0xffff800000000000
#define BOOT_MAGIC 0x544f4f424b565400        /* "\0TVKBOOT" */
#define BOOT_STACK_SIZE 0x10000

#endif
