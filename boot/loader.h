/* SPDX-License-Identifier: MIT */
/* loader.h: internals of the UEFI loader (BOOTX64.EFI). */
#ifndef BOOT_LOADER_H
#define BOOT_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <tv/bootinfo.h>
#include <tv/cfglex.h>
#include <tv/kimg.h>

/* Where thinvisor's files live on the stick, below the volume root. */
#define TV_DIR L"\\thinvisor"
#define KERNEL_FILE "kernel.tvk"
#define ERROR_STALL_SECONDS 5

/* One file loaded from the stick (names are relative to TV_DIR, '/'-separated). */
struct lfile {
	char name[CFG_MAX_PATH + 8];
	u64 size;
	EFI_PHYSICAL_ADDRESS addr;   /* page-aligned copy in EfiLoaderData */
	bool loaded;
};

#define MAX_FILES 128

struct loader {
	EFI_HANDLE image;
	EFI_FILE_HANDLE root;        /* TV_DIR on the boot volume */
	struct lfile files[MAX_FILES];
	unsigned nfiles;
	u64 total_bytes, done_bytes; /* for the progress bar */
	unsigned last_permille;
};

extern EFI_HANDLE loader_image;

/* ---- console.c ---- */
/* Print "thinvisor: <file>: <reason>", wait, and return status for efi_main to return. */
EFI_STATUS fail(EFI_STATUS st, const char *file, const char *fmt, ...);
void warn(const char *file, const char *fmt, ...);
void progress_draw(struct loader *ld, const char *name);

/* ---- files.c ---- */
/* Plan a file (size known), without reading it yet; NULL if absent. */
struct lfile *files_plan(struct loader *ld, const char *name, EFI_STATUS *st);
EFI_STATUS files_read_all(struct loader *ld);
EFI_STATUS files_read_one(struct loader *ld, struct lfile *f);
struct lfile *files_find(struct loader *ld, const char *name);
/* Names of *.vmx files in TV_DIR\vms, planned; returns how many. */
EFI_STATUS files_plan_vm_configs(struct loader *ld);
EFI_STATUS files_open_root(struct loader *ld);

/* ---- libcall.c ---- */
/* Bracket every call into Debian's libz.a/libfdt.a (see libcall.c for why). */
void libcall_enter(void);
void libcall_leave(void);
EFI_STATUS libcall_init(void);
void *zarena_alloc(void *ctx, unsigned items, unsigned size);
void zarena_free(void *ctx, void *p);

/* ---- memory ---- */
EFI_STATUS alloc_pages(u64 bytes, EFI_PHYSICAL_ADDRESS *addr);
EFI_STATUS alloc_pages_aligned(u64 bytes, u64 align, EFI_PHYSICAL_ADDRESS *addr);

/* ---- kernel.c ---- */
struct kernel_image {
	EFI_PHYSICAL_ADDRESS phys;   /* 2 MiB aligned */
	u64 size;                    /* bytes mapped from KERNEL_VMA_BASE */
	u64 entry;
};
EFI_STATUS kernel_load(struct loader *ld, struct kernel_image *k);

/* ---- handoff.c ---- */
EFI_STATUS handoff(struct loader *ld, struct kernel_image *k, u64 loader_tsc);

/* jump.S: switch page tables and stack, enter the kernel; never returns. */
void __attribute__((noreturn)) jump_to_kernel(u64 cr3, u64 entry, u64 stack_top, u64 fdt,
					       u64 magic, u64 kernel_phys);

#endif
