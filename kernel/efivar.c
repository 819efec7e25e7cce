// SPDX-License-Identifier: MIT
/*
 * efivar.c: UEFI variables after ExitBootServices, through the runtime
 * services the UEFI loader passes in the boot info (interface in
 * tv/efivar.h). The firmware runs in physical mode on page tables of its
 * own (arch_efi_map, arch_efi_run: arch/x86/efi_rt.c); every call is
 * serialized by one lock, with interrupts off and the FPU state saved.
 *
 * The types come from gnu-efi. Its headers are on this file's include path
 * alone (Makefile), as system headers: they are not warning-clean.
 * GNU_EFI_USE_MS_ABI makes EFIAPI ms_abi, so the function pointers of
 * EFI_RUNTIME_SERVICES carry the firmware's calling convention and the
 * compiler emits the calls (no uefi_call_wrapper).
 */
#define GNU_EFI_USE_MS_ABI 1
#include <efi.h>

#include <tv/arch.h>
#include <tv/bootinfo.h>
#include <tv/efivar.h>
#include <tv/errno.h>
#include <tv/log.h>
#include <tv/spinlock.h>
#include <tv/string.h>

#define EFIVAR_ATTRS \
	(EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)
#define EFIVAR_NAME_MAX 64     /* characters, without the terminating NUL */
#define EFI_PERSISTENT_MEMORY 14  /* not in gnu-efi 3.0's EFI_MEMORY_TYPE */

static EFI_RUNTIME_SERVICES rt;   /* a copy of the firmware's table */
static EFI_GUID tv_guid = TV_EFI_GUID_INIT;
static spinlock_t efivar_lock = SPINLOCK_INIT;
static bool usable;
static bool failure_logged;

/* One runtime call, made by the callback arch_efi_run runs on the firmware's tables. */
struct efivar_call {
	CHAR16 *name;
	UINT32 attrs;
	UINTN size;
	void *data;
	EFI_STATUS status;
};

static void call_get(void *p)
{
	struct efivar_call *c = p;

	c->status = rt.GetVariable(c->name, &tv_guid, &c->attrs, &c->size, c->data);
}

static void call_set(void *p)
{
	struct efivar_call *c = p;

	c->status = rt.SetVariable(c->name, &tv_guid, c->attrs, c->size, c->data);
}

/* Memory the runtime services may touch; false for types the frame allocator may own. */
static bool runtime_type_ok(u32 type)
{
	switch (type) {
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
	case EfiReservedMemoryType:
	case EfiACPIMemoryNVS:
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace:
	case EfiPalCode:
		return true;
	default:
		return false;
	}
}

/*
 * Map every EFI_MEMORY_RUNTIME range of the firmware's memory map 1:1 and
 * check the two services lie in runtime code. 0, or -1 with *why.
 */
static int map_runtime_ranges(const struct bootinfo *bi, const char **why)
{
	const u8 *map = bi->uefi_memmap;
	bool get_in = false, set_in = false;
	unsigned nranges = 0;

	for (u32 off = 0; off + bi->uefi_desc_size <= bi->uefi_memmap_size;
	     off += bi->uefi_desc_size) {
		EFI_MEMORY_DESCRIPTOR d;
		u64 size, get = (u64)(uintptr_t)rt.GetVariable, set = (u64)(uintptr_t)rt.SetVariable;
		bool mmio, exec;
		int r;

		memcpy(&d, map + off, sizeof(d)); /* FDT data is only 4-byte aligned */
		if (!(d.Attribute & EFI_MEMORY_RUNTIME) || !d.NumberOfPages)
			continue;
		if (!runtime_type_ok(d.Type)) {
			*why = "the firmware marks allocatable memory as runtime memory";
			return -1;
		}
		size = d.NumberOfPages * EFI_PAGE_SIZE;
		mmio = d.Type == EfiMemoryMappedIO || d.Type == EfiMemoryMappedIOPortSpace ||
		       !(d.Attribute & EFI_MEMORY_WB);
		/*
		 * Without SetVirtualAddressMap nobody applies the firmware's
		 * memory attributes table, and some firmware runs code from
		 * runtime data: only MMIO and what says EFI_MEMORY_XP is NX.
		 */
		exec = !mmio && !(d.Attribute & EFI_MEMORY_XP);
		r = arch_efi_map(d.PhysicalStart, size, exec, mmio);
		if (r) {
			*why = r == -ENOMEM ? "no memory for the runtime page tables"
					    : "the firmware's runtime ranges overlap or are out of reach";
			return -1;
		}
		pr_dbg("efivar: runtime %#llx-%#llx type %u attr %#llx: %s\n",
		       (unsigned long long)d.PhysicalStart,
		       (unsigned long long)(d.PhysicalStart + size - 1), d.Type,
		       (unsigned long long)d.Attribute, mmio ? "uncached" : exec ? "RWX" : "RW");
		nranges++;
		if (exec && d.Type == EfiRuntimeServicesCode) {
			get_in |= get >= d.PhysicalStart && get < d.PhysicalStart + size;
			set_in |= set >= d.PhysicalStart && set < d.PhysicalStart + size;
		}
	}
	if (!nranges) {
		*why = "the UEFI memory map has no runtime ranges";
		return -1;
	}
	if (!get_in || !set_in) {
		*why = "the variable services lie outside the firmware's runtime code";
		return -1;
	}
	pr_dbg("efivar: %u runtime ranges mapped 1:1\n", nranges);
	return 0;
}

bool efivar_init(const struct bootinfo *bi, const char **why)
{
	const EFI_TABLE_HEADER *hdr;
	u32 need = offsetof(EFI_RUNTIME_SERVICES, SetVariable) + sizeof(rt.SetVariable);

	if (strcmp(bi->loader, "uefi") != 0) {
		*why = strcmp(bi->loader, "multiboot2") == 0
			       ? "no UEFI runtime services (booted by GRUB)"
			       : "no UEFI runtime services (not booted by the UEFI loader)";
		return false;
	}
	if (!bi->uefi_runtime || !bi->uefi_memmap) {
		*why = "the loader passed no runtime services table or no UEFI memory map";
		return false;
	}
	/* Runtime services data is in the kernel's direct map (arch/x86/mmu.c). */
	if (!arch_phys_is_mapped(bi->uefi_runtime, sizeof(*hdr))) {
		*why = "the runtime services table is outside RAM";
		return false;
	}
	hdr = phys_to_virt(bi->uefi_runtime);
	if (hdr->Signature != EFI_RUNTIME_SERVICES_SIGNATURE || hdr->HeaderSize < need ||
	    !arch_phys_is_mapped(bi->uefi_runtime, need)) {
		*why = "the runtime services table has a bad signature or is too short";
		return false;
	}
	memcpy(&rt, hdr, need);
	if (!rt.GetVariable || !rt.SetVariable) {
		*why = "the firmware offers no variable services";
		return false;
	}
	if (map_runtime_ranges(bi, why))
		return false;
	usable = true;
	return true;
}

bool efivar_usable(void)
{
	return usable;
}

/* ASCII name -> UCS-2 in out[EFIVAR_NAME_MAX + 1]; -EINVAL if empty, too long or not ASCII. */
static int to_ucs2(const char *name, CHAR16 *out)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		if (i == EFIVAR_NAME_MAX || (u8)name[i] < 0x20 || (u8)name[i] > 0x7e)
			return -EINVAL;
		out[i] = (CHAR16)name[i];
	}
	out[i] = 0;
	return i ? 0 : -EINVAL;
}

static int status_to_errno(const char *op, const char *name, EFI_STATUS st)
{
	if (st == EFI_SUCCESS)
		return 0;
	if (st == EFI_NOT_FOUND)
		return -ENOENT;
	if (st == EFI_BUFFER_TOO_SMALL)
		return -ENOSPC;
	/* Once: a console that retries must not flood the log. */
	if (!__atomic_exchange_n(&failure_logged, true, __ATOMIC_RELAXED))
		pr_err("efivar: %s %s failed: EFI status %#llx (further failures not logged)\n",
		       op, name, (unsigned long long)st);
	return -EIO;
}

static EFI_STATUS efivar_call(void (*fn)(void *), struct efivar_call *c)
{
	irqflags_t f = spin_lock_irqsave(&efivar_lock);

	arch_efi_run(fn, c);
	spin_unlock_irqrestore(&efivar_lock, f);
	return c->status;
}

/* A zero len deletes the variable, as SetVariable does with a DataSize of 0. */
int efivar_set(const char *name, const void *data, size_t len)
{
	CHAR16 uname[EFIVAR_NAME_MAX + 1];
	struct efivar_call c = { .name = uname, .attrs = EFIVAR_ATTRS, .size = len,
				 .data = (void *)data };

	if (!usable)
		return -ENODEV;
	if (to_ucs2(name, uname) || (len && !data))
		return -EINVAL;
	return status_to_errno("SetVariable", name, efivar_call(call_set, &c));
}

int efivar_get(const char *name, void *buf, size_t *len)
{
	CHAR16 uname[EFIVAR_NAME_MAX + 1];
	struct efivar_call c = { .name = uname, .size = *len, .data = buf };
	int r;

	if (!usable)
		return -ENODEV;
	if (to_ucs2(name, uname) || (*len && !buf))
		return -EINVAL;
	r = status_to_errno("GetVariable", name, efivar_call(call_get, &c));
	if (r == 0 || r == -ENOSPC)
		*len = c.size;
	return r;
}

/*
 * test.efivar=TEXT: show the previous value of a test variable (the
 * settings variable is left alone), write TEXT and read it back. Two boots
 * on one OVMF variable store show it persists (tests/qemu/efivar.sh).
 */
void efivar_selftest(const char *text)
{
	static const char var[] = "ThinvisorTest";
	char buf[128];
	size_t len = sizeof(buf) - 1;
	int r;

	if (!usable) {
		pr_err("test.efivar: FAIL: runtime services unusable\n");
		return;
	}
	r = efivar_get(var, buf, &len);
	if (r == 0) {
		buf[len] = '\0';
		pr_info("test.efivar: previous value: %s\n", buf);
	} else if (r == -ENOENT) {
		pr_info("test.efivar: previous value: none\n");
	} else {
		pr_err("test.efivar: reading %s failed (%d)\n", var, r);
	}
	r = efivar_set(var, text, strlen(text));
	if (r) {
		pr_err("test.efivar: FAIL: writing %s failed (%d)\n", var, r);
		return;
	}
	len = sizeof(buf) - 1;
	r = efivar_get(var, buf, &len);
	if (r) {
		pr_err("test.efivar: FAIL: reading %s back failed (%d)\n", var, r);
		return;
	}
	buf[len] = '\0';
	pr_info("test.efivar: wrote %s, read back %s\n", text, buf);
	{
		char msg[128];
		irqflags_t f = spin_lock_irqsave(&efivar_lock);

		r = arch_efi_fpu_selftest(msg, sizeof(msg));
		spin_unlock_irqrestore(&efivar_lock, f);
		if (r)
			pr_err("test.efivar: FAIL: FPU state: %s\n", msg);
		else
			pr_info("test.efivar: FPU state: %s\n", msg);
	}
}
