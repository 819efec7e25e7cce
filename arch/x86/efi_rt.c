// SPDX-License-Identifier: MIT
/*
 * efi_rt.c: the page tables and CPU state UEFI runtime services are called
 * on (kernel/efivar.c holds the calls themselves).
 *
 * The loader never calls SetVirtualAddressMap, so the firmware still runs
 * at its physical addresses: its runtime code, data and the MMIO it drives
 * (OVMF's variable flash at 0xffc00000) must be mapped 1:1. The kernel's
 * own tables have no lower half, and giving them one would leave firmware
 * memory writable and executable at low addresses for the whole life of
 * the host. So runtime calls get tables of their own: the lower half maps
 * exactly the ranges the UEFI memory map marks EFI_MEMORY_RUNTIME, 1:1, and
 * the upper half is the kernel's (its top-level entries copied before each
 * call), so the caller's code, stack and buffers stay where they are. A
 * call switches CR3 to them with interrupts off and back afterwards; the
 * kernel's global upper-half TLB entries stay valid across both switches.
 */
#include <tv/arch.h>
#include <tv/errno.h>
#include <tv/pmm.h>
#include <tv/printf.h>
#include <tv/string.h>
#include <x86/cr.h>
#include <x86/fpu.h>
#include <x86/paging.h>

static u64 efi_root;           /* PML4 of the runtime tables, 0 until the first map */
static void *fpu_area;         /* the interrupted FPU state during a call */

static u64 efi_alloc_table(void *ctx)
{
	paddr_t pa;

	(void)ctx;
	return pmm_alloc_page_zeroed(&pa) ? pa : 0;
}

static void *efi_p2v(void *ctx, u64 pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

static const struct pt_ops efi_ops = {
	.alloc_table = efi_alloc_table,
	.p2v = efi_p2v,
	.table_flags = PTE_P | PTE_W,
	.max_level = PT_LEVEL_2M,
};

int arch_efi_map(paddr_t pa, u64 size, bool exec, bool uncached)
{
	u64 flags = PTE_P | PTE_W | (exec ? 0 : PTE_NX) | (uncached ? PTE_CACHE_UC : 0);

	if (!efi_root) {
		u32 pages = (fpu_stash_size() + PAGE_SIZE - 1) / PAGE_SIZE;
		paddr_t fpa = pmm_alloc(pages, 1);

		if (!fpa)
			return -ENOMEM;
		fpu_area = phys_to_virt(fpa); /* page aligned, as XSAVE wants 64 */
		efi_root = efi_alloc_table(NULL);
		if (!efi_root)
			return -ENOMEM;
	}
	/* Only the lower half: the upper one is the kernel's. */
	if ((pa | size) & (PAGE_SIZE - 1) || pa + size < pa || pa + size > (1ull << 47))
		return -EINVAL;
	return pt_map(&efi_ops, efi_root, pa, pa, size, flags);
}

void arch_efi_run(void (*fn)(void *ctx), void *ctx)
{
	irqflags_t f = arch_irq_save();
	u64 kcr3 = read_cr3();
	u64 *root = phys_to_virt(efi_root);
	const u64 *kroot = phys_to_virt(kcr3 & PTE_ADDR_MASK);

	/* The kernel may have added top-level entries (ioremap) since the last call. */
	for (unsigned i = 256; i < 512; i++)
		root[i] = kroot[i];
	fpu_stash(fpu_area);
	write_cr3(efi_root);
	fn(ctx);
	write_cr3(kcr3);
	fpu_unstash(fpu_area);
	arch_irq_restore(f);
}

/*
 * test.efivar: what the firmware finds and what the caller gets back. The
 * kernel is built without SSE and never keeps values in these registers,
 * so the asm below needs no clobbers.
 */
struct fpu_probe {
	u32 mxcsr;
	u16 fcw;
};

static void fpu_probe_and_wipe(void *ctx)
{
	struct fpu_probe *p = ctx;
	u32 dirty = 0x9fc0; /* FTZ and DAZ on: firmware may leave anything */

	__asm__ __volatile__("stmxcsr %0; fnstcw %1" : "=m"(p->mxcsr), "=m"(p->fcw));
	__asm__ __volatile__(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			     "pcmpeqd %%xmm\\r, %%xmm\\r\n\t.endr\n\t"
			     "ldmxcsr %0; fldz" : : "m"(dirty));
}

int arch_efi_fpu_selftest(char *msg, size_t len)
{
	static u8 in[256] __attribute__((aligned(16))), out[256] __attribute__((aligned(16)));
	u32 mx_in = 0x1f80 | (3u << 13), mx_out = 0, clean = 0x1f80; /* round toward zero */
	struct fpu_probe fw = { 0, 0 };

	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (u8)(i * 7 + 1);
	__asm__ __volatile__(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			     "movdqa \\r*16(%0), %%xmm\\r\n\t.endr\n\t"
			     "ldmxcsr %1" : : "r"(in), "m"(mx_in) : "memory");
	arch_efi_run(fpu_probe_and_wipe, &fw);
	__asm__ __volatile__(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			     "movdqa %%xmm\\r, \\r*16(%1)\n\t.endr\n\t"
			     "stmxcsr %0; ldmxcsr %2; fninit"
			     : "=m"(mx_out) : "r"(out), "m"(clean) : "memory");
	snprintf(msg, len, "firmware saw MXCSR %#x FCW %#x; XMM0-15 %s, MXCSR %s afterwards",
		 fw.mxcsr, fw.fcw, memcmp(in, out, sizeof(in)) ? "CHANGED" : "kept",
		 mx_out == mx_in ? "kept" : "CHANGED");
	return fw.mxcsr == 0x1f80 && fw.fcw == 0x37f && !memcmp(in, out, sizeof(in)) &&
	       mx_out == mx_in ? 0 : -1;
}
