/* SPDX-License-Identifier: MIT */
/*
 * bootinfo.h: the boot information handed to the kernel, a flattened device
 * tree built by the UEFI loader or the multiboot2 shim (lib/bootinfo_build.c)
 * and read by the kernel (kernel/bootinfo.c). Schema in docs/architecture.md.
 */
#ifndef TV_BOOTINFO_H
#define TV_BOOTINFO_H

#include <tv/compiler.h>
#include <tv/types.h>

#define BI_COMPATIBLE "thinvisor,bootinfo"
#define BI_VERSION 1

/* Memory types in /memory-map; more restrictive types have larger values. */
enum bi_mem_type {
	BI_MEM_USABLE = 1,      /* free RAM (after subtracting the reserve map) */
	BI_MEM_ACPI_RECLAIM = 2,
	BI_MEM_ACPI_NVS = 3,
	BI_MEM_RUNTIME = 4,     /* UEFI runtime services code and data */
	BI_MEM_PERSISTENT = 5,
	BI_MEM_RESERVED = 6,
	BI_MEM_MMIO = 7,
	BI_MEM_UNUSABLE = 8,    /* RAM with errors */
	BI_MEM_NTYPES
};

const char *bi_mem_type_name(u32 type);

struct bi_mem_region {
	u64 base;
	u64 size;
	u32 type;
};

/*
 * Sort, clip overlaps (the more restrictive type wins), shrink usable RAM to
 * whole 4 KiB pages, drop empty entries and merge neighbours of one type.
 * Works in place in an array of cap entries (clipping can split a region);
 * returns the new count. When a split finds no room, the more restrictive
 * neighbour absorbs the piece: usable RAM may be lost, never gained. The
 * top 4 KiB page of the address space is never described.
 */
size_t bi_memmap_normalize(struct bi_mem_region *r, size_t n, size_t cap);

/* Module kinds, derived from the name the same way by every loader. */
#define BI_KIND_SETTINGS "settings"
#define BI_KIND_VMCONFIG "vm-config"
#define BI_KIND_GUESTFILE "guest-file"
#define BI_SETTINGS_NAME "settings.cfg"
#define BI_VMDIR "vms/"
const char *bi_module_kind(const char *name);

struct bi_framebuffer {
	u64 base;
	u32 width, height, stride;   /* stride in bytes */
	u32 bpp;                     /* 32 only, for now */
	/* bit positions of the 8-bit colour channels */
	u8 red_shift, green_shift, blue_shift;
};

/* ---- building (loader and multiboot2 shim) ---- */

struct bib {
	void *fdt;
	int err;        /* first libfdt error, sticky: check once at the end */
};

int bib_init(struct bib *b, void *buf, size_t size, const char *loader_name);
void bib_set_cmdline(struct bib *b, const char *cmdline);
void bib_set_kernel(struct bib *b, u64 phys, u64 size);
void bib_set_loader_tsc(struct bib *b, u64 tsc);
/* How much of physical memory the loader's page tables map from 0. */
void bib_set_boot_mapped(struct bib *b, u64 top);
void bib_set_acpi_rsdp(struct bib *b, u64 rsdp);
void bib_set_framebuffer(struct bib *b, const struct bi_framebuffer *fb);
void bib_set_uefi(struct bib *b, u64 system_table, u64 runtime_services, const void *memmap,
		  u32 memmap_size, u32 desc_size, u32 desc_version);
void bib_add_module(struct bib *b, const char *name, u64 phys, u64 size);
void bib_add_setting(struct bib *b, const char *key, const char *value);
void bib_add_reserved(struct bib *b, u64 base, u64 size);
/*
 * Replace the memory map (may be called again, e.g. when ExitBootServices
 * asks for a fresh map). The regions must already be normalized.
 */
void bib_set_memory_map(struct bib *b, const struct bi_mem_region *r, size_t n);
/* Returns 0 or a negative libfdt error (FDT_ERR_*) from any step so far. */
int bib_finish(struct bib *b);

/*
 * Parse the settings file text into /settings properties. A bad line is
 * skipped, passed to report (may be NULL) and recorded as "line N: reason"
 * in the /settings "errors" string list so the kernel logs it too. Returns
 * the number of bad lines.
 */
int bib_add_settings_file(struct bib *b, const void *text, size_t len,
			  void (*report)(void *ctx, unsigned line, const char *why), void *ctx);


/* ---- reading (kernel/bootinfo.c) ---- */

#define BI_MAX_REGIONS 512
#define BI_MAX_RESERVED 192
#define BI_MAX_MODULES 128

struct bi_module {
	const char *name;     /* relative to the stick's thinvisor/ folder */
	const char *kind;     /* BI_KIND_* */
	u64 base, size;
};

struct bi_range {
	u64 base, size;
};

struct bootinfo {
	const void *fdt;
	const char *loader;       /* "uefi" or "multiboot2" */
	const char *cmdline;      /* "" when none */
	u64 kernel_phys, kernel_size;
	u64 loader_tsc;           /* 0 when unknown */
	u64 boot_mapped_top;      /* loader's page tables map [0, this) */
	u64 acpi_rsdp;            /* 0 when none */
	bool has_fb;
	struct bi_framebuffer fb;
	u64 uefi_systab, uefi_runtime; /* 0 when not booted by UEFI */
	/*
	 * The firmware's own memory map (EFI_MEMORY_DESCRIPTORs, in the FDT,
	 * only 4-byte aligned): its attributes say which ranges the runtime
	 * services need mapped. NULL/0 when absent.
	 */
	const void *uefi_memmap;
	u32 uefi_memmap_size, uefi_desc_size, uefi_desc_version;
	struct bi_mem_region regions[BI_MAX_REGIONS];
	size_t nregions;
	struct bi_range reserved[BI_MAX_RESERVED];
	size_t nreserved;
	struct bi_module modules[BI_MAX_MODULES];
	size_t nmodules;
	int settings_off;         /* FDT offset of /settings, <0 if absent */
};

/*
 * Validate and index a boot-info FDT (libfdt must be callable: see
 * kernel/bootinfo.c). Returns 0, or -EINVAL with *why set.
 */
int bootinfo_parse(const void *fdt, struct bootinfo *bi, const char **why);
/* A host setting by lower-case key, or NULL. */
const char *bootinfo_setting(const struct bootinfo *bi, const char *key);
/* The i-th settings syntax error recorded by the loader, or NULL. */
const char *bootinfo_setting_error(const struct bootinfo *bi, int i);
const struct bi_module *bootinfo_module(const struct bootinfo *bi, const char *name);
/* Total bytes of usable RAM in the memory map. */
u64 bootinfo_usable_bytes(const struct bootinfo *bi);

#endif
