// SPDX-License-Identifier: MIT
/*
 * main.c: BOOTX64.EFI, thinvisor's UEFI loader. Reads the kernel image,
 * the host settings and the VM configs with the guest files they name from
 * the stick, checks them, and starts the kernel (boot flow in
 * docs/architecture.md). Any problem with the kernel itself is reported
 * and the loader returns to the firmware, which tries its next boot option.
 */
#include <tv/printf.h>
#include <tv/string.h>
#include "loader.h"

#ifndef TV_VERSION
#define TV_VERSION "dev"
#endif

static struct loader *ld;
EFI_HANDLE loader_image;

static u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

/* Plan every guest file a VM config names; problems are the kernel's to refuse. */
static void plan_vm_files(struct lfile *cfg)
{
	struct cfglex lx;
	struct cfg_entry e;
	int r;

	cfglex_init(&lx, (const void *)(uintptr_t)cfg->addr, cfg->size);
	while ((r = cfglex_next(&lx, &e)) != 0) {
		char name[CFG_MAX_PATH + 8], where[CFG_MAX_PATH + 16];
		const char *why;
		EFI_STATUS st;

		snprintf(where, sizeof(where), "%s:%u", cfg->name, lx.line);
		if (r < 0) {
			warn(where, "%s", lx.err);
			continue;
		}
		if (!vmcfg_key_is_file(&e))
			continue;
		why = cfg_path_check(e.value, e.value_len);
		if (why) {
			warn(where, "%s", why);
			continue;
		}
		snprintf(name, sizeof(name), "%s%.*s", BI_VMDIR, (int)e.value_len, e.value);
		if (!files_plan(ld, name, &st))
			warn(where, "guest file %s: %s", name,
			     st == EFI_NOT_FOUND ? "not found on the stick" : "cannot be opened");
	}
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	u64 entry_tsc = rdtsc();
	struct kernel_image k;
	struct lfile *f;
	EFI_STATUS st;

	InitializeLib(image, systab);
	/* Allocated, not static: .bss would be stored as zeros in the PE file. */
	ld = AllocateZeroPool(sizeof(*ld));
	if (!ld || EFI_ERROR(libcall_init()))
		return fail(EFI_OUT_OF_RESOURCES, "loader", "out of memory");
	/* Loading a large guest from a slow stick can outlast the 5-minute watchdog. */
	uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);
	Print(L"\r\nthinvisor loader %a\r\n", TV_VERSION);

	ld->image = image;
	loader_image = image;
	ld->last_permille = ~0u;
	st = files_open_root(ld);
	if (EFI_ERROR(st))
		return fail(st, "\\thinvisor", "folder not found on the boot volume");
	if (!files_plan(ld, KERNEL_FILE, &st))
		return fail(st, KERNEL_FILE, "%s",
			    st == EFI_NOT_FOUND ? "kernel image missing" : "cannot open kernel image");
	if (!files_plan(ld, BI_SETTINGS_NAME, &st))
		warn(BI_SETTINGS_NAME, "not found; the host starts with default settings");
	st = files_plan_vm_configs(ld);
	if (EFI_ERROR(st))
		warn("vms", "cannot list VM configs (status %lx)", (unsigned long)st);

	/* The configs are small: read them first to learn which guest files to load. */
	unsigned nconfigs = ld->nfiles;

	for (unsigned i = 0; i < nconfigs; i++) {
		f = &ld->files[i];
		if (strcmp(bi_module_kind(f->name), BI_KIND_VMCONFIG) != 0)
			continue;
		st = files_read_one(ld, f);
		if (EFI_ERROR(st))
			return fail(st, f->name, "read failed");
		plan_vm_files(f);
	}
	st = files_read_all(ld);
	if (EFI_ERROR(st))
		return st;
	st = kernel_load(ld, &k);
	if (EFI_ERROR(st))
		return st;
	return handoff(ld, &k, entry_tsc);
}
